"""AppTest of the Predictions and Inside the network pages, with the default, a trained and an uploaded model."""

import re

import keras
import numpy as np
import pytest

from mnist_core.data.mnist import load_mnist
from mnist_core.engine.default_model import load_default_model
from mnist_core.engine.models import model_to_bytes, to_model_inputs
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import train
from mnist_core.jobs.tasks import TaskState
from ui.model_choice import YOUR_DIGIT_KEY
from ui.training_runs import RUNS_KEY, UPLOADED_MODEL_KEY, FinishedRun, UploadedModel

PREDICTIONS = "app_pages/predictions.py"
INSIDE = "app_pages/inside_the_network.py"


@pytest.fixture(scope="module")
def mnist_arrays():
    return load_mnist()


@pytest.fixture(scope="module")
def session_run():
    """A small run of this 'session': 784-16-10 trained for one epoch on 1,200 images."""
    spec = ModelSpec(hidden_units=(16,), dropout=(0.0,))
    result = train(spec, TrainConfig(epochs=1, batch_size=64, train_limit=1200, validation_size=200))
    return FinishedRun(1, result, {"update": [], "loss": [], "accuracy": []}, TaskState.FINISHED)


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def plotly_specs(app) -> list[str]:
    return [element.proto.spec for element in app.get("plotly_chart")]


def test_predictions_first_visit_evaluates_the_default_model(open_page):
    app = open_page(PREDICTIONS)
    assert any("Showing **Default: first network" in caption for caption in texts(app.caption))
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Test accuracy"] == "0.9559"  # what the command line measured when it trained it
    assert any("9,559 correctly classified, 441 incorrectly" in text for text in texts(app.markdown))
    assert any("Draw one digit, large" in text for text in texts(app.info))

    before = plotly_specs(app)
    app.button(key="predictions_new_draw").click().run()
    assert not app.exception
    after = plotly_specs(app)
    assert before[0] != after[0] and before[1] != after[1]  # nine new correct and nine new incorrect


def test_a_confusion_cell_shows_its_images(open_page, mnist_arrays):
    _, (x_test, y_test) = mnist_arrays
    model = load_default_model()
    predicted = model.predict(to_model_inputs(model, x_test), verbose=0, batch_size=1000).argmax(axis=1)
    expected = int(((y_test == 4) & (predicted == 9)).sum())
    app = open_page(PREDICTIONS)
    app.selectbox(key="predictions_cell_true").set_value(4).run()
    app.selectbox(key="predictions_cell_predicted").set_value(9).run()
    assert not app.exception
    assert f"**{expected} test images** of a 4 were predicted as 9." in texts(app.markdown)


def test_one_random_test_image_through_the_model(open_page, mnist_arrays):
    _, (x_test, _) = mnist_arrays
    model = load_default_model()
    app = open_page(PREDICTIONS)
    for _ in range(2):
        app.button(key="predictions_new_image").click().run()
        index = app.session_state["predictions_image_index"]
        digit = model.predict(to_model_inputs(model, x_test[index : index + 1]), verbose=0).argmax()
        steps = next(text for text in texts(app.markdown) if "argmax picks the largest" in text)
        assert steps.endswith(f"argmax picks the largest: **{digit}**.")
        assert "(1, 784)" in steps


def test_the_one_hot_overwrite_bug_button(open_page):
    app = open_page(PREDICTIONS)
    app.button(key="predictions_run_bug").click().run()
    assert "could not be broadcast together with shapes (10000,) (10000,10)" in app.error[0].value
    assert "0 correctly classified, 1 incorrectly" in app.warning[0].value
    assert "9,559 correctly classified, 441 incorrectly" in app.success[0].value


def test_predictions_prefer_this_sessions_run_and_can_switch_back(open_page, session_run):
    app = open_page(PREDICTIONS, {RUNS_KEY: [session_run]})
    assert app.selectbox(key="model").value == "run-1"
    assert any("Showing **This session's Run 1: 784-16-10" in caption for caption in texts(app.caption))
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Correctly classified"] == f"{session_run.result.correct:,}"
    app.selectbox(key="model").set_value("default").run()
    assert {metric.label: metric.value for metric in app.metric}["Test accuracy"] == "0.9559"


def test_an_uploaded_model_that_wants_0_to_1_inputs(open_page, mnist_arrays):
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(28, 28))
    hidden = keras.layers.Dense(10, activation="relu")(keras.layers.Flatten()(inputs))
    uploaded = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))
    app = open_page(
        PREDICTIONS, {UPLOADED_MODEL_KEY: UploadedModel("mine.keras", model_to_bytes(uploaded), 0.1)}
    )
    app.selectbox(key="model").set_value("upload").run()
    assert not app.exception
    assert any("Uploaded: mine.keras" in caption for caption in texts(app.caption))
    _, (x_test, y_test) = mnist_arrays
    expected = (uploaded.predict(x_test / 255.0, verbose=0, batch_size=1000).argmax(axis=1) == y_test).mean()
    assert {metric.label: metric.value for metric in app.metric}["Test accuracy"] == f"{expected:.4f}"
    steps = next(text for text in texts(app.markdown) if "argmax picks" in text)
    assert "(1, 28, 28)" in steps and "first layer" not in steps


def test_inside_traces_the_default_model_with_its_real_numbers(open_page, mnist_arrays):
    _, (x_test, _) = mnist_arrays
    model = load_default_model()
    kernel, bias = model.get_layer("hidden_1").get_weights()
    app = open_page(INSIDE)
    app.number_input(key="inside_test_index").set_value(3).run()
    app.slider(key="inside_unit_0").set_value(7).run()
    assert not app.exception
    x = x_test[3].reshape(-1) / 255.0
    total = float(kernel[:, 7] @ x)
    unit_text = next(text for text in texts(app.markdown) if "Sum of the 784 products" in text)
    assert f"`{total:.6f}`" in unit_text
    assert f"`{total + bias[7]:.6f}`" in unit_text
    assert f"`{max(total + bias[7], 0):.6f}`" in unit_text

    keras_says = model.predict(to_model_inputs(model, x_test[3:4]), verbose=0)[0]
    table = app.dataframe[1].value
    np.testing.assert_allclose(table["÷ sum = probability"], keras_says, atol=1e-5)
    caption = next(text for text in texts(app.caption) if "differ from Keras's output" in text)
    assert float(re.search(r"at most ([0-9.e+-]+)\.$", caption).group(1)) < 1e-5

    app.slider(key="inside_temperature").set_value(3.0).run()
    hot = app.dataframe[1].value["÷ sum = probability"]
    assert hot.max() < keras_says.max() and hot.argmax() == keras_says.argmax()


def test_inside_a_session_run_and_your_digit(open_page, session_run, mnist_arrays):
    _, (x_test, _) = mnist_arrays
    digit = {"digit": x_test[0], "source": "your drawing"}
    app = open_page(INSIDE, {RUNS_KEY: [session_run], YOUR_DIGIT_KEY: digit})
    app.radio(key="inside_source").set_value("Your digit").run()
    assert not app.exception
    assert app.selectbox(key="inside_layer").options == [
        "hidden_1 (16 units, relu)",
        "output (10 units, softmax)",
    ]
    app.selectbox(key="inside_layer").set_value(1).run()
    assert any("Sum of the 16 products" in text for text in texts(app.markdown))


def test_inside_the_convnet_and_the_shape_errors(open_page):
    app = open_page(INSIDE)
    app.selectbox(key="model").set_value("default-convnet").run()
    assert not app.exception
    assert "The convolution: 32 small filters slide over the image" in texts(app.header)
    app.button(key="inside_bug_reshape").click().run()
    app.button(key="inside_bug_one-hot").click().run()
    errors = texts(app.error)
    assert any("expected shape=(None, 784), found shape=(" in error for error in errors)
    assert any("must have the same rank" in error for error in errors)
