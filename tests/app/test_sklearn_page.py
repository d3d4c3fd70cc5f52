"""The scikit-learn & tuning page: bad input is explained, each section trains and shows its result."""

import pytest
import streamlit as st

PAGE = "app_pages/sklearn_tuning.py"


@pytest.fixture(autouse=True)
def fresh_results():
    st.cache_resource.clear()  # results are cached server-wide; each test must train its own


def finish(app, task_key):
    """Wait for the page's background task, then rerun so the page shows its result."""
    task = app.session_state[task_key]
    snapshot = task.join(120)
    assert snapshot.is_over and snapshot.state.value == "finished", snapshot.message
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return snapshot


def small_settings(app, samples=1_000, iterations=2):
    app.selectbox(key="sklearn_samples").set_value(samples)
    app.number_input(key="sklearn_max_iter").set_value(iterations)
    return app.run()


def test_defaults_are_lesson_sevens_call(open_page):
    app = open_page(PAGE)
    assert "MLPClassifier(hidden_layer_sizes=(50,), max_iter=10, random_state=1)" in app.code[0].value
    assert app.selectbox(key="sklearn_samples").value == 60_000
    assert not app.error


@pytest.mark.parametrize(
    "sizes, rate, message",
    [
        ("(10,,a)", "0.001", "layer 2 is empty"),
        ("(0,)", "0.001", "0 neurons"),
        ("(20, 10)", "0", "above 0"),
        ("(20, 10)", "-0.5", "above 0"),
        ("(20, 10)", "nan", "finite"),
    ],
)
def test_bad_settings_get_a_clear_message(open_page, sizes, rate, message):
    app = open_page(PAGE)
    app.radio(key="sklearn_shape").set_value("type your own").run()
    app.text_input(key="sklearn_custom_sizes").input(sizes)
    app.text_input(key="sklearn_learning_rate").input(rate).run()
    assert not app.exception
    assert len(app.error) == 1 and message in app.error[0].value
    keys = [button.key for button in app.button]
    assert "sklearn_train" not in keys and "sklearn_keras_run" not in keys  # nothing to train until fixed
    assert "sklearn_grid_run" in keys  # the grid has its own settings and still works


def test_custom_sizes_change_the_code_line(open_page):
    app = open_page(PAGE)
    app.radio(key="sklearn_shape").set_value("type your own").run()
    app.text_input(key="sklearn_custom_sizes").input("(32, 16)").run()
    assert "hidden_layer_sizes=(32, 16)" in app.code[0].value


def test_train_shows_accuracies_and_the_same_settings_reuse_the_result(open_page):
    app = small_settings(open_page(PAGE))
    app.button(key="sklearn_train").click().run()
    snapshot = finish(app, "sklearn_train_task")
    assert len(snapshot.detail["loss_curve"]) == 2
    metrics = {metric.label: metric.value for metric in app.metric}
    assert 0.3 < float(metrics["Test accuracy"]) < 1
    assert metrics["Parameters"] == f"{784 * 50 + 50 + 50 * 10 + 10:,}"
    first_task = app.session_state["sklearn_train_task"]
    app.button(key="sklearn_train").click().run()  # same settings: shown from the cache, no new run
    assert app.session_state["sklearn_train_task"] is first_task
    assert "Test accuracy" in [metric.label for metric in app.metric]


def test_two_shapes_count_and_compare(open_page):
    app = small_settings(open_page(PAGE), iterations=1)
    table = app.dataframe[0].value
    totals = table.groupby("network")["parameters"].sum()
    assert totals["(50,)"] == 39_760 and totals["(10, 10, 10, 10, 10)"] == 8_400
    app.button(key="sklearn_train_shapes").click().run()
    finish(app, "sklearn_shapes_task")
    compared = app.dataframe[1].value
    assert list(compared["hidden_layer_sizes"]) == ["(50,)", "(10, 10, 10, 10, 10)"]
    assert list(compared["hidden neurons"]) == [50, 50]


def set_tiny_grid(app, wrong_way=False):
    app.text_input(key="sklearn_grid_rates").input("0.001, 0.01")
    app.text_input(key="sklearn_grid_sizes").input("(8,), (16,)")
    app.selectbox(key="sklearn_grid_samples").set_value(2_000)
    app.number_input(key="sklearn_grid_max_iter").set_value(2)
    app.toggle(key="sklearn_grid_wrong_way").set_value(wrong_way)
    return app.run()


def test_honest_grid_uses_the_test_set_once(open_page):
    app = set_tiny_grid(open_page(PAGE))
    assert any("4 networks, each trained on 1,600 images" in caption.value for caption in app.caption)
    app.button(key="sklearn_grid_run").click().run()
    finish(app, "sklearn_grid_task")
    assert "used 1 time, for the winner only" in app.success[0].value
    table = app.dataframe[-1].value
    assert (table["test accuracy"] != "not tested").sum() == 1
    assert (
        table.loc[table["picked"] == "★", "validation accuracy"].item() == table["validation accuracy"].max()
    )


def test_wrong_way_shows_optimistic_and_honest_scores(open_page):
    app = set_tiny_grid(open_page(PAGE), wrong_way=True)
    app.button(key="sklearn_grid_run").click().run()
    finish(app, "sklearn_grid_task")
    labels = [metric.label for metric in app.metric]
    assert "Reported score (picked by test)" in labels and "Honest score (picked by validation)" in labels
    assert app.metric[2].value == "4"
    table = app.dataframe[-1].value
    test_accuracy = table["test accuracy"].astype(float)  # every network was scored on the test set
    assert test_accuracy[table["picked"] == "★"].item() == test_accuracy.max()


def test_bad_grid_input_is_explained(open_page):
    app = open_page(PAGE)
    app.text_input(key="sklearn_grid_rates").input("0.01, -1").run()
    assert any("above 0" in error.value for error in app.error)
    app.text_input(key="sklearn_grid_rates").input("0.01")
    app.text_input(key="sklearn_grid_sizes").input("(10,), 50").run()
    assert any("in brackets" in error.value for error in app.error)


def test_keras_and_sklearn_side_by_side(open_page):
    app = small_settings(open_page(PAGE), iterations=1)
    app.button(key="sklearn_keras_run").click().run()
    finish(app, "sklearn_keras_task")
    table = app.dataframe[-1].value
    assert list(table["framework"]) == ["scikit-learn", "Keras"]
    assert list(table["passes over the data"]) == [1, 1]
    assert (table["test accuracy"] > 0.15).all()  # better than guessing after 5 updates


def test_both_shapes_reuse_the_run_the_train_tab_made(open_page):
    app = small_settings(open_page(PAGE), iterations=1)
    app.button(key="sklearn_train").click().run()
    trained = finish(app, "sklearn_train_task").result
    app.button(key="sklearn_train_shapes").click().run()
    wide, narrow = finish(app, "sklearn_shapes_task").result
    assert wide.train_seconds == trained.train_seconds  # sent to the job, not trained again
    assert narrow.settings.hidden_layer_sizes == (10, 10, 10, 10, 10)


def test_a_stopped_training_says_so_and_shows_no_scores(open_page):
    app = open_page(PAGE)  # all 60,000 images, 10 passes: far longer than this test
    app.button(key="sklearn_train").click().run()
    task = app.session_state["sklearn_train_task"]
    task.stop()
    assert task.join(60).state.value == "stopped"
    app.run()
    assert not app.exception
    assert "Test accuracy" not in [metric.label for metric in app.metric]
    assert any(bar.text.startswith("Stopped") for bar in app.get("progress"))
