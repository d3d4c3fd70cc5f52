"""Check a user's uploaded ``.keras`` file where Keras lives (a worker), and say what it is in plain data.

The Streamlit server never loads the upload: it sends the file's bytes to a worker, which loads
them in Keras's safe mode, checks the input and output shapes, counts NaN weights and scores the
model on the test set. The answer is an ``UploadCheck``: an error message for the student, or the
facts the pages show. This module never imports Keras at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from mnist_core.i18n import tr


@dataclass(frozen=True)
class UploadCheck:
    """What a worker found in an uploaded model: ``error`` (what to do instead), or its facts."""

    error: str | None = None
    test_accuracy: float = float("nan")
    non_finite_weights: int = 0  # NaN or infinite weights: its answers mean nothing

    @property
    def ok(self) -> bool:
        return self.error is None


def check_upload(data: bytes, filename: str, data_source: str | None = None, control=None) -> UploadCheck:
    """Load ``data`` (a ``.keras`` file's bytes) with Keras safe mode and score it on the test set.

    Parameters
    ----------
    data : bytes
        The uploaded file.
    filename : str
        Its name, for the messages.
    data_source : str, optional
        Where to read MNIST (``load_mnist``'s ``source``); the default source when None.
    control : TaskControl, optional
        Given by the executor; the check is short and does not report progress.

    Returns
    -------
    UploadCheck
        ``error`` set for anything that is not an MNIST model Keras can run (too large, not a
        .keras archive, unreadable, wrong shapes, a layer that fails on the test images).
    """
    from mnist_core.data.mnist import load_mnist
    from mnist_core.engine.models import load_model_bytes, non_finite_weights
    from mnist_core.inspect.evaluation import evaluate

    try:
        model = load_model_bytes(data, filename)
    except ValueError as error:
        return UploadCheck(error=str(error))
    _, (x_test, y_test) = load_mnist(data_source)
    try:
        accuracy = evaluate(model, x_test, y_test).accuracy
    except Exception as error:  # noqa: BLE001 - any layer of a user's model can fail in its own way
        return UploadCheck(
            error=tr("Keras loaded {filename} but could not run it on the test images: {error}").format(
                filename=filename, error=f"{type(error).__name__}: {str(error)[:300]}"
            )
        )
    return UploadCheck(test_accuracy=accuracy, non_finite_weights=non_finite_weights(model))
