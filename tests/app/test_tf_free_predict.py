"""Predictions, model uploads and the class board answer through workers: TensorFlow stays out of the server.

Each page's actions run in a fresh interpreter with real worker processes
(``tests/app/tensorflow_free.py``), and each asserts the page really answered, so a page that
skipped its model would fail here too.
"""

from tests.app.tensorflow_free import tensorflow_imported_by_pages

PREDICTIONS = "app_pages/predictions.py"

# A test digit as the canvas sends it after a stroke: a white-on-black RGBA PNG, 240 px square.
DRAW_A_DIGIT = """
import base64, io
import numpy as np
from PIL import Image
from mnist_core.data.mnist import load_mnist
_, (x_test, y_test) = load_mnist()
gray = np.asarray(Image.fromarray(x_test[0]).resize((240, 240), Image.Resampling.BILINEAR))
buffer = io.BytesIO()
Image.fromarray(np.dstack([gray, gray, gray, np.full_like(gray, 255)]), "RGBA").save(buffer, format="PNG")
url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
app.session_state["predictions_canvas_0"] = {
    "drawing": {"raw": {"version": "6.0.0", "objects": [], "background": "#000000"}, "data": url},
    "backgroundFit": None,
}
app.run()
verdicts = [s.value for s in app.subheader if s.value.startswith("The model says")]
assert verdicts and verdicts[0].startswith(f"The model says {y_test[0]}"), verdicts
"""

# The test-set views: the metrics, another draw of examples, a confusion cell, one test image, the bug demo.
TEST_SET_VIEWS = """
metrics = {m.label: m.value for m in app.metric}
assert metrics["Test accuracy"] == "0.9559", metrics
app.button(key="predictions_new_draw").click().run()
app.selectbox(key="predictions_cell_true").set_value(3).run()
assert any("test images** of a 3" in m.value for m in app.markdown)
app.number_input(key="predictions_image_index").set_value(7).run()
assert any("argmax picks the largest: **9**" in m.value for m in app.markdown)
app.button(key="predictions_run_bug").click().run()
assert any("correctly classified" in s.value for s in app.success)
app.selectbox(key="model").set_value("default-convnet").run()
assert {m.label: m.value for m in app.metric}["Test accuracy"] == "0.9297"
"""

# A real .keras file (the shipped first network's) uploaded on Build & Train, then shown on Predictions.
# Build & Train itself still times the server with Keras on a thread (app_pages/build_and_train_ui/live_training.py's
# speed_calibration, not part of the upload), so this journey checks that the server never loaded
# the uploaded model: not with Keras's loader, not in model_jobs, not in the runs' model cache.
UPLOAD_A_MODEL = """
import mnist_core.engine.models
from mnist_core.engine.default_model import FIRST_NETWORK
from mnist_core.jobs import model_jobs
from ui import training_runs
server_loads = []
load_here = mnist_core.engine.models.load_model_bytes
mnist_core.engine.models.load_model_bytes = lambda *a, **k: server_loads.append(a[1:]) or load_here(*a, **k)
app.file_uploader(key="train_upload").upload("mine.keras", FIRST_NETWORK.path.read_bytes()).run()
assert any("Using **mine.keras**: test accuracy 0.9559" in s.value for s in app.success), app.error
app.file_uploader(key="train_upload").upload("broken.keras", b"hello").run()
assert any("not a .keras model file" in e.value for e in app.error)
app.switch_page("app_pages/predictions.py").run()
app.selectbox(key="model").set_value("upload").run()
assert {m.label: m.value for m in app.metric}["Test accuracy"] == "0.9559"
assert any("Uploaded: mine.keras, test accuracy 0.9559" in c.value for c in app.caption)
assert server_loads == [] and model_jobs.load_count == 0 and len(training_runs._MODELS) == 0, server_loads
import threading
for thread in threading.enumerate():  # the server timing's thread: TensorFlow must not be mid-run at exit
    if thread.name.startswith("task-"):
        thread.join(120)
"""

# The board predicts students' drawings in NumPy (``mnist_core.teaching.classroom.dense_softmax``): a sent
# drawing is answered and shown with no Keras anywhere.
CLASS_BOARD = """
from mnist_core.data.mnist import load_mnist
from ui.class_board import classroom
_, (x_test, y_test) = load_mnist()
app.button(key="board_open").click().run()
code = app.session_state["board_room"][0]
sent = classroom().send(code, "phone-1", int(y_test[0]), x_test[0])
assert sent.entry.predicted == int(y_test[0]), sent.message
app.run()
assert not app.exception
"""

PAGES = {
    PREDICTIONS: DRAW_A_DIGIT + TEST_SET_VIEWS,
    "app_pages/class_board.py": CLASS_BOARD,
}


def test_predictions_and_the_class_board_leave_tensorflow_to_the_workers():
    assert tensorflow_imported_by_pages(PAGES) == dict.fromkeys(PAGES, False)


def test_an_uploaded_model_is_checked_and_shown_by_workers_only():
    # It ran: the page printed its line (True: Build & Train's server timing imports Keras, see above).
    assert list(tensorflow_imported_by_pages({"app_pages/build_and_train.py": UPLOAD_A_MODEL})) == [
        "app_pages/build_and_train.py"
    ]
