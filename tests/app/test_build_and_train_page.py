import time

import pytest

from mnist_core.jobs.tasks import TaskState

PAGE = "app_pages/build_and_train.py"


def metric_values(app) -> dict:
    return {metric.label: metric.value for metric in app.metric}


def wait_until_over(app, seconds: float = 180):
    task = app.session_state["train_task"]
    deadline = time.monotonic() + seconds
    while not task.snapshot().is_over:
        assert time.monotonic() < deadline, "training did not end in time"
        time.sleep(0.5)
    app.run()
    return task.snapshot()


def test_defaults_are_the_first_network(open_page):
    app = open_page(PAGE)
    assert metric_values(app)["Gradient updates per epoch"] == "430"
    assert "784-32-10 relu, rmsprop lr 0.001" in app.markdown[0].value
    table = app.dataframe[0].value
    assert table["parameters"].tolist() == [0, 25_120, 330]  # the Input row first


def test_batch_size_changes_the_gradient_updates_shown(open_page):
    app = open_page(PAGE)
    app.radio(key="train_validation").set_value("test").run()
    app.number_input(key="train_batch_size").set_value(10).run()
    app.slider(key="train_epochs").set_value(2).run()
    assert metric_values(app)["Gradient updates per epoch"] == "6,000"
    assert any("**12,000 updates**" in caption.value for caption in app.caption)


def test_presets_set_every_control(open_page):
    app = open_page(PAGE)
    app.selectbox(key="train_preset").set_value("deeper-network").run()
    assert app.slider(key="train_layers").value == 2
    assert app.select_slider(key="train_units_1").value == 512
    assert app.slider(key="train_dropout_0").value == pytest.approx(0.2)
    app.selectbox(key="train_preset").set_value("convnet").run()
    assert app.radio(key="train_optimizer").value == "sgd"
    assert "convnet 32x3x3-100-10" in app.markdown[0].value
    assert app.dataframe[0].value["parameters"].sum() == 542_230


def test_a_very_long_run_is_estimated_and_must_be_confirmed(open_page, monkeypatch):
    monkeypatch.setenv("MNIST_MAX_RUN_SECONDS", "0")  # no cap on this server: long runs are only confirmed
    app = open_page(PAGE)
    # Two wide layers: far past the confirmation threshold whatever this machine's measured speed.
    app.slider(key="train_layers").set_value(2).run()
    app.select_slider(key="train_units_0").set_value(1024).run()
    app.select_slider(key="train_units_1").set_value(1024).run()
    app.number_input(key="train_batch_size").set_value(1).run()
    app.slider(key="train_epochs").set_value(50).run()
    assert "minutes here" in app.warning[0].value
    assert app.button(key="train_start").disabled
    app.checkbox(key="train_confirm_long").check().run()
    assert not app.button(key="train_start").disabled


def test_training_runs_in_the_background_and_shows_the_evaluation(open_page):
    app = open_page(PAGE)
    app.slider(key="train_epochs").set_value(1).run()
    app.button(key="train_start").click().run()
    assert not app.exception
    app.slider(key="train_layers").set_value(3).run()  # touching a widget must not stop the run
    snapshot = wait_until_over(app)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    metrics = metric_values(app)
    assert float(metrics["Test accuracy"]) > 0.85
    assert app.session_state["train_runs"][0].result.spec.hidden_units == (32,)
    assert any("correctly classified" in caption.value for caption in app.caption)

    # A second run appears beside the first for comparison.
    app.button(key="train_start").click().run()
    wait_until_over(app)
    assert len(app.session_state["train_runs"]) == 2
    assert app.radio(key="train_compare_metric").value == "val_accuracy"


def test_a_diverging_run_is_explained(open_page):
    app = open_page(PAGE)
    app.select_slider(key="train_learning_rate").set_value(10.0).run()
    app.slider(key="train_epochs").set_value(1).run()
    app.button(key="train_start").click().run()
    snapshot = wait_until_over(app)
    assert snapshot.state == TaskState.FAILED
    assert any("loss exploded" in error.value for error in app.error)


def test_settings_survive_a_visit_to_another_page(open_page):
    app = open_page(PAGE)
    app.slider(key="train_layers").set_value(3).run()
    app.select_slider(key="train_units_2").set_value(784).run()
    app.switch_page("app_pages/home.py").run()
    app.switch_page(PAGE).run()
    assert app.slider(key="train_layers").value == 3
    assert app.select_slider(key="train_units_2").value == 784
    assert not app.exception
