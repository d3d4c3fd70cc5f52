"""The lessons' bugs, run for real so a student sees the real error (lessons 3 and 5).

- Skip the reshape: fit a 784-input network on (n, 28, 28) images.
- Skip the one-hot encoding: fit a 10-way softmax with categorical
  cross-entropy on integer labels.
- Overwrite the test labels with their one-hot encoding, then count correct
  predictions by comparing class numbers with them.

The first two fit a real Keras network: a page runs them in a worker process as
``shape_error_demo(which)``, which reads MNIST there, so the server never imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnist_core.data.mnist import N_PIXELS, flatten, load_mnist, one_hot
from mnist_core.i18n import integer, number, tr

DEMO_SAMPLES = 256  # two batches: the error comes before any learning
DEMO_BATCH_SIZE = 128  # Keras names the shape of one batch in its error, so the code shows it too
OVERWRITE_BUG_CODE = """\
y_test = to_categorical(y_test, 10)   # the integer labels are gone
predicted = np.argmax(model.predict(x_test), axis=1)
print(len(np.nonzero(predicted == y_test)[0]), "correctly classified")
print(len(np.nonzero(predicted != y_test)[0]), "incorrectly")"""


@dataclass(frozen=True)
class CapturedError:
    """What a buggy line really raised, and the line that fixes it.

    ``title``, ``fixed_result`` and ``why`` are in the language current when it was made; the code and
    Keras's ``message`` stay as they are.
    """

    title: str
    buggy_code: str
    error_type: str  # e.g. "ValueError"; "" if, surprisingly, nothing was raised
    message: str
    fixed_code: str
    fixed_result: str  # what the fixed line did, measured
    why: str  # the fix, in a student's words

    @property
    def raised(self) -> bool:
        return bool(self.error_type)


def _first_network():
    from mnist_core.engine.models import build_model
    from mnist_core.engine.spec import ModelSpec

    return build_model(ModelSpec())


def _fit_and_capture(model, x: np.ndarray, y: np.ndarray) -> tuple[str, str]:
    """Run one epoch of ``model.fit``; return (exception type, message), or ("", "") if it ran."""
    try:
        model.fit(x, y, batch_size=DEMO_BATCH_SIZE, epochs=1, verbose=0)
    except Exception as error:  # noqa: BLE001 - the point is to show whatever Keras raises
        return type(error).__name__, str(error)
    return "", ""


def _fit_loss(model, x: np.ndarray, y: np.ndarray) -> str:
    history = model.fit(x, y, batch_size=DEMO_BATCH_SIZE, epochs=1, verbose=0)
    return tr("fit ran: 1 epoch on {n} images, loss {loss}").format(
        n=integer(len(x)), loss=number(history.history["loss"][-1], 3)
    )


def skip_reshape(images: np.ndarray, labels: np.ndarray) -> CapturedError:
    """Fit the first network on images of shape (n, 28, 28) instead of (n, 784).

    Parameters
    ----------
    images : array-like of shape (n, 28, 28), uint8
        A few hundred training images are enough.
    labels : array-like of shape (n,), integers 0-9
    """
    images, targets = np.asarray(images)[:DEMO_SAMPLES], one_hot(np.asarray(labels)[:DEMO_SAMPLES])
    error_type, message = _fit_and_capture(_first_network(), images, targets)
    fixed = flatten(images)
    return CapturedError(
        title=tr("Skip the reshape"),
        buggy_code=(
            f"model.fit(x_train, y_train, batch_size={DEMO_BATCH_SIZE})  # x_train.shape == {images.shape}\n"
            f"# Keras checks each batch of {DEMO_BATCH_SIZE} images, so its error names ({DEMO_BATCH_SIZE}, 28, 28)"
        ),
        error_type=error_type,
        message=message,
        fixed_code=f"x_train = x_train.reshape(({len(images)}, {N_PIXELS}))  # now {fixed.shape}",
        fixed_result=_fit_loss(_first_network(), fixed, targets),
        why=tr(
            "The first Dense layer has {pixels} inputs, one per pixel, so each image must arrive as a "
            "{pixels}-long vector: unroll the 28 x 28 grid row after row."
        ).format(pixels=N_PIXELS),
    )


def skip_one_hot(images: np.ndarray, labels: np.ndarray) -> CapturedError:
    """Fit the first network with categorical cross-entropy on integer labels of shape (n,)."""
    inputs = flatten(np.asarray(images)[:DEMO_SAMPLES])
    labels = np.asarray(labels)[:DEMO_SAMPLES]
    error_type, message = _fit_and_capture(_first_network(), inputs, labels)
    encoded = one_hot(labels)
    return CapturedError(
        title=tr("Skip the one-hot encoding"),
        buggy_code=(
            f"model.fit(x_train, y_train, batch_size={DEMO_BATCH_SIZE})  # y_train.shape == {labels.shape}, "
            f"e.g. {labels[0]}"
        ),
        error_type=error_type,
        message=message,
        fixed_code=(
            f"y_train = keras.utils.to_categorical(y_train, 10)  # now {encoded.shape}, "
            f"{labels[0]} -> {encoded[0].astype(int).tolist()}"
        ),
        fixed_result=_fit_loss(_first_network(), inputs, encoded),
        why=tr(
            "The softmax layer outputs 10 probabilities per image, and categorical cross-entropy compares "
            "them with 10 target numbers: one label must become ten, a 1 for its digit and 0 elsewhere."
        ),
    )


SHAPE_ERRORS = ("reshape", "one-hot")


def shape_error_demo(which: str, control=None) -> CapturedError:
    """Lesson 3's shape error ``which`` ("reshape" or "one-hot"), run on the first training images.

    A job for a worker (``ui.worker_jobs.run_quick(functools.partial(shape_error_demo, which))``):
    it reads MNIST where it runs and returns plain data, the texts in the language it runs in.

    Raises
    ------
    ValueError
        For a ``which`` that is not one of ``SHAPE_ERRORS``.
    """
    if which not in SHAPE_ERRORS:
        raise ValueError(f"which must be one of {SHAPE_ERRORS}, got {which!r}")
    (images, labels), _ = load_mnist()
    demo = skip_reshape if which == "reshape" else skip_one_hot
    return demo(images[:DEMO_SAMPLES], labels[:DEMO_SAMPLES])


@dataclass(frozen=True)
class OverwriteBug:
    """Lesson 5's counting bug: test labels overwritten by their one-hot encoding.

    Attributes
    ----------
    labels_shape : tuple
        Shape of the overwritten labels, (n, 10).
    predicted_shape : tuple
        Shape of the predicted class numbers, (n,).
    error_type, message : str
        What today's NumPy raises for ``predicted == labels`` ("" if it did not).
    legacy_correct, legacy_incorrect : int
        The count the lesson's code printed on NumPy before 1.25, which gave up
        on the comparison and returned one False for ``==`` and one True for
        ``!=``: np.nonzero of those has 0 and 1 entries.
    correct, incorrect : int
        The real counts with integer labels kept in their own variable.
    """

    labels_shape: tuple
    predicted_shape: tuple
    error_type: str
    message: str
    legacy_correct: int
    legacy_incorrect: int
    correct: int
    incorrect: int


def one_hot_overwrite(predicted: np.ndarray, labels: np.ndarray) -> OverwriteBug:
    """Run lesson 5's buggy count, and the fixed one.

    Parameters
    ----------
    predicted : array-like of shape (n,)
        Predicted digits (argmax of the model's output).
    labels : array-like of shape (n,)
        True digits.
    """
    predicted = np.asarray(predicted)
    y_test = np.asarray(labels)
    y_test_labels = y_test  # the fix: keep the integers in their own variable...
    y_test = one_hot(y_test)  # ... because the bug overwrites them with the one-hot rows
    try:
        equal = predicted == y_test
        error_type, message = "", ""
    except ValueError as error:
        equal, error_type, message = None, type(error).__name__, str(error)
    if equal is not None:  # shapes happened to broadcast (n == 10): a silent, absurd count
        legacy_correct = len(np.nonzero(equal)[0])
        legacy_incorrect = len(np.nonzero(~equal)[0])
    else:  # what NumPy < 1.25 did: a single False for ==, a single True for !=
        legacy_correct = len(np.nonzero(np.atleast_1d(False))[0])
        legacy_incorrect = len(np.nonzero(np.atleast_1d(True))[0])
    correct = len(np.nonzero(predicted == y_test_labels)[0])
    return OverwriteBug(
        labels_shape=y_test.shape,
        predicted_shape=predicted.shape,
        error_type=error_type,
        message=message,
        legacy_correct=legacy_correct,
        legacy_incorrect=legacy_incorrect,
        correct=correct,
        incorrect=len(predicted) - correct,
    )
