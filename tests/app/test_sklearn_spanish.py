"""The scikit-learn & tuning page in Spanish after its trainings: results, tables and progress read in Spanish.

``test_spanish_pages`` sees the page before anything is trained; these train small runs (1,000 to
2,000 images, one or two passes) and look at what only a finished run shows.
"""

import time

import pytest
import streamlit as st
from page_texts import english_sentences, page_texts
from test_sklearn_page import finish, set_tiny_grid, small_settings

from mnist_core.i18n import in_language

PAGE = "app_pages/sklearn_tuning.py"


@pytest.fixture(autouse=True)
def fresh_results():
    st.cache_resource.clear()  # results are cached server-wide; each test must train its own


@pytest.fixture
def spanish_page(open_page):
    """The page in Spanish; the test runs in Spanish too, as AppTest formats a widget's options on its thread."""
    app = open_page(PAGE, session_state={"_language_chosen": "es"})
    assert app.session_state["_viewer_language"] == "es"
    with in_language("es"):
        yield app


def assert_spanish(app):
    left = english_sentences(page_texts(app))
    assert not left, f"still English: {left}"


def test_a_finished_training_reads_in_spanish(spanish_page):
    app = small_settings(spanish_page)
    assert app.selectbox(key="sklearn_samples").format_func(60_000) == "60.000"
    app.button(key="sklearn_train").click().run()
    finish(app, "sklearn_train_task")
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Parámetros"] == "39.760"
    assert "," in metrics["Exactitud de prueba"] and "." not in metrics["Exactitud de prueba"]
    assert any("de aciertos en las 1.000 imágenes" in caption.value for caption in app.caption)
    assert_spanish(app)


def test_the_training_thread_reports_its_progress_in_spanish(spanish_page):
    """The run's thread has no page: it writes in the language of the student who started it."""
    app = small_settings(spanish_page, samples=20_000, iterations=2)
    app.button(key="sklearn_train").click().run()
    task = app.session_state["sklearn_train_task"]
    messages = set()
    while not task.snapshot().is_over:
        messages.add(task.snapshot().message)
        time.sleep(0.005)
    progress = {message for message in messages if message not in ("Waiting to start", "Running")}
    assert any(message.startswith("Iteración 1 de 2 con 20.000 imágenes") for message in progress), messages
    assert not any("Iteration" in message or "Scoring" in message for message in progress)


def test_two_shapes_and_an_honest_grid_read_in_spanish(spanish_page):
    app = small_settings(spanish_page, iterations=1)
    app.button(key="sklearn_train_shapes").click().run()
    finish(app, "sklearn_shapes_task")
    compared = app.dataframe[1].value
    assert "neuronas ocultas" in compared.columns
    app = set_tiny_grid(app)
    assert any("4 redes, cada una entrenada con 1.600 imágenes" in caption.value for caption in app.caption)
    app.button(key="sklearn_grid_run").click().run()
    finish(app, "sklearn_grid_task")
    assert "se usó 1 vez, solo para la ganadora" in app.success[0].value
    assert (app.dataframe[-1].value["exactitud de prueba"] != "sin probar").sum() == 1
    assert_spanish(app)


def test_the_wrong_way_reads_in_spanish(spanish_page):
    app = set_tiny_grid(spanish_page, wrong_way=True)
    app.button(key="sklearn_grid_run").click().run()
    finish(app, "sklearn_grid_task")
    assert "La manera equivocada eligió" in app.warning[0].value
    assert_spanish(app)


def test_a_bad_setting_is_explained_in_spanish(spanish_page):
    app = spanish_page
    app.radio(key="sklearn_shape").set_value("type your own").run()
    app.text_input(key="sklearn_custom_sizes").input("(10,,a)").run()
    assert "la capa 2 está vacía" in app.error[0].value
    app.text_input(key="sklearn_grid_rates").input("0.01, -1").run()
    assert any("debe ser mayor que 0" in error.value for error in app.error)
    assert_spanish(app)


def test_keras_side_by_side_reads_in_spanish(spanish_page):
    app = small_settings(spanish_page, iterations=1)
    app.button(key="sklearn_keras_run").click().run()
    finish(app, "sklearn_keras_task")
    table = app.dataframe[-1].value
    assert list(table["biblioteca"]) == ["scikit-learn", "Keras"]
    assert_spanish(app)
