"""AppTest of "What it learned": every tab with the shipped Dense model, the convnet and a session's run,
the student's digit from Predictions, and widgets that change what the tabs show."""

import base64
import io
import time

import keras
import numpy as np
import pytest
from lazy_tabs import open_lazy_tab
from PIL import Image
from test_bad_inputs import dense_model

from app_pages.predictions_ui.your_digit import CANVAS_SIDE
from app_pages.what_it_learned_ui.learned_views import CURVES_TASK, TABS, TABS_KEY
from mnist_core.data.mnist import load_mnist
from mnist_core.data.preprocess import preprocess
from mnist_core.engine.default_model import load_shipped
from mnist_core.engine.models import model_to_bytes, to_model_inputs
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import train
from mnist_core.inspect import robustness
from mnist_core.jobs.tasks import TaskState
from ui.model_choice import MODEL_KEY, YOUR_DIGIT_KEY
from ui.training_runs import RUNS_KEY, UPLOADED_MODEL_KEY, FinishedRun, UploadedModel

PAGE = "app_pages/what_it_learned.py"
PREDICTIONS = "app_pages/predictions.py"
LOOK, FAILS, NUDGE, OFF = TABS


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


def specs(app) -> list[str]:
    return [element.proto.spec for element in app.get("plotly_chart")]


def metrics(app) -> dict:
    return {metric.label: metric.value for metric in app.metric}


def wait_for_curves(app, seconds: float = 120):
    task = app.session_state[CURVES_TASK]
    deadline = time.monotonic() + seconds
    while not task.snapshot().is_over:
        assert time.monotonic() < deadline, "the curves did not finish in time"
        time.sleep(0.3)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return task.snapshot()


def test_where_it_looks_for_the_answer_and_for_another_class(open_page):
    app = open_page(PAGE)
    assert app.session_state[TABS_KEY] == LOOK
    assert "The model says **7** (1.00); the maps are for **7**." in texts(app.caption)
    assert any(caption.startswith("Step 6 · Predict.") for caption in texts(app.caption))
    before = specs(app)
    app.selectbox(key="learned_class").set_value("3").run()
    assert not app.exception
    assert "The model says **7** (1.00); the maps are for **3**." in texts(app.caption)
    after = specs(app)
    assert before[0] == after[0] and before[1] != after[1] and before[2] != after[2]  # the digit stays
    app.radio(key="learned_fill").set_value("black").run()
    assert any("6 x 6 black square slides" in caption for caption in texts(app.caption))


def test_when_it_fails_follows_the_sliders_and_draws_the_curves(open_page, mnist_arrays):
    _, (x_test, y_test) = mnist_arrays
    from ui.results import server_results

    server_results().clear()  # computed by an earlier test in this process: this one watches them computed
    app = open_lazy_tab(open_page(PAGE), TABS_KEY, FAILS)
    assert "**The model says 7** (1.00)" in texts(app.markdown)
    assert wait_for_curves(app).state == TaskState.FINISHED
    alts = [c.proto.alt for c in app.get("plotly_chart") if "rotation" in c.proto.alt]
    model = load_shipped("default")
    indices = robustness.curve_sample(len(x_test))
    plain = (
        model.predict(to_model_inputs(model, x_test[indices]), verbose=0).argmax(axis=1) == y_test[indices]
    )
    assert f"0° {plain.mean():.2f}" in alts[0]  # the curve's unrotated point is the plain test accuracy

    app.slider(key="learned_rotation").set_value(90).run()
    rotated = robustness.rotate(x_test[0], 90)
    said = int(model.predict(to_model_inputs(model, rotated[None]), verbose=0).argmax())
    assert any(text.startswith(f"**The model says {said}**") for text in texts(app.markdown))
    answered = metrics(app)["Answered"]
    assert answered == "100.0%"
    app.slider(key="learned_threshold").set_value(0.99).run()
    assert metrics(app)["Answered"] != answered
    assert "**The model says: I don't know**" in texts(app.markdown)  # a turned 7 is not sure of itself


def test_the_nudge_flips_the_test_image_to_the_picked_digit(open_page):
    app = open_lazy_tab(open_page(PAGE), TABS_KEY, NUDGE)
    app.selectbox(key="learned_target").set_value("3").run()
    assert not app.exception
    verdict = next(text for text in texts(app.markdown) if text.startswith("The model now says"))
    assert verdict.startswith("The model now says **3**. Every pixel moved by at most **")
    step = int(verdict.split("at most **")[1].split(" of 255")[0])
    assert 0 < step <= 64
    app.selectbox(key="learned_target").set_value("7").run()
    assert "The model already reads this digit as a 7: pick another digit." in texts(app.info)


def test_switching_units_off_lowers_the_accuracy_and_all_on_is_the_model(open_page, mnist_arrays):
    _, (x_test, y_test) = mnist_arrays
    model = load_shipped("default")
    indices = robustness.curve_sample(len(x_test))
    plain = (
        model.predict(to_model_inputs(model, x_test[indices]), verbose=0).argmax(axis=1) == y_test[indices]
    )
    app = open_lazy_tab(open_page(PAGE), TABS_KEY, OFF)
    assert app.selectbox(key="learned_layer").options == ["hidden_1 (32 units)"]
    assert metrics(app)["Units off"] == "8 of 32"
    assert float(metrics(app)["Test accuracy"]) < plain.mean() - 0.05
    app.slider(key="learned_off_count").set_value(0).run()
    assert metrics(app)["Test accuracy"] == f"{plain.mean():.3f}"
    app.radio(key="learned_off_way").set_value("units I pick").run()
    app.text_input(key="learned_off_units").input("5, 99").run()
    assert "this layer has units 0 to 31; there is no unit 99" in texts(app.warning)
    app.text_input(key="learned_off_units").input("0-31").run()
    assert float(metrics(app)["Test accuracy"]) < 0.2  # every unit off: the output is a constant guess


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_with_the_convnet(open_page, tab):
    app = open_page(PAGE)
    app.selectbox(key=MODEL_KEY).set_value("default-convnet").run()
    app = open_lazy_tab(app, TABS_KEY, tab)
    assert app.get("plotly_chart") or app.session_state[CURVES_TASK] is not None
    if tab == OFF:
        assert app.selectbox(key="learned_layer").options == ["conv (32 filters)", "hidden_1 (100 units)"]
        app.selectbox(key="learned_layer").set_value("conv (32 filters)").run()
        assert not app.exception and metrics(app)["Units off"] == "8 of 32"
    if tab == FAILS:
        wait_for_curves(app)
        assert any("Test accuracy against noise" in c.proto.alt for c in app.get("plotly_chart"))


def test_a_session_run_and_the_students_digit(open_page, session_run, mnist_arrays):
    _, (x_test, _) = mnist_arrays
    drawn = {"digit": x_test[1], "source": "your drawing"}
    app = open_page(PAGE, {RUNS_KEY: [session_run], YOUR_DIGIT_KEY: drawn})
    assert app.selectbox(key=MODEL_KEY).value == "run-1"
    assert app.radio(key="learned_source").options == ["A test image", "Your digit"]
    app.radio(key="learned_source").set_value("Your digit").run()
    said = int(
        session_run.model().predict(to_model_inputs(session_run.model(), x_test[1:2]), verbose=0).argmax()
    )
    assert f"The model says **{said}**" in " ".join(texts(app.caption))
    for tab in (FAILS, NUDGE, OFF):
        app = open_lazy_tab(app, TABS_KEY, tab)
    assert app.selectbox(key="learned_layer").options == ["hidden_1 (16 units)"]
    assert metrics(app)["Units off"] == "8 of 16"
    assert "your drawing now reads" in metrics(app)


def drawn_seven_url(x_test, y_test) -> str:
    seven = x_test[int(np.flatnonzero(y_test == 7)[0])]
    gray = np.asarray(Image.fromarray(seven).resize((CANVAS_SIDE, CANVAS_SIDE), Image.Resampling.BILINEAR))
    rgba = np.dstack([gray, gray, gray, np.full_like(gray, 255)])
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    return rgba, "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_where_does_it_look_opens_the_page_on_the_drawing(open_page, mnist_arrays):
    _, (x_test, y_test) = mnist_arrays
    rgba, url = drawn_seven_url(x_test, y_test)
    app = open_page(PREDICTIONS)
    app.selectbox(key=MODEL_KEY).set_value("default-convnet").run()
    app.session_state["predictions_canvas_0"] = {
        "drawing": {"raw": {"version": "6.0.0", "objects": [], "background": "#000000"}, "data": url},
        "backgroundFit": None,
    }
    app.run()
    app.session_state[TABS_KEY] = NUDGE  # the page opens on "Where it looks" whatever was open before
    app.button(key="predictions_where_it_looks").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "What it learned"
    assert app.session_state[TABS_KEY] == LOOK
    assert app.radio(key="learned_source").value == "Your digit"
    assert app.selectbox(key=MODEL_KEY).value == "default-convnet"
    np.testing.assert_array_equal(app.session_state[YOUR_DIGIT_KEY]["digit"], preprocess(rgba).digit)
    assert "The model says **7**" in " ".join(texts(app.caption))


def skip_connection_model():
    """A model that is not a chain: its output reads the pixels and the hidden layer at once."""
    inputs = keras.Input(shape=(784,))
    scaled = keras.layers.Rescaling(1 / 255)(inputs)
    hidden = keras.layers.Dense(784, activation="relu")(scaled)
    return keras.Model(
        inputs, keras.layers.Dense(10, activation="softmax")(keras.layers.Add()([scaled, hidden]))
    )


def nan_weights_model():
    model = dense_model()
    model.set_weights([np.full_like(w, np.nan) for w in model.get_weights()])
    return model


ODD_UPLOADS = {
    "PReLU layer": (lambda: dense_model("linear", extra=keras.layers.PReLU()), None),
    "BatchNormalization": (lambda: dense_model(extra=keras.layers.BatchNormalization()), None),
    "one hidden unit": (lambda: dense_model(units=1), None),
    "a skip connection": (skip_connection_model, "not a plain chain of layers"),
    "weights that are NaN": (nan_weights_model, "weights are NaN or infinite"),
}


@pytest.mark.parametrize("name", list(ODD_UPLOADS))
def test_an_odd_upload_is_shown_or_explained_on_every_tab(name, open_page):
    make, message = ODD_UPLOADS[name]
    app = open_page(PAGE, {UPLOADED_MODEL_KEY: UploadedModel("mine.keras", model_to_bytes(make()), 0.1)})
    app.selectbox(key=MODEL_KEY).set_value("upload").run()
    assert not app.exception, [e.value for e in app.exception]
    if message is not None:
        assert message in " ".join(texts(app.warning))
        return
    for tab in (LOOK, NUDGE, OFF):
        app = open_lazy_tab(app, TABS_KEY, tab)
        assert app.get("plotly_chart") or app.info
    app.radio(key="learned_off_way").set_value("units I pick").run()
    assert not app.exception
    if name == "one hidden unit":  # the default "0-3" names units it doesn't have
        assert "this layer has units 0 to 0; there is no unit 1" in texts(app.warning)
