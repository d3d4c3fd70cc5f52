"""A series of bad inputs through the real pages: every upload, widget, link and environment variable.

Each case asserts a clear message, no exception on screen, and that the page still works
afterwards (another widget still changes what it shows).
"""

from __future__ import annotations

import io
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from mnist_core.data.idx import write_idx
from mnist_core.engine.models import model_to_bytes
from ui.resources import _mnist, background_slots, training_slots
from ui.training_runs import UPLOADED_MODEL_KEY

PREDICTIONS = "app_pages/predictions.py"
INSIDE = "app_pages/inside_the_network.py"
TRAIN = "app_pages/build_and_train.py"
DATA_PAGES = ["app_pages/data.py", "app_pages/pixels_as_vectors.py", "app_pages/dimensions.py"]
EVERY_PAGE = [
    "app_pages/home.py",
    *DATA_PAGES,
    TRAIN,
    "app_pages/loss_surface.py",
    PREDICTIONS,
    INSIDE,
    "app_pages/sklearn_tuning.py",
]


def no_exception(app) -> None:
    assert not app.exception, [e.value for e in app.exception]


def messages(app) -> str:
    """Every error, warning and info box on the page, as one text."""
    return "\n".join(box.value for kind in ("error", "warning", "info") for box in getattr(app, kind))


# --- Picture uploads on Predictions ---


def image_bytes(array: np.ndarray, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=format, **options)
    return buffer.getvalue()


def dark_one(height: int, width: int) -> np.ndarray:
    """A dark vertical stroke on light paper."""
    picture = np.full((height, width), 235, dtype=np.uint8)
    picture[height // 5 : height * 4 // 5, width * 9 // 20 : max(width * 11 // 20, width * 9 // 20 + 1)] = 15
    return picture


def png_with(width: int, height: int) -> bytes:
    picture = np.zeros(max(width, height), dtype=np.uint8)
    picture[len(picture) * 2 // 5 : len(picture) * 3 // 5] = 255
    return image_bytes(
        np.broadcast_to(picture if height <= width else picture[:, None], (height, width)).copy()
    )


def truncated_png() -> bytes:
    data = image_bytes(dark_one(200, 200))
    return data[: len(data) // 2]


def gif_with_frames() -> bytes:
    frames = [Image.fromarray(dark_one(60, 60)), Image.fromarray(255 - dark_one(60, 60))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def transparent_png() -> bytes:
    return image_bytes(np.zeros((50, 50, 4), dtype=np.uint8))


def cmyk_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(dark_one(80, 80)).convert("CMYK").save(buffer, format="JPEG")
    return buffer.getvalue()


def tiny_dot_png() -> bytes:
    picture = np.zeros((300, 300), dtype=np.uint8)
    picture[148:152, 148:152] = 255
    return image_bytes(picture)


BAD_PICTURES = {
    "10000 x 2 px": (png_with(10000, 2), None),
    "2 x 10000 px": (png_with(2, 10000), None),
    "1 x 1 px": (image_bytes(np.zeros((1, 1), dtype=np.uint8)), "no ink"),
    "empty file": (b"", "is empty"),
    "text named .png": (b"this is not a picture", "not a picture that can be opened"),
    "truncated PNG": (truncated_png(), "corrupt or cut short"),
    "blank white": (image_bytes(np.full((100, 100), 255, np.uint8)), "no ink"),
    "blank black": (image_bytes(np.zeros((100, 100), np.uint8)), "no ink"),
    "flat grey noise": (
        image_bytes(np.random.default_rng(0).integers(120, 140, (80, 80), dtype=np.uint8)),
        "no ink",
    ),
    "fully transparent": (transparent_png(), "fully transparent"),
    "a dot": (tiny_dot_png(), "too little ink"),
    "TIFF renamed .png": (image_bytes(dark_one(50, 50), "TIFF"), "upload a PNG or JPEG"),
    "18 megapixels": (image_bytes(np.zeros((3000, 6000), np.uint8), "JPEG"), "megapixels are accepted"),
    "animated GIF": (gif_with_frames(), None),
    "12 MP phone photo": (
        image_bytes(np.stack([dark_one(3024, 4032)] * 3, axis=2), "JPEG", quality=70),
        None,
    ),
    "CMYK JPEG": (cmyk_jpeg(), None),
    "16-bit PNG": (image_bytes(dark_one(60, 60).astype(np.uint16) * 257), None),
}


def open_upload(open_page):
    app = open_page(PREDICTIONS)
    app.segmented_control(key="predictions_source").set_value("Upload").run()
    return app


@pytest.mark.parametrize("name", list(BAD_PICTURES))
def test_a_bad_picture_upload_gets_a_message_and_the_page_keeps_working(name, open_page):
    data, expected = BAD_PICTURES[name]
    app = open_upload(open_page)
    app.file_uploader(key="predictions_upload").upload("digit.png", data, "image/png").run()
    no_exception(app)
    if expected is None:  # an odd but readable picture: it is answered
        assert any(header.value.startswith("The model says") for header in app.subheader)
    else:
        assert expected in messages(app)
    app.selectbox(key="predictions_cell_true").set_value(3).run()  # the page still answers
    no_exception(app)
    assert any("test images** of a 3" in text.value for text in app.markdown)


# --- Model uploads on Build & Train, then shown on Predictions and Inside the network ---


def dense_model(activation: str = "relu", units: int = 16, extra=None):
    inputs = keras.Input(shape=(784,))
    hidden = keras.layers.Dense(units, activation=activation)(keras.layers.Rescaling(1 / 255)(inputs))
    if extra is not None:
        hidden = extra(hidden)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))


def unbuilt_sequential() -> bytes:
    with pytest.warns(UserWarning):
        return model_to_bytes(
            keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
        )


def nan_model() -> bytes:
    model = dense_model()
    model.set_weights([np.full_like(w, np.nan) for w in model.get_weights()])
    return model_to_bytes(model)


def wrong_input_model() -> bytes:
    inputs = keras.Input(shape=(32, 32, 3))
    return model_to_bytes(keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs))))


def wrong_output_model() -> bytes:
    inputs = keras.Input(shape=(784,))
    return model_to_bytes(keras.Model(inputs, keras.layers.Dense(2)(inputs)))


def two_output_model() -> bytes:
    inputs = keras.Input(shape=(784,))
    return model_to_bytes(
        keras.Model(inputs, [keras.layers.Dense(10)(inputs), keras.layers.Dense(10)(inputs)])
    )


def lambda_model() -> bytes:
    inputs = keras.Input(shape=(784,))
    return model_to_bytes(keras.Model(inputs, keras.layers.Lambda(lambda x: x[:, :10] * 2)(inputs)))


def zip_without_model() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a model")
    return buffer.getvalue()


BAD_MODELS = {
    "Sequential saved without an input shape": (unbuilt_sequential, "no input shape"),
    "weights that are NaN": (nan_model, "NaN or infinite"),
    "input 32 x 32 x 3": (wrong_input_model, "must take 784-long vectors or 28 x 28"),
    "2 outputs": (wrong_output_model, "must output 10 class scores"),
    "two output heads": (two_output_model, "must output 10 class scores"),
    "a Lambda layer (unsafe)": (lambda_model, "Keras could not load"),
    "a zip without a model": (zip_without_model, "Keras could not load"),
    "a text file": (lambda: b"hello", "not a .keras model file"),
    "an empty file": (lambda: b"", "not a .keras model file"),
    "a truncated .keras": (lambda: model_to_bytes(dense_model())[:2000], "not a .keras model file"),
}


@pytest.mark.parametrize("name", list(BAD_MODELS))
def test_a_bad_model_upload_gets_a_message_and_the_page_keeps_working(name, open_page):
    make, expected = BAD_MODELS[name]
    app = open_page(TRAIN)
    app.file_uploader(key="train_upload").upload("mine.keras", make()).run()
    no_exception(app)
    assert expected in messages(app)
    app.slider(key="train_epochs").set_value(2).run()
    no_exception(app)
    assert any("updates**" in caption.value for caption in app.caption)


def uploaded(model, filename: str = "mine.keras"):
    from ui.training_runs import UploadedModel

    return {UPLOADED_MODEL_KEY: UploadedModel(filename, model_to_bytes(model), 0.1)}


ODD_MODELS = {
    "elu": lambda: dense_model("elu"),
    "gelu": lambda: dense_model("gelu"),
    "selu": lambda: dense_model("selu"),
    "swish": lambda: dense_model("swish"),
    "leaky_relu": lambda: dense_model("leaky_relu"),
    "softplus": lambda: dense_model("softplus"),
    "LeakyReLU layer": lambda: dense_model("linear", extra=keras.layers.LeakyReLU(negative_slope=0.1)),
    "PReLU layer": lambda: dense_model("linear", extra=keras.layers.PReLU()),
    "BatchNormalization": lambda: dense_model(extra=keras.layers.BatchNormalization(name="norm")),
    "one hidden unit": lambda: dense_model(units=1),
}


@pytest.mark.parametrize("name", list(ODD_MODELS))
def test_inside_the_network_traces_or_explains_any_dense_model(name, open_page):
    model = ODD_MODELS[name]()
    app = open_page(INSIDE, uploaded(model))
    app.selectbox(key="model").set_value("upload").run()
    no_exception(app)
    if name == "BatchNormalization":
        assert "cannot follow norm (BatchNormalization)" in messages(app)
        assert any(header.value == "Weights of every layer" for header in app.header)
    else:
        assert any(header.value.startswith("One unit") for header in app.header)
    app.number_input(key="inside_test_index").set_value(7).run()
    no_exception(app)


def test_a_model_with_nan_weights_is_shown_without_an_error(open_page):
    model = dense_model()
    model.set_weights([np.full_like(w, np.nan) for w in model.get_weights()])
    for page, picker in ((INSIDE, "model"), (PREDICTIONS, "model")):
        app = open_page(page, uploaded(model))
        app.selectbox(key=picker).set_value("upload").run()
        no_exception(app)


# --- MNIST_DATA_DIR ---


def write_mnist(folder) -> None:
    """A copy of the bundled MNIST files: a folder a user could really point to."""
    import shutil

    from mnist_core.data.mnist import BUNDLED_DIR

    folder.mkdir(parents=True, exist_ok=True)
    for path in BUNDLED_DIR.glob("*.gz"):
        shutil.copy(path, folder / path.name)


def broken_folder(tmp_path, problem: str):
    import gzip

    folder = tmp_path / "mnist"
    if problem == "no such folder":
        return folder
    write_mnist(folder)
    images = folder / "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(images.read_bytes())
    if problem == "truncated":
        images.write_bytes(gzip.compress(raw[: len(raw) // 2], compresslevel=1))
    elif problem == "not a valid gzip":
        images.write_bytes(b"plain text")
    elif problem == "bad magic number":
        images.write_bytes(gzip.compress(b"\x12\x34" + raw[2:], compresslevel=1))
    elif problem == "no t10k-labels":
        (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    elif problem == "labels do not match":
        write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(59_999, dtype=np.uint8))
    elif problem == "not a digit 0-9":
        write_idx(folder / "train-labels-idx1-ubyte.gz", np.full(60_000, 12, dtype=np.uint8))
    elif problem == "not the whole data set":
        write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((100, 28, 28), dtype=np.uint8))
        write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros(100, dtype=np.uint8))
    return folder


@pytest.fixture
def fresh_data():
    """The MNIST cache emptied before and after, so the environment variable is read again."""
    _mnist.clear()
    yield
    _mnist.clear()


DATA_PROBLEMS = [
    "no such folder",
    "truncated",
    "not a valid gzip",
    "bad magic number",
    "no t10k-labels",
    "labels do not match",
    "not a digit 0-9",
    "not the whole data set",
]


@pytest.mark.parametrize("problem", DATA_PROBLEMS)
@pytest.mark.parametrize("page", [*DATA_PAGES, PREDICTIONS])
def test_a_broken_data_folder_gets_one_clear_page(
    problem, page, tmp_path, monkeypatch, open_page, fresh_data
):
    folder = broken_folder(tmp_path, problem)
    monkeypatch.setenv("MNIST_DATA_DIR", str(folder))
    app = open_page(page)
    no_exception(app)
    assert len(app.error) == 1
    text = app.error[0].value
    assert "The MNIST data cannot be read" in text
    assert {"no t10k-labels": "no t10k-labels-idx1-ubyte(.gz) file"}.get(problem, problem) in text
    assert "unset MNIST_DATA_DIR" in text and str(folder) in text
    if problem not in ("no such folder", "no t10k-labels"):
        assert "-idx" in text  # the file that is wrong is named


def test_fixing_the_folder_brings_the_page_back(tmp_path, monkeypatch, open_page, fresh_data):
    folder = broken_folder(tmp_path, "truncated")
    monkeypatch.setenv("MNIST_DATA_DIR", str(folder))
    app = open_page("app_pages/data.py")
    assert "truncated" in app.error[0].value
    write_mnist(folder)
    app.run()
    no_exception(app)
    assert not app.error


def test_the_home_page_and_build_and_train_open_with_a_broken_folder(
    tmp_path, monkeypatch, open_page, fresh_data
):
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path / "nowhere"))
    for page in ("app_pages/home.py", TRAIN):
        app = open_page(page)
        no_exception(app)
    # Build & Train reads the data at once on a fresh server (its speed estimate times a few batches);
    # once that is done, only Train needs the data. Either way: the same clear message.
    if not app.error:
        app.button(key="train_start").click().run()
        no_exception(app)
    assert "no such folder" in app.error[0].value


# --- The other environment variables ---


def slot_script():
    from ui.resources import background_slots, training_slots

    training_slots.clear()
    background_slots.clear()
    import streamlit as st

    st.write(f"capacity {training_slots().capacity} and {background_slots().capacity}")


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", "9" * 30 + "x"])
def test_a_bad_slot_count_is_a_warning_and_one_slot(value, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("MNIST_MAX_TRAININGS", value)
    monkeypatch.setenv("MNIST_MAX_BACKGROUND_TASKS", value)
    try:
        app = AppTest.from_function(slot_script).run()
        no_exception(app)
        assert "capacity 1 and 1" in app.markdown[0].value
        assert f"MNIST_MAX_TRAININGS is set to {value!r}" in messages(app)
        assert "MNIST_MAX_BACKGROUND_TASKS" in messages(app)
    finally:
        training_slots.clear()
        background_slots.clear()


# --- Links: query parameters a user can type or paste ---

BAD_QUERIES = [
    {"train_epochs": "abc"},
    {"train_epochs": "99999"},
    {"train_learning_rate": "-1"},
    {"train_batch_size": "0"},
    {"model": "run-99"},
    {"inside_test_index": "10000"},
    {"page": "../../etc/passwd"},
    {"x": "<script>alert(1)</script>"},
    {"data_split": "validation"},
    {"dimensions_tab": "nope", "surface_learning_rate": "nan"},
]


@pytest.mark.parametrize("query", BAD_QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
@pytest.mark.parametrize("page", [TRAIN, PREDICTIONS, "app_pages/data.py"])
def test_a_bad_link_opens_the_page(query, page):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=120)
    app.query_params.update(query)
    app.run()
    app.switch_page(page)
    app.run()
    no_exception(app)
    assert app.title[0].value  # the page drew, not just a blank screen


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_every_page_opens_without_a_traceback_when_the_data_is_missing(
    page, tmp_path, monkeypatch, open_page, fresh_data
):
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path / "nowhere"))
    app = open_page(page)
    no_exception(app)
    assert all("MNIST data cannot be read" in box.value for box in app.error)


# --- In the code ---


def fingerprint_script():
    import numpy as np
    import streamlit as st

    from app_pages.loss_surface_ui.landscape_views import LandscapeSource, source_fingerprint
    from mnist_core.engine.spec import ModelSpec, TrainConfig
    from mnist_core.landscape.loss_landscape import fingerprint

    history = [[np.full((2, 2), 1.0)], [np.full((2, 2), 2.0)]]
    # An old run's entry left under the id the new history now has, as after old runs are dropped.
    st.session_state["surface_fingerprints"] = {id(history): ([[np.zeros(1)]], "an old run's hash")}
    source = LandscapeSource("new run", "run 9", ModelSpec(), TrainConfig(), history, lambda: None)
    st.markdown(f"same: {source_fingerprint(source) == fingerprint(history)}")


def test_the_landscape_memo_never_gives_a_new_run_an_old_runs_fingerprint():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(fingerprint_script).run()
    no_exception(app)
    assert app.markdown[0].value == "same: True"


# --- Build & Train: a failed run after a good one ---


def test_a_failed_run_is_explained_once_and_the_older_evaluation_says_whose_it_is(open_page):
    import time

    from mnist_core.engine.spec import ModelSpec, TrainConfig
    from mnist_core.engine.training import train
    from mnist_core.jobs.tasks import TaskState
    from ui.training_runs import RUNS_KEY, FinishedRun

    good = train(ModelSpec(), TrainConfig(epochs=1, train_limit=1200, validation_size=200))
    earlier = FinishedRun(1, good, {"update": [], "loss": [], "accuracy": []}, TaskState.FINISHED)
    app = open_page(TRAIN, {RUNS_KEY: [earlier]})
    app.select_slider(key="train_learning_rate").set_value(10.0).run()
    app.slider(key="train_epochs").set_value(1).run()
    app.button(key="train_start").click().run()
    task = app.session_state["train_task"]
    deadline = time.monotonic() + 300
    while not task.snapshot().is_over:
        assert time.monotonic() < deadline, "training did not end in time"
        time.sleep(0.5)
    app.run()
    no_exception(app)
    assert task.snapshot().state == TaskState.FAILED
    page_text = "\n".join(
        [box.value for box in app.error]
        + [bar.proto.text for bar in app.get("progress")]
        + [c.value for c in app.caption]
    )
    assert page_text.count("loss exploded") == 1  # once, in its red box: not in the bars too
    assert any("(run 1, an earlier run)" in header.value for header in app.subheader)
