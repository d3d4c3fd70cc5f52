"""AppTest of draw-and-answer: the drawing and the model outlive a page switch, follow the digit inside,
a finished run's next steps, and links that name a model."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from app_pages.predictions_ui.your_digit import CANVAS_SIDE, DRAWING_KEY
from mnist_core.data.mnist import load_mnist
from mnist_core.data.preprocess import preprocess
from mnist_core.engine.default_model import load_shipped
from mnist_core.engine.models import to_model_inputs
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import train
from mnist_core.jobs.tasks import TaskState
from ui.model_choice import MODEL_KEY, YOUR_DIGIT_KEY
from ui.training_runs import RUNS_KEY, FinishedRun

PREDICTIONS = "app_pages/predictions.py"
INSIDE = "app_pages/inside_the_network.py"
TRAIN = "app_pages/build_and_train.py"
YOUR_DIGIT_OPTION = "Your digit"
# What the canvas's browser side sends after a stroke: Fabric.js's JSON of the drawing, and its PNG.
STROKE_JSON = {
    "version": "6.0.0",
    "objects": [
        {"type": "Path", "stroke": "#FFFFFF", "strokeWidth": 16, "path": [["M", 60, 50], ["L", 180, 50]]}
    ],
    "background": "#000000",
}


@pytest.fixture(scope="module")
def mnist_arrays():
    return load_mnist()


@pytest.fixture(scope="module")
def session_run():
    spec = ModelSpec(hidden_units=(16,), dropout=(0.0,))
    result = train(spec, TrainConfig(epochs=1, batch_size=64, train_limit=1200, validation_size=200))
    return FinishedRun(1, result, {"update": [], "loss": [], "accuracy": []}, TaskState.FINISHED)


@pytest.fixture(scope="module")
def drawn_seven(mnist_arrays):
    """A test-set 7 as the canvas would draw it: white ink on black, RGBA, CANVAS_SIDE pixels square."""
    _, (x_test, y_test) = mnist_arrays
    seven = x_test[int(np.flatnonzero(y_test == 7)[0])]
    gray = np.asarray(Image.fromarray(seven).resize((CANVAS_SIDE, CANVAS_SIDE), Image.Resampling.BILINEAR))
    rgba = np.dstack([gray, gray, gray, np.full_like(gray, 255)])
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    return rgba, "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def stroke(app, data_url: str, generation: int = 0):
    """What the browser does on mouse up: the canvas component's new value, then a rerun."""
    app.session_state[f"predictions_canvas_{generation}"] = {
        "drawing": {"raw": STROKE_JSON, "data": data_url},
        "backgroundFit": None,
    }
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def verdicts(app) -> list[str]:
    return [text for text in texts(app.subheader) if text.startswith("The model says")]


def canvas_start(app) -> dict:
    (canvas,) = [c for c in app.get("bidi_component") if "drawable_canvas" in c.proto.component_name]
    return json.loads(canvas.proto.json)["initialDrawing"]


def goto(app, page):
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_drawing_and_the_model_survive_a_trip_to_another_page(open_page, drawn_seven):
    app = stroke(open_page(PREDICTIONS), drawn_seven[1])
    assert verdicts(app) == ["The model says 7 (probability 1.00)"]
    assert canvas_start(app)["objects"] == []  # a fresh canvas: the stroke is the browser's, not restored
    app.selectbox(key=MODEL_KEY).set_value("default-convnet").run()
    convnet_verdict = verdicts(app)

    goto(app, "app_pages/data.py")
    assert "predictions_canvas_0" not in app.session_state  # the canvas itself is gone with the page
    goto(app, INSIDE)
    assert app.selectbox(key=MODEL_KEY).value == "default-convnet"
    goto(app, PREDICTIONS)
    assert app.selectbox(key=MODEL_KEY).value == "default-convnet"
    assert any("Showing **Default: small convnet" in text for text in texts(app.caption))
    assert canvas_start(app)["objects"] == STROKE_JSON["objects"]  # the drawing is back on the canvas
    assert verdicts(app) == convnet_verdict  # and the answer beside it, without a new stroke
    assert app.toggle(key="predictions_skip").value is False


def test_clear_empties_the_canvas_and_forgets_the_digit(open_page, drawn_seven):
    app = stroke(open_page(PREDICTIONS), drawn_seven[1])
    assert YOUR_DIGIT_KEY in app.session_state
    app.button(key="predictions_clear").click().run()
    assert not app.exception
    assert verdicts(app) == []
    assert any("Draw one digit, large" in text for text in texts(app.info))
    assert DRAWING_KEY not in app.session_state and YOUR_DIGIT_KEY not in app.session_state
    assert canvas_start(app)["objects"] == []
    goto(app, INSIDE)
    assert app.radio(key="inside_source").options == ["A test image"]


def test_follow_the_digit_opens_inside_with_the_same_image_and_model(open_page, drawn_seven, session_run):
    rgba, data_url = drawn_seven
    app = open_page(PREDICTIONS, {RUNS_KEY: [session_run]})
    assert app.selectbox(key=MODEL_KEY).value == "run-1"
    app.selectbox(key=MODEL_KEY).set_value("default").run()  # the student's choice, not the newest run
    stroke(app, data_url)
    app.button(key="predictions_follow").click().run()
    assert not app.exception, [e.value for e in app.exception]

    assert "The input" in texts(app.header)  # now on Inside the network
    assert app.selectbox(key=MODEL_KEY).value == "default"
    assert app.radio(key="inside_source").value == YOUR_DIGIT_OPTION
    digit = preprocess(rgba).digit
    np.testing.assert_array_equal(app.session_state[YOUR_DIGIT_KEY]["digit"], digit)
    model = load_shipped("default")
    expected = int(model.predict(to_model_inputs(model, digit[None]), verbose=0).argmax())
    assert f"What `model.predict` says for this input: **{expected}**." in texts(app.caption)
    assert "Sum of the 784 products" in " ".join(texts(app.markdown))  # the trace runs on the drawing


def test_follow_the_digit_from_a_page_opened_by_a_link(open_page, drawn_seven):
    app = stroke(open_link(open_page, PREDICTIONS, model="default-convnet"), drawn_seven[1])
    app.button(key="predictions_follow").click().run()  # ?model= is bound: switching page must keep it
    assert not app.exception, [e.value for e in app.exception]
    assert "The convolution: 32 small filters slide over the image" in texts(app.header)
    assert app.radio(key="inside_source").value == YOUR_DIGIT_OPTION
    assert app.query_params == {"model": "default-convnet"}


def test_a_finished_runs_next_steps_open_its_predictions_and_insides(open_page, session_run):
    app = open_page(TRAIN, {RUNS_KEY: [session_run]})
    goto(app, PREDICTIONS)
    app.selectbox(key=MODEL_KEY).set_value("default").run()
    goto(app, TRAIN)
    app.button(key="train_next_predictions").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key=MODEL_KEY).value == "run-1"
    assert {m.label: m.value for m in app.metric}["Correctly classified"] == f"{session_run.result.correct:,}"
    assert app.query_params == {"model": "run-1"}  # the page's link names the run

    app.selectbox(key=MODEL_KEY).set_value("default-convnet").run()
    goto(app, TRAIN)
    app.button(key="train_next_inside").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "The input" in texts(app.header)
    assert app.selectbox(key=MODEL_KEY).value == "run-1"
    assert any("Showing **This session's Run 1: 784-16-10" in text for text in texts(app.caption))


def open_link(open_page, page: str, **params) -> object:
    """A fresh session that opens ``page`` from a link with these query parameters."""
    app = open_page("app_pages/home.py")
    app.switch_page(page)
    app.query_params = dict(params)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.parametrize(
    "asked, why",
    [
        ("run-9", "is not one of this session's: a link carries only the shipped models"),
        ("upload", "is not one of this session's"),
        ("garbage", "does not exist here"),
    ],
)
def test_a_link_to_a_model_this_session_lacks_falls_back_with_one_notice(open_page, asked, why):
    app = open_link(open_page, PREDICTIONS, model=asked)
    assert app.selectbox(key=MODEL_KEY).value == "default"
    notices = [text for text in texts(app.caption) if "The link's model" in text]
    assert len(notices) == 1 and f"`{asked}` {why}" in notices[0]
    assert notices[0].startswith("Showing **Default: first network")
    assert "model" not in app.query_params  # Streamlit drops the unknown value from the URL
    app.button(key="predictions_new_draw").click().run()  # the notice stays while the fallback does
    assert any("The link's model" in text for text in texts(app.caption))
    app.selectbox(key=MODEL_KEY).set_value("default-convnet").run()
    assert not any("The link's model" in text for text in texts(app.caption))


def test_a_link_to_a_shipped_model_opens_it_on_both_pages(open_page):
    app = open_link(open_page, INSIDE, model="default-convnet")
    assert app.selectbox(key=MODEL_KEY).value == "default-convnet"
    assert "The convolution: 32 small filters slide over the image" in texts(app.header)
    assert not any("The link's model" in text for text in texts(app.caption))
    goto(app, PREDICTIONS)
    assert app.selectbox(key=MODEL_KEY).value == "default-convnet"


def test_an_uploaded_picture_is_kept_until_it_is_removed(open_page, mnist_arrays):
    _, (x_test, y_test) = mnist_arrays
    three = x_test[int(np.flatnonzero(y_test == 3)[0])]
    buffer = io.BytesIO()
    Image.fromarray(255 - three).resize((140, 140)).save(buffer, format="PNG")  # dark ink on paper
    picture = ("three.png", buffer.getvalue(), "image/png")
    app = open_page(PREDICTIONS)
    app.button_group(key="predictions_source").set_value("Upload").run()
    app.file_uploader(key="predictions_upload").set_value(picture).run()
    assert not app.exception, [e.value for e in app.exception]
    verdict = verdicts(app)
    assert verdict and verdict[0].startswith("The model says 3")
    app.file_uploader(key="predictions_upload").clear().run()  # the student removes the file
    assert verdicts(app) == []

    app.file_uploader(key="predictions_upload").set_value(picture).run()
    goto(app, INSIDE)
    goto(app, PREDICTIONS)
    assert app.button_group(key="predictions_source").value == "Upload"
    assert verdicts(app) == verdict
    assert any("Your picture from before: **three.png**" in text for text in texts(app.caption))
    app.button(key="predictions_forget_upload").click().run()
    assert verdicts(app) == []


def test_the_keyboard_grid_starts_from_a_test_digit_and_is_answered_and_kept(open_page, mnist_arrays):
    _, (x_test, y_test) = mnist_arrays
    index = int(np.flatnonzero(y_test == 4)[0])
    app = open_page(PREDICTIONS)
    app.button_group(key="predictions_source").set_value("Draw with keys").run()
    assert verdicts(app) == []  # an empty grid: the hint, no answer
    app.number_input(key="predictions_grid_test_index").set_value(index).run()
    app.button(key="predictions_grid_load").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert np.array_equal(app.session_state["predictions_grid_kept"], x_test[index])
    verdict = verdicts(app)
    assert verdict and verdict[0].startswith("The model says 4")
    assert app.session_state[YOUR_DIGIT_KEY]["source"] == "your grid drawing"

    goto(app, INSIDE)
    goto(app, PREDICTIONS)
    assert verdicts(app) == verdict  # the grid's drawing outlives the trip
    app.button(key="predictions_grid_clear").click().run()
    assert verdicts(app) == []
    assert YOUR_DIGIT_KEY not in app.session_state
