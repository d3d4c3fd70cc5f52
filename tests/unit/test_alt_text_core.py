"""Text alternatives read off a figure: what it shows, with its numbers."""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mnist_core.figures.alt_text import describe_figure
from mnist_core.figures.prediction_figures import confusion_figure, image_grid_figure, probabilities_figure
from mnist_core.figures.training_figures import epoch_curves_figure
from mnist_core.i18n import in_language


def test_a_curve_says_which_way_it_went_with_its_first_and_last_values():
    figure = go.Figure(
        go.Scatter(x=[1, 2, 3, 4, 5], y=[0.91, 0.93, 0.94, 0.95, 0.951], name="validation accuracy")
    )
    figure.update_layout(title="Accuracy per epoch")
    text = describe_figure(figure)
    assert text.startswith("Accuracy per epoch.")
    assert "validation accuracy: rose from 0.91 to 0.951 over 5 points, x from 1 to 5" in text


def test_a_curve_that_dips_also_gives_its_lowest_value():
    text = describe_figure(go.Figure(go.Scatter(y=[2.0, 0.5, 1.0], name="loss")))
    assert "loss: fell from 2 to 1 over 3 points (lowest 0.5, highest 2)" in text


def test_each_series_is_named_by_its_panel_in_a_figure_with_subplots():
    epochs = [
        {"epoch": e, "loss": 1 / e, "val_loss": 0.3, "accuracy": 0.9, "val_accuracy": 0.9 + e / 100}
        for e in (1, 2, 3)
    ]
    text = describe_figure(epoch_curves_figure(epochs))
    assert "Loss per epoch, training: fell from 1 to 0.333 over 3 points" in text
    assert "Accuracy per epoch, validation: rose from 0.91 to 0.93 over 3 points" in text


def test_bars_are_read_out_with_their_labels():
    probabilities = np.full(10, 0.01)
    probabilities[7] = 0.91
    text = describe_figure(probabilities_figure(probabilities))
    assert "7: 0.91" in text and "0: 0.01" in text
    assert "y axis: probability" in text


def test_a_heatmap_reports_the_numbers_written_in_its_cells_not_its_colour_scale():
    confusion = np.diag(np.arange(10) * 100 + 50)
    text = describe_figure(confusion_figure(confusion))  # coloured by log(1 + count)
    assert "a grid of 10 x 10 values from 0 to 950" in text


def test_a_grid_of_digits_lists_its_captions():
    text = describe_figure(
        image_grid_figure(np.zeros((4, 28, 28), np.uint8), ["a 1", "a 7", "a 3", "a 0"], columns=2)
    )
    assert "captions: a 1; a 7; a 3; a 0" in text


def test_many_series_are_counted_beyond_the_first_six():
    figure = make_subplots()
    for n in range(9):
        figure.add_trace(go.Scatter(y=[n, n + 1], name=f"run {n}"))
    text = describe_figure(figure)
    assert "run 5:" in text and "run 6:" not in text
    assert "and 3 more series" in text


def test_an_empty_live_chart_says_it_has_no_values_yet():
    assert "training loss: no values yet" in describe_figure(
        go.Figure(go.Scatter(y=[], name="training loss"))
    )


# --- in Spanish: the sentences and the numbers are Spanish, the figure's own texts are its builder's ---


def test_a_curve_is_described_in_spanish_with_decimal_commas():
    figure = go.Figure(go.Scatter(x=[1, 2, 3, 4, 5], y=[0.91, 0.93, 0.94, 0.95, 0.951], name="exactitud"))
    with in_language("es"):
        text = describe_figure(figure)
    assert text.startswith("Gráfico.")  # no title: the word for a chart, in Spanish
    assert "exactitud: subió de 0,91 a 0,951 en 5 puntos, x de 1 a 5" in text


def test_a_dipping_curve_in_spanish_gives_its_lowest_and_highest_values():
    with in_language("es"):
        text = describe_figure(go.Figure(go.Scatter(y=[2.0, 0.5, 1.0], name="pérdida")))
    assert "pérdida: bajó de 2 a 1 en 3 puntos (mínimo 0,5, máximo 2)" in text


def test_spanish_numbers_group_thousands_with_a_point_and_keep_three_significant_digits():
    figure = go.Figure(go.Bar(x=["a", "b", "c"], y=[1500.0, 60000.0, 0.000012]))
    with in_language("es"):
        text = describe_figure(figure)
    assert "barras a: 1.500, b: 60.000, c: 1,2e-05" in text
    assert "bars a: 1,500, b: 60,000, c: 1.2e-05" in describe_figure(figure)  # English as before


def test_a_heatmap_and_its_axes_in_spanish():
    confusion = np.diag(np.arange(10) * 100 + 50)
    with in_language("es"):
        text = describe_figure(confusion_figure(confusion))
    assert "una cuadrícula de 10 x 10 valores de 0 a 950" in text
    assert "eje x: " in text and "eje y: " in text


def test_many_series_in_spanish_are_counted():
    figure = make_subplots()
    for n in range(9):
        figure.add_trace(go.Scatter(y=[n, n + 1], name=f"run {n}"))
    with in_language("es"):
        text = describe_figure(figure)
    assert "y 3 series más" in text


def test_no_english_sentence_is_left_in_a_spanish_alt_text():
    epochs = [
        {"epoch": e, "loss": 1 / e, "val_loss": 0.3, "accuracy": 0.9, "val_accuracy": 0.9 + e / 100}
        for e in (1, 2, 3)
    ]
    english = describe_figure(epoch_curves_figure(epochs))
    with in_language("es"):
        spanish = describe_figure(epoch_curves_figure(epochs))
    for word in (" rose ", " fell ", " over ", " points", "axis"):
        assert word in english and word not in spanish
