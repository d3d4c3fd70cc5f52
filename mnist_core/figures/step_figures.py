"""Plotly figures of one training step: the cross-entropy curve. Pure: numbers in, Figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from mnist_core.figures.prediction_figures import DIVERGING, image_grid_figure
from mnist_core.i18n import number, tr
from mnist_core.landscape.one_step import LOSS_EPSILON

CATEGORICAL = "#4b3fd6"
BINARY_OTHER = "#e4572e"


def cross_entropy_figure(probability: float) -> go.Figure:
    """-ln p against p, the probability given to the true class, with the point at ``probability``.

    The dashed curve is binary cross-entropy's other half, -ln(1 - p): the loss when the true class
    is 0 and the network says 1 with probability p.
    """
    p = np.linspace(0.001, 0.999, 400)
    here = min(max(probability, LOSS_EPSILON), 1 - LOSS_EPSILON)
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=p,
            y=-np.log(p),
            mode="lines",
            name=tr("true class: −ln p"),
            line={"color": CATEGORICAL, "width": 2.5},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=p,
            y=-np.log(1 - p),
            mode="lines",
            name=tr("binary, true class 0: −ln(1 − p)"),
            line={"color": BINARY_OTHER, "width": 1.5, "dash": "dash"},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[here],
            y=[-np.log(here)],
            mode="markers+text",
            marker={"size": 12, "color": CATEGORICAL},
            text=[tr("p = {p}: loss {loss}").format(p=number(here), loss=number(-np.log(here), 2))],
            textposition="top right" if here < 0.6 else "top left",
            showlegend=False,
        )
    )
    figure.update_layout(
        title={"text": tr("Loss of one image: −ln p")},
        xaxis={"title": {"text": tr("probability the network gives the true class, p")}, "range": [0, 1]},
        yaxis={"title": {"text": tr("loss")}, "range": [0, 7.5]},
        legend={"x": 0.3, "y": 0.98, "bgcolor": "rgba(0,0,0,0)"},
        height=340,
        margin={"t": 50, "b": 10},
    )
    return figure


def unit_weights_figure(values: np.ndarray, title: str) -> go.Figure:
    """A first-layer unit's 784 weights (or their change) as one 28 x 28 image on a signed colour scale."""
    figure = image_grid_figure(
        np.asarray(values).reshape(1, 28, 28),
        [title],
        columns=1,
        colorscale=DIVERGING,
        symmetric=True,
        tile_px=230,
    )
    return figure.update_traces(colorbar_title_text=tr("blue +, red −"))
