"""One step by numbers, and Build & Train's network diagram, layer table and script, through app.py."""

import json
import time

import numpy as np

from mnist_core.inspect.network_diagram import SHOWN_PIXELS
from mnist_core.landscape.one_step import initial_model

PAGE = "app_pages/one_step.py"
BUILD = "app_pages/build_and_train.py"


def chart(app, key, seconds: float = 60.0):
    """The chart under ``key``; the page is run again until it is there (the network diagram's
    initial weights come from a worker, and the page draws the diagram once they have arrived)."""
    deadline = time.monotonic() + seconds
    while True:
        element = next((e for e in app.get("plotly_chart") if e.proto.id.endswith(f"-{key}")), None)
        if element is not None:
            return json.loads(element.proto.spec), element.proto.alt
        assert time.monotonic() < deadline, f"no chart {key} after {seconds:g} s"
        time.sleep(0.2)
        app.run()


def markdown_with(app, text):
    return next(m.value for m in app.markdown if text in m.value)


def test_the_page_follows_one_weight_of_the_build_and_train_network(open_page):
    app = open_page(PAGE)
    first = markdown_with(app, "tf.GradientTape")
    assert "hidden_1.kernel[350, 3]" in first
    weight = initial_model(
        __import__("mnist_core.engine.spec", fromlist=["ModelSpec"]).ModelSpec(), 42
    ).get_weights()[0][350, 3]
    assert f"{weight:+.6f}" in first  # the engine's initial weight for seed 42
    captions = " ".join(c.value for c in app.caption)
    assert "By backpropagation, by hand" in captions
    assert app.subheader[3].value == "4 · The update: RMSProp"
    app.number_input(key="step_unit").set_value(5).run()
    assert "hidden_1.kernel[350, 5]" in markdown_with(app, "tf.GradientTape")
    # The output layer: fewer inputs, so the pixel index is brought into range.
    app.selectbox(key="step_layer").set_value(1).run()
    assert not app.exception
    assert app.number_input(key="step_input").value < 32
    assert "output.kernel[" in markdown_with(app, "tf.GradientTape")
    race = next(e.proto for e in app.get("page_link") if e.proto.page == "loss_surface")
    assert "surface_lr_rmsprop=0.001" in race.query_string and "surface_show_adam=false" in race.query_string
    assert "surface_show_rmsprop" not in race.query_string  # the student's optimizer races, beside SGD


def test_the_network_comes_from_build_and_train_and_its_link(open_page):
    app = open_page(BUILD)
    app.radio(key="train_optimizer").set_value("sgd").run()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert app.subheader[3].value == "4 · The update: SGD"
    # The page's link names the network from its next run on (Build & Train's binding is gone by then).
    app.run()
    assert app.query_params["train_optimizer"] == "SGD"
    assert "η x g" in " ".join(c.value for c in app.caption)


def test_the_confidence_control_shows_how_a_confident_wrong_answer_is_punished(open_page):
    app = open_page(PAGE)
    app.slider(key="step_confidence").set_value(0.01).run()
    assert "Loss **4.61**" in markdown_with(app, "Loss **")
    figure, alt = chart(app, "step_loss_curve")
    assert "loss 4.61 at p = 0.010" in alt
    assert (
        figure["data"][2]["y"][0] == np.float64(-np.log(0.01)).round(12)
        or abs(figure["data"][2]["y"][0] - 4.605) < 1e-3
    )


def test_a_convnet_step_follows_a_filter_weight(open_page):
    app = open_page(BUILD)
    app.radio(key="train_architecture").set_value("convnet").run()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert "conv.kernel[" in markdown_with(app, "tf.GradientTape")
    assert not any("By backpropagation" in c.value for c in app.caption)  # the tape only, said by omission


def test_the_diagram_follows_the_sliders_and_the_layer_table_has_pooling_and_flatten(open_page):
    app = open_page(BUILD)
    figure, alt = chart(app, "train_network_diagram")
    assert "784 - 32 - 10 dense network, initial weights (seed 42)" in alt
    assert "Drawn: 16 of 784 inputs" in " ".join(a["text"] for a in figure["layout"]["annotations"])
    app.select_slider(key="train_units_0").set_value(512).run()
    figure, alt = chart(app, "train_network_diagram")
    assert "16 of 512 units in hidden layer 1" in alt
    app.radio(key="train_architecture").set_value("convnet").run()
    figure, alt = chart(app, "train_network_diagram")
    assert "MaxPooling2D (2 x 2) (batch, 13, 13, 32), 0 parameters" in alt
    table = app.dataframe[0].value
    assert list(table["layer"]) == [
        "Input", "Conv2D 32", "MaxPooling2D", "Flatten", "Dense 100", "Dense 10 (output)"
    ]  # fmt: skip
    assert "Flatten (batch, 5408)" in alt  # the shapes are drawn in the diagram, not the table
    script = next(c.value for c in app.code if "def build_model" in c.value)
    assert "layers.Conv2D(32, (3, 3)" in script and "keras.optimizers.SGD" not in script  # still RMSProp


def _train_until_the_diagram_has_an_epoch(app):
    """Press Train and wait until the run's first epoch has reached the diagram: (task, deadline)."""
    app.button(key="train_start").click().run()
    task = app.session_state["train_task"]
    deadline = time.monotonic() + 300
    while task.snapshot().detail.get("diagram_epoch") is None:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return task, deadline


def test_the_diagram_shows_the_trained_weights_after_training(open_page):
    app = open_page(BUILD)
    app.slider(key="train_epochs").set_value(3).run()
    before, _ = chart(app, "train_network_diagram")
    task, deadline = _train_until_the_diagram_has_an_epoch(app)
    if not task.snapshot().is_over:  # mid-run: the diagram shows the epoch just finished
        app.run()
        _, alt = chart(app, "train_network_diagram")
        assert "after epoch" in alt and "of this run" in alt, alt
    while not task.snapshot().is_over:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    app.run()
    after, alt = chart(app, "train_network_diagram")
    assert "after training (epoch 3, its last)" in alt
    trained = task.snapshot().result.weight_history[-1][0]  # the weights after the last epoch
    shown = np.concatenate([t["y"] for t in after["data"] if t.get("mode") == "lines"], axis=None)
    assert before != after
    assert task.snapshot().detail["diagram_weights"].kernels[0].shape == (len(SHOWN_PIXELS), 16)
    assert np.array_equal(
        task.snapshot().detail["diagram_weights"].kernels[0],
        trained[np.ix_(SHOWN_PIXELS, np.unique(np.linspace(0, 31, 16).round().astype(int)))],
    )
    assert len(shown)


def test_the_diagram_of_a_stopped_run_says_where_it_stopped(open_page):
    app = open_page(BUILD)
    app.slider(key="train_epochs").set_value(30).run()
    task, deadline = _train_until_the_diagram_has_an_epoch(app)
    task.stop()
    while not task.snapshot().is_over:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    app.run()
    _, alt = chart(app, "train_network_diagram")
    epoch = task.snapshot().detail["diagram_epoch"]
    assert f"after epoch {epoch}, where the run was stopped" in alt, alt
    assert "its last" not in alt
