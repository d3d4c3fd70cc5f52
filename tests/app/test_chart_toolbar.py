"""Plotly's toolbar stays off every chart's title: style_figure puts it down the right edge, in a margin."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from mnist_core.figures import data_figures, prediction_figures, sklearn_figures, training_figures
from ui.charts import MODEBAR_PX, NORMAL, PRESENTER, style_figure

EPOCHS = [{"epoch": 1, "loss": 1.0, "accuracy": 0.5, "val_loss": 1.1, "val_accuracy": 0.4}]
# Every kind of figure the app draws with a title, subplot titles or captions over its first row.
TITLED = {
    "digit heatmap": lambda: data_figures.digit_heatmap(np.zeros((28, 28)), "Raw pixels, 0-255"),
    "digit figure": lambda: prediction_figures.digit_figure(np.zeros((28, 28)), "Your digit"),
    "image grid": lambda: data_figures.image_grid(np.zeros((6, 28, 28)), titles=list("abcdef"), columns=3),
    "prediction grid": lambda: prediction_figures.image_grid_figure(np.zeros((4, 28, 28)), list("abcd")),
    "vector strip": lambda: data_figures.vector_strip(np.zeros(784)),
    "epoch curves": lambda: training_figures.epoch_curves_figure(EPOCHS),
    "weight histograms": lambda: prediction_figures.weight_histograms_figure(
        [("dense", np.linspace(-1, 1, 100)), ("dense_1", np.linspace(-1, 1, 50))]
    ),
    "tuning grid": lambda: sklearn_figures.grid_heatmap(
        np.full((2, 2), 0.9), [0.001, 0.01], ["(32,)", "(64,)"], title="Validation accuracy so far"
    ),
    "titled bar chart": lambda: go.Figure(go.Bar(y=[1, 2]), layout={"title": "A title", "margin": {"r": 0}}),
}


def has_title(figure: go.Figure) -> bool:
    return bool(figure.layout.title.text) or bool(figure.layout.annotations)


@pytest.mark.parametrize("fonts", [NORMAL, PRESENTER], ids=["normal", "presenter"])
@pytest.mark.parametrize("kind", list(TITLED))
def test_the_toolbar_goes_down_the_right_edge_in_a_margin_of_its_own(kind, fonts):
    figure = TITLED[kind]()
    assert has_title(figure)
    figure = style_figure(figure, fonts)
    assert figure.layout.modebar.orientation == "v"
    assert figure.layout.margin.r >= MODEBAR_PX


def test_a_wider_right_margin_than_the_toolbar_needs_is_kept():
    figure = go.Figure(go.Bar(y=[1]), layout={"title": "t", "margin": {"r": 120}})
    assert style_figure(figure, NORMAL).layout.margin.r == 120
    default = style_figure(go.Figure(go.Bar(y=[1]), layout={"title": "t"}), NORMAL)
    assert default.layout.margin.r == 80  # plotly's own default, already wider


def test_image_grids_leave_no_blank_band_above_their_captions_for_the_toolbar():
    """The toolbar no longer lies across the top, so a titled grid is as tall as an untitled one plus its captions."""
    titled = data_figures.image_grid(
        np.zeros((10, 28, 28)), titles=[f"mean {d}" for d in range(10)], columns=10
    )
    assert titled.layout.margin.t == 30  # one line of captions, nothing more
    bare = prediction_figures.image_grid_figure(np.zeros((4, 28, 28)))
    captioned = prediction_figures.image_grid_figure(np.zeros((4, 28, 28)), list("abcd"))
    assert captioned.layout.margin.t == bare.layout.margin.t
