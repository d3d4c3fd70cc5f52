"""The worker-side checks of Predictions and uploads: plain data in, plain data out, picklable."""

import functools
import pickle

import numpy as np

from mnist_core.data.mnist import load_mnist
from mnist_core.engine.default_model import FIRST_NETWORK, load_shipped
from mnist_core.engine.upload_check import UploadCheck, check_upload
from mnist_core.inspect.evaluation import evaluate_test_set


def test_a_real_model_gets_its_test_accuracy_and_a_bad_file_a_message():
    data = FIRST_NETWORK.path.read_bytes()
    work = pickle.loads(pickle.dumps(functools.partial(check_upload, data, "mine.keras")))
    check = work(None)  # as run_quick calls it: work(control)
    assert check == UploadCheck(test_accuracy=FIRST_NETWORK.test_accuracy, non_finite_weights=0)
    bad = check_upload(b"hello", "essay.keras")
    assert not bad.ok and "essay.keras is not a .keras model file" in bad.error


def test_evaluate_test_set_reads_mnist_itself_and_matches_keras():
    model = load_shipped(FIRST_NETWORK.key)
    evaluation = evaluate_test_set(model)
    _, (x_test, y_test) = load_mnist()
    keras_says = model.predict(x_test.reshape(-1, 784).astype(np.float32), verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(evaluation.predicted, keras_says)
    assert evaluation.accuracy == (keras_says == y_test).mean()
