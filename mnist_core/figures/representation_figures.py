"""Figures of what each layer makes of the digits. Pure functions: arrays in, a Figure out."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mnist_core.figures.data_figures import CLASS_COLOURS, HIGHLIGHT, WEBGL_ABOVE
from mnist_core.i18n import N_, tr


def layer_maps_figure(
    titles: list[str],
    coordinates: list[np.ndarray],
    labels: np.ndarray,
    hover_sketches: list[str] | None = None,
    marked: list[np.ndarray | None] | None = None,
    marked_name: str = N_("your digit"),
    columns: int = 4,
    panel_height: int = 330,
) -> go.Figure:
    """One 2-D map per layer, side by side, the same digits in each, coloured by class.

    Parameters
    ----------
    titles : list of str, one per panel
    coordinates : list of arrays of shape (n_digits, 2), one per panel, rows in the same digit order
    labels : int array of shape (n_digits,)
    hover_sketches : list of n_digits str, optional
        A picture of each digit for the hover label (``data_figures.braille_sketches``).
    marked : list of arrays of shape (2,) or None, optional
        One more point per panel (the student's digit), drawn as a large star.
    marked_name : str
        Its name in the legend and the hover label, translated here.
    columns : int
        Panels per row.
    """
    labels = np.asarray(labels)
    marked_name = tr(marked_name)
    if len(titles) != len(coordinates):
        raise ValueError(f"{len(titles)} titles for {len(coordinates)} panels")
    columns = max(1, min(columns, len(titles)))
    rows = math.ceil(len(titles) / columns)
    figure = make_subplots(
        rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.04, vertical_spacing=0.12
    )
    scatter = go.Scattergl if len(labels) * len(titles) > WEBGL_ABOVE else go.Scatter
    for panel, points in enumerate(coordinates):
        row, col = panel // columns + 1, panel % columns + 1
        for digit in range(10):
            members = np.flatnonzero(labels == digit)
            if not len(members):
                continue
            text = [hover_sketches[i] for i in members] if hover_sketches is not None else None
            figure.add_trace(
                scatter(
                    x=points[members, 0],
                    y=points[members, 1],
                    mode="markers",
                    name=str(digit),
                    legendgroup=str(digit),
                    showlegend=panel == 0,
                    marker=dict(size=4, color=CLASS_COLOURS[digit], opacity=0.7),
                    text=text,
                    customdata=members,
                    hovertemplate=tr("digit {digit}").format(digit=digit)
                    + ("<br>%{text}" if text else "")
                    + "<extra></extra>",
                    hoverlabel=dict(font=dict(family="DejaVu Sans Mono, monospace", size=14)),
                ),
                row=row,
                col=col,
            )
        if marked is not None and marked[panel] is not None:
            figure.add_trace(
                go.Scatter(
                    x=[marked[panel][0]],
                    y=[marked[panel][1]],
                    mode="markers",
                    name=marked_name,
                    legendgroup="marked",
                    showlegend=panel == 0,
                    marker=dict(size=18, symbol="star", color=HIGHLIGHT, line=dict(width=1.5, color="black")),
                    hovertemplate=f"{marked_name}<extra></extra>",
                ),
                row=row,
                col=col,
            )
    figure.update_xaxes(showticklabels=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, zeroline=False)
    figure.update_layout(
        height=panel_height * rows + 40,
        # Along the bottom: a column of 10 digits beside panels this short would scroll.
        legend=dict(title_text=tr("digit"), itemsizing="constant", orientation="h", x=0, y=0, yanchor="top"),
        margin=dict(l=10, r=10, t=40, b=50),
    )
    return figure


def separation_by_epoch_figure(
    accuracies: np.ndarray, layer_names: list[str], epoch: int | None = None, height: int = 300
) -> go.Figure:
    """k-nearest-neighbour accuracy of every layer against the epoch, one line per layer.

    Parameters
    ----------
    accuracies : array of shape (n_snapshots, n_layers), values 0-1; row 0 is before training
    layer_names : list of n_layers str
    epoch : int, optional
        The snapshot shown in the maps, marked with a vertical line.
    """
    accuracies = np.asarray(accuracies)
    epochs = np.arange(len(accuracies))
    figure = go.Figure()
    for column, name in enumerate(layer_names):
        figure.add_trace(
            go.Scatter(
                x=epochs,
                y=accuracies[:, column],
                mode="lines+markers",
                name=name,
                hovertemplate=name + "<br>" + tr("epoch %{x}: %{y:.1%}") + "<extra></extra>",
            )
        )
    if epoch is not None:
        figure.add_vline(x=epoch, line_dash="dot", line_color="grey")
    figure.update_xaxes(title_text=tr("epochs of training (0 = before)"), dtick=1)
    figure.update_yaxes(title_text=tr("5-NN accuracy"), tickformat=".0%")
    figure.update_layout(height=height, margin=dict(l=10, r=10, t=20, b=10), legend_title_text=tr("layer"))
    return figure
