"""Lesson 7's figures show the numbers they are given."""

import math

import numpy as np

from mnist_core.figures.sklearn_figures import framework_figure, grid_heatmap, loss_curves_figure


def test_loss_curves_plot_one_point_per_iteration():
    figure = loss_curves_figure({"(50,)": [0.9, 0.5, 0.3], "(10, 10, 10, 10, 10)": [1.5, 1.0]})
    assert [trace.name for trace in figure.data] == ["(50,)", "(10, 10, 10, 10, 10)"]
    assert list(figure.data[0].x) == [1, 2, 3] and list(figure.data[0].y) == [0.9, 0.5, 0.3]


def test_heatmap_cells_hold_the_accuracies_and_mark_the_winner():
    matrix = np.array([[0.9, 0.95], [math.nan, 0.1]])
    figure = grid_heatmap(matrix, [0.001, 0.5], ["(10,)", "(50,)"], winner=(0, 1))
    heat = figure.data[0]
    np.testing.assert_array_equal(np.asarray(heat.z, dtype=float), matrix)
    assert list(heat.y) == ["lr 0.001", "lr 0.5"] and list(heat.x) == ["(10,)", "(50,)"]
    assert heat.text[0][1] == "0.9500 ★" and heat.text[0][0] == "0.9000"
    assert heat.text[1][0] == "—"
    frame = figure.layout.shapes[0]
    assert (frame.x0, frame.x1, frame.y0, frame.y1) == (0.5, 1.5, -0.5, 0.5)


def test_framework_figure_shows_accuracy_and_time_per_framework():
    figure = framework_figure(["scikit-learn", "Keras"], [0.96, 0.97], [30.0, 12.5])
    accuracy, seconds = figure.data
    assert list(accuracy.x) == ["scikit-learn", "Keras"] and list(accuracy.y) == [0.96, 0.97]
    assert list(seconds.text) == ["30.0 s", "12.5 s"]
