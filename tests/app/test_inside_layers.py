"""AppTest of Inside the network's tabs 2 and 3: every layer's map of the test digits, epoch by epoch,
and one image's tensors, with the shipped models and with a session's run."""

import numpy as np
import pytest
from lazy_tabs import open_lazy_tab

from app_pages.inside_the_network_ui import inside_layers
from mnist_core.data.mnist import load_mnist
from mnist_core.data.projections import subset_indices
from mnist_core.engine.default_model import load_shipped, load_shipped_history
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import train
from mnist_core.inspect.representations import uncrumpling
from mnist_core.jobs.model_jobs import ModelRef
from mnist_core.jobs.tasks import TaskState
from ui import model_choice
from ui.links import INSIDE_TABS
from ui.model_choice import YOUR_DIGIT_KEY
from ui.results import keep, server_results
from ui.training_runs import RUNS_KEY, FinishedRun

INSIDE = "app_pages/inside_the_network.py"
TABS = "inside_section"


@pytest.fixture(scope="module")
def sample():
    _, (x_test, y_test) = load_mnist()
    indices = subset_indices(len(y_test), 2000, 0)
    return x_test[indices], y_test[indices]


@pytest.fixture(scope="module")
def session_run():
    """A small run of this 'session': 784-16-10 trained for two epochs on 1,200 images, history kept."""
    spec = ModelSpec(hidden_units=(16,), dropout=(0.0,))
    result = train(spec, TrainConfig(epochs=2, batch_size=64, train_limit=1200, validation_size=200))
    return FinishedRun(1, result, {"update": [], "loss": [], "accuracy": []}, TaskState.FINISHED)


def metrics(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_the_trace_is_the_first_tab_and_the_maps_are_the_second(open_page, sample):
    app = open_page(INSIDE)
    assert app.session_state[TABS] == INSIDE_TABS[0]
    assert "The input" in [h.value for h in app.header]
    assert "pixels" not in metrics(app)  # the maps do not run while their tab is closed

    open_lazy_tab(app, TABS, INSIDE_TABS[1])
    assert "Layer by layer, the network uncrumples the digits" in [h.value for h in app.header]
    assert "The input" not in [h.value for h in app.header]
    # The shipped first network has a history: the slider starts after its last (5th) epoch.
    epoch = app.slider(key="inside_epoch")
    assert (epoch.min, epoch.max, epoch.value) == (0, 5, 5)
    history = load_shipped_history()
    expected = uncrumpling(load_shipped("default"), *sample, history[5])
    shown = metrics(app)
    assert list(shown) == ["pixels", "hidden_1", "output"]
    assert [shown[m.name] for m in expected] == [f"{m.knn_accuracy:.1%}" for m in expected]
    assert expected[2].knn_accuracy > expected[0].knn_accuracy  # the classes separate, layer by layer
    alts = [chart.proto.alt for chart in app.get("plotly_chart")]
    assert any("hidden_1 " + f"{expected[1].knn_accuracy:.1%}" in alt for alt in alts), alts

    epoch.set_value(0).run()
    assert not app.exception
    untrained = uncrumpling(load_shipped("default"), *sample, history[0])
    assert metrics(app)["output"] == f"{untrained[2].knn_accuracy:.1%}"
    assert untrained[2].knn_accuracy < expected[2].knn_accuracy
    assert any("before training" in text.value for text in app.markdown)


def test_the_maps_of_a_session_run_follow_its_epochs_and_show_your_digit(open_page, session_run, sample):
    x_test = load_mnist()[1][0]
    state = {RUNS_KEY: [session_run], YOUR_DIGIT_KEY: {"digit": x_test[0], "source": "your drawing"}}
    app = open_page(INSIDE, state)
    assert app.selectbox(key="model").value == "run-1"
    open_lazy_tab(app, TABS, INSIDE_TABS[1])
    assert app.slider(key="inside_epoch").max == 2
    app.slider(key="inside_epoch").set_value(1).run()
    expected = uncrumpling(session_run.model(), *sample, session_run.result.weight_history[1])
    assert metrics(app)["hidden_1"] == f"{expected[1].knn_accuracy:.1%}"
    assert any("The star is your digit." in caption.value for caption in app.caption)
    figure = app.get("plotly_chart")[0].proto.spec
    assert '"your digit"' in figure and '"star"' in figure


def test_the_convnet_maps_skip_the_wide_convolution_and_t_sne_waits_for_a_button(open_page):
    app = open_page(INSIDE)
    app.selectbox(key="model").set_value("default-convnet").run()
    open_lazy_tab(app, TABS, INSIDE_TABS[1])
    assert list(metrics(app)) == ["pixels", "pool", "hidden_1", "output"]
    assert "inside_epoch" not in [slider.key for slider in app.slider]  # the convnet ships without a history
    assert any("Left out for size: conv (21,632 values)" in caption.value for caption in app.caption)
    app.radio(key="inside_projection").set_value("t-SNE").run()
    assert not app.exception
    app.button(key="inside_tsne_start").click().run()
    task = app.session_state["inside_tsne_task"]
    assert task.name == "t-SNE of 1,000 digits in every layer"
    task.stop()  # it ends at its next checkpoint; the unit tests check the maps themselves
    # Maps in the server-wide cache are drawn at once, without a button.
    maps = {name: np.zeros((1000, 2)) for name in ("pixels", "pool", "hidden_1", "output")}
    keep("inside.uncrumpling_tsne", ModelRef.of_shipped("default-convnet").fingerprint, result=maps)
    assert inside_layers._tsne_maps(ModelRef.of_shipped("default-convnet")).keys() == maps.keys()
    app.run()
    assert app.get("plotly_chart")[0].proto.alt.startswith("t-SNE maps of 1,000 test digits at every layer")
    assert not [button for button in app.button if button.key == "inside_tsne_start"]
    server_results().forget("inside.uncrumpling_tsne")  # the zeros are no map for the tests that follow


def test_the_tensor_shapes_of_the_convnet_and_of_a_dense_network(open_page):
    app = open_page(INSIDE)
    open_lazy_tab(app, TABS, INSIDE_TABS[2])
    table = app.dataframe[0].value
    assert list(table["output shape"]) == ["(1, 784)", "(1, 784)", "(1, 32)", "(1, 10)"]
    assert any("This model's tensors are 2-D" in info.value for info in app.info)

    app.button(key="inside_tensors_convnet").click().run()
    assert not app.exception
    assert app.selectbox(key="model").value == "default-convnet"
    app.number_input(key="inside_test_index").set_value(4).run()
    table = app.dataframe[0].value
    convnet = load_shipped("default-convnet")
    expected = [str((1, *layer.output.shape[1:])) for layer in convnet.layers]
    assert list(table["output shape"])[-len(expected) :] == expected
    assert "(1, 26, 26, 32)" in list(table["output shape"]) and "(1, 13, 13, 32)" in list(
        table["output shape"]
    )
    assert [chart.proto.alt.split(" ")[1:3] for chart in app.get("plotly_chart")][-2:] == [
        ["feature", "maps"],
        ["same", "16"],
    ]
    assert any("4x fewer numbers (21,632 to 5,408)" in caption.value for caption in app.caption)


def test_the_input_outlives_a_closed_tab(open_page):
    app = open_page(INSIDE)
    app.number_input(key="inside_test_index").set_value(12).run()
    open_lazy_tab(app, TABS, INSIDE_TABS[2])
    assert app.number_input(key="inside_test_index").value == 12
    open_lazy_tab(app, TABS, INSIDE_TABS[0])
    assert app.number_input(key="inside_test_index").value == 12
    np.testing.assert_equal(app.session_state["inside_test_index"], 12)


def test_following_a_digit_inside_opens_its_trace_even_from_another_tab(open_page):
    x_test = load_mnist()[1][0]
    app = open_page(INSIDE, {YOUR_DIGIT_KEY: {"digit": x_test[1], "source": "your drawing"}})
    open_lazy_tab(app, TABS, INSIDE_TABS[2])
    app.session_state[model_choice._FOLLOWED] = True  # what follow_digit_inside sets before it switches page
    app.run()
    assert not app.exception
    assert app.session_state[TABS] == INSIDE_TABS[0]
    assert app.radio(key="inside_source").value == "Your digit"
    assert "The input" in [h.value for h in app.header]
