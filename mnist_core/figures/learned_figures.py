"""Plotly figures for "What it learned": maps over a digit, accuracy curves, units switched off.

Pure: arrays in, Figure out. Signed maps use blue for positive and red for negative, white for zero,
as the weights do on Inside the network.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from mnist_core.figures.prediction_figures import ACCENT, DIVERGING, MUTED, WRONG, _square_pixels
from mnist_core.i18n import number, tr

INK_LEVEL = 128  # the digit's outline is drawn where its pixels cross half ink


def signed_map_figure(
    values: np.ndarray, image: np.ndarray | None, colorbar: str, height: int = 300
) -> go.Figure:
    """A (28, 28) signed map, blue + and red −, with the outline of ``image``'s ink over it.

    Parameters
    ----------
    values : array-like of shape (28, 28)
    image : array-like of shape (28, 28), 0-255, optional
        Its outline (half ink) is drawn in black, so the map reads over the digit.
    colorbar : str
        The colour bar's title: what the numbers are.
    """
    values = np.asarray(values, dtype=np.float64)
    limit = float(np.abs(values).max()) or 1.0
    figure = go.Figure(
        go.Heatmap(
            z=values,
            colorscale=DIVERGING,
            zmin=-limit,
            zmax=limit,
            colorbar={"title": {"text": colorbar, "side": "right"}, "thickness": 12},
            hovertemplate=tr("row %{y}, column %{x}: %{z:.4f}") + "<extra></extra>",
        )
    )
    if image is not None:
        figure.add_trace(
            go.Contour(
                z=np.asarray(image, dtype=np.float64),
                contours={"start": INK_LEVEL, "end": INK_LEVEL, "size": 1, "coloring": "none"},
                line={"color": "black", "width": 1.5},
                showscale=False,
                hoverinfo="skip",
            )
        )
    _square_pixels(figure)
    figure.update_yaxes(scaleanchor="x")
    figure.update_layout(height=height, margin={"t": 4, "b": 4, "l": 4, "r": 4})
    return figure


def accuracy_curve_figure(
    levels: np.ndarray, accuracy: np.ndarray, x_title: str, marker: float | None = None, height: int = 280
) -> go.Figure:
    """Test accuracy against how much each image was changed; ``marker`` draws a line at the current value."""
    figure = go.Figure(
        go.Scatter(
            x=np.asarray(levels),
            y=np.asarray(accuracy),
            mode="lines+markers",
            line={"color": ACCENT},
            hovertemplate=x_title + " %{x}: " + tr("accuracy %{y:.3f}") + "<extra></extra>",
        )
    )
    if marker is not None:
        figure.add_vline(x=marker, line={"color": WRONG, "dash": "dot"})
    figure.add_hline(
        y=0.1,
        line={"color": MUTED, "dash": "dash"},
        annotation_text=tr("guessing: {accuracy}").format(accuracy=number(0.1, 1)),
    )
    figure.update_xaxes(title_text=x_title)
    figure.update_yaxes(title_text=tr("test accuracy"), range=[0, 1.02])
    figure.update_layout(height=height, margin={"t": 10, "b": 50, "l": 60, "r": 10})
    return figure


def abstention_figure(
    answered: np.ndarray,
    accuracy: np.ndarray,
    threshold_answered: float,
    threshold_accuracy: float,
    height=280,
) -> go.Figure:
    """Accuracy on the answered images against the share answered, one point per threshold."""
    figure = go.Figure(
        go.Scatter(
            x=np.asarray(answered),
            y=np.asarray(accuracy),
            mode="lines",
            line={"color": ACCENT},
            hovertemplate=tr("answers %{x:.1%}: %{y:.2%} of them right") + "<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[threshold_answered],
            y=[threshold_accuracy],
            mode="markers",
            marker={"color": WRONG, "size": 12},
            hovertemplate=tr("your threshold: answers %{x:.1%}, %{y:.2%} right") + "<extra></extra>",
        )
    )
    figure.update_xaxes(title_text=tr("share of test images answered"), tickformat=".0%", range=[0, 1.02])
    figure.update_yaxes(title_text=tr("accuracy on the answered"), tickformat=".1%")
    figure.update_layout(height=height, showlegend=False, margin={"t": 10, "b": 50, "l": 70, "r": 10})
    return figure


def digit_accuracy_figure(before: np.ndarray, after: np.ndarray, height: int = 260) -> go.Figure:
    """Each digit's test accuracy with every unit on and with the chosen units off, side by side."""
    digits = list(range(len(before)))
    figure = go.Figure(
        [
            go.Bar(x=digits, y=before, name=tr("all units on"), marker_color=MUTED),
            go.Bar(x=digits, y=after, name=tr("units off"), marker_color=WRONG),
        ]
    )
    figure.update_traces(hovertemplate=tr("digit %{x}: %{y:.3f}"))
    figure.update_xaxes(title_text=tr("digit"), tickmode="linear")
    figure.update_yaxes(title_text=tr("test accuracy"), range=[0, 1.02])
    figure.update_layout(
        height=height,
        barmode="group",
        legend={"orientation": "h", "y": -0.3},
        margin={"t": 10, "b": 50, "l": 60, "r": 10},
    )
    return figure


def unit_activity_figure(activations: np.ndarray, off: list[int], label: str, height: int = 230) -> go.Figure:
    """Each unit's mean activation, the units switched off in red."""
    activations = np.asarray(activations, dtype=np.float64)
    off_set = set(off)
    colors = [WRONG if unit in off_set else ACCENT for unit in range(len(activations))]
    figure = go.Figure(
        go.Bar(
            x=list(range(len(activations))),
            y=activations,
            marker_color=colors,
            hovertemplate=label + " %{x}: " + tr("mean activation %{y:.3f}") + "<extra></extra>",
        )
    )
    figure.update_xaxes(title_text=label)
    figure.update_yaxes(title_text=tr("mean activation"))
    figure.update_layout(height=height, margin={"t": 10, "b": 45, "l": 60, "r": 10})
    return figure
