"""The lessons' bugs really happen: Keras really raises, the buggy count really goes wrong."""

import numpy as np
import pytest

from mnist_core.data.mnist import load_mnist
from mnist_core.teaching.lesson_bugs import one_hot_overwrite, skip_one_hot, skip_reshape


@pytest.fixture(scope="module")
def training_subset():
    (x_train, y_train), _ = load_mnist()
    return x_train[:300], y_train[:300]


def test_skipping_the_reshape_raises_the_real_keras_error(training_subset):
    demo = skip_reshape(*training_subset)
    assert demo.raised and demo.error_type == "ValueError"
    assert "expected shape=(None, 784)" in demo.message and "28, 28)" in demo.message
    assert "(256, 784)" in demo.fixed_code
    # The shape in the error is one batch's: the code shown names that batch size, and says so.
    assert "found shape=(128, 28, 28)" in demo.message
    assert "batch_size=128" in demo.buggy_code and "(256, 28, 28)" in demo.buggy_code
    assert demo.fixed_result.startswith("fit ran: 1 epoch on 256 images")


def test_skipping_the_one_hot_encoding_raises_the_real_keras_error(training_subset):
    demo = skip_one_hot(*training_subset)
    assert demo.raised and demo.error_type == "ValueError"
    assert "`target` and `output` must have the same rank" in demo.message
    assert "[0, 0, 0, 0, 0, 1, 0, 0, 0, 0]" in demo.fixed_code  # the first training label is a 5
    assert demo.fixed_result.startswith("fit ran")


def test_the_shape_error_job_reads_the_training_images_itself_and_names_only_two_demos():
    import pickle
    from functools import partial

    from mnist_core.teaching.lesson_bugs import shape_error_demo

    job = pickle.loads(pickle.dumps(partial(shape_error_demo, "reshape")))  # what travels to a worker
    demo = job(None)
    assert demo.error_type == "ValueError" and "found shape=(128, 28, 28)" in demo.message
    with pytest.raises(ValueError, match="which must be one of"):
        shape_error_demo("flatten")


def test_the_one_hot_overwrite_count_is_absurd_and_the_fix_is_right():
    _, (_, y_test) = load_mnist()
    predicted = y_test.copy()
    predicted[:207] = (predicted[:207] + 1) % 10  # 207 wrong, as in the lesson's "9793 / 207"
    bug = one_hot_overwrite(predicted, y_test)
    assert bug.labels_shape == (10_000, 10) and bug.predicted_shape == (10_000,)
    assert bug.error_type == "ValueError" and "could not be broadcast" in bug.message
    assert (bug.legacy_correct, bug.legacy_incorrect) == (0, 1)
    assert (bug.correct, bug.incorrect) == (9793, 207)


def test_the_count_goes_silently_wrong_when_shapes_happen_to_broadcast():
    labels = np.arange(10)
    bug = one_hot_overwrite(labels, labels)  # ten images, all predicted right
    assert bug.error_type == ""
    assert bug.correct == 10
    assert (bug.legacy_correct, bug.legacy_incorrect) != (10, 0)


def test_the_shape_error_demos_travel_to_a_worker_as_plain_data():
    """What a page sends to a worker: the demo's name only; it reads MNIST there and sends back text."""
    import functools

    from mnist_core.jobs import make_executor
    from mnist_core.teaching.lesson_bugs import shape_error_demo

    with make_executor("thread") as executor:  # pickles the job and its result, as a worker does
        snapshot = executor.submit(functools.partial(shape_error_demo, "reshape")).join(120)
    assert snapshot.state.value == "finished", snapshot.message
    (x_train, y_train), _ = load_mnist()
    here, there = skip_reshape(x_train[:256], y_train[:256]), snapshot.result
    assert (there.error_type, there.message, there.buggy_code, there.fixed_code) == (
        here.error_type,
        here.message,
        here.buggy_code,
        here.fixed_code,
    )
    with pytest.raises(ValueError, match="one of"):
        shape_error_demo("reshaped")
