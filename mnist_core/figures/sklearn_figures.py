"""Plotly figures for lesson 7 (scikit-learn and tuning). Pure: arrays in, Figure out."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mnist_core.figures.palette import CATEGORY_COLOURS
from mnist_core.i18n import number, tr

COLORS = CATEGORY_COLOURS[:5]
WINNER_MARK = "★"


def loss_curves_figure(curves: dict[str, list[float]]) -> go.Figure:
    """Training loss per iteration, one line per run (``MLPClassifier.loss_curve_``).

    Parameters
    ----------
    curves : dict of label -> list of float
        The mean training loss after iteration 1, 2, ...
    """
    figure = go.Figure()
    longest = max((len(losses) for losses in curves.values()), default=1)
    for position, (label, losses) in enumerate(curves.items()):
        figure.add_trace(
            go.Scatter(
                x=list(range(1, len(losses) + 1)),
                y=list(losses),
                mode="lines+markers",
                name=label,
                line={"color": COLORS[position % len(COLORS)], "width": 2},
            )
        )
    figure.update_xaxes(
        title_text=tr("iteration (one pass over the training images)"),
        tick0=1,
        dtick=max(1, math.ceil(longest / 10)),  # whole iterations only
    )
    figure.update_yaxes(title_text=tr("training loss (cross-entropy)"), rangemode="tozero")
    figure.update_layout(
        height=320,
        margin={"t": 30, "b": 40, "l": 50, "r": 10},
        legend={"orientation": "h", "y": 1.12},
        showlegend=len(curves) > 1,
    )
    return figure


def grid_heatmap(
    accuracies: np.ndarray,
    learning_rates: list[float],
    size_labels: list[str],
    winner: tuple[int, int] | None = None,
    title: str | None = None,
) -> go.Figure:
    """A heatmap of accuracy per (learning rate, architecture); NaN cells read "not yet".

    Parameters
    ----------
    accuracies : array of shape (n_learning_rates, n_architectures)
        NaN where a combination has not run (yet) or diverged.
    winner : (row, column), optional
        The chosen combination, marked with a star and a frame.
    title : str, optional
        "Validation accuracy" (in the current language) when not given.
    """
    title = tr("Validation accuracy") if title is None else title
    accuracies = np.asarray(accuracies, dtype=float)
    rows = [f"lr {rate:g}" for rate in learning_rates]
    text = [
        [
            ("—" if math.isnan(value) else number(value, 4))
            + (f" {WINNER_MARK}" if winner is not None and (i, j) == tuple(winner) else "")
            for j, value in enumerate(row)
        ]
        for i, row in enumerate(accuracies)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=accuracies,
            x=size_labels,
            y=rows,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 15},
            colorscale="Viridis",
            zmin=0.0,
            zmax=1.0,
            colorbar={"title": {"text": tr("accuracy")}},
            hovertemplate=tr("%{y}, hidden layers %{x}<br>accuracy %{z:.4f}") + "<extra></extra>",
        )
    )
    if winner is not None:
        i, j = winner
        figure.add_shape(
            type="rect",
            x0=j - 0.5,
            x1=j + 0.5,
            y0=i - 0.5,
            y1=i + 0.5,
            line={"color": "#e4572e", "width": 4},
        )
    figure.update_xaxes(title_text="hidden_layer_sizes", type="category")
    figure.update_yaxes(title_text="learning_rate_init", type="category", autorange="reversed")
    figure.update_layout(
        title=title, height=120 + 70 * len(rows), margin={"t": 50, "b": 40, "l": 70, "r": 10}
    )
    return figure


def framework_figure(names: list[str], test_accuracies: list[float], fit_seconds: list[float]) -> go.Figure:
    """Test accuracy and fitting time of each framework, side by side."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=(tr("Test accuracy"), tr("Fitting time (s)")))
    colors = [COLORS[position % len(COLORS)] for position in range(len(names))]
    figure.add_trace(
        go.Bar(
            x=names,
            y=test_accuracies,
            marker_color=colors,
            text=[number(value, 4) for value in test_accuracies],
            textposition="outside",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=names,
            y=fit_seconds,
            marker_color=colors,
            text=[f"{number(value, 1)} s" for value in fit_seconds],
            textposition="outside",
        ),
        row=1,
        col=2,
    )
    figure.update_yaxes(range=[0, 1.08], row=1, col=1)
    figure.update_yaxes(range=[0, max(fit_seconds, default=1) * 1.25], row=1, col=2)
    figure.update_layout(height=300, showlegend=False, margin={"t": 40, "b": 30, "l": 40, "r": 10})
    return figure
