"""Upload a user's .keras model, check it, and keep it for the other pages."""

from __future__ import annotations

import functools

import streamlit as st

from mnist_core.data.mnist import source_for_workers
from mnist_core.engine.models import MAX_UPLOAD_BYTES
from mnist_core.engine.upload_check import UploadCheck, check_upload
from mnist_core.i18n import current_language, integer, number, tr
from ui.results import server_result
from ui.training_runs import UPLOADED_MODEL_KEY, UploadedModel, uploaded_model
from ui.worker_jobs import WorkerJobFailed, run_quick, show_failure


@server_result("upload_check")  # the spinner is the caller's, in the viewer's language
def _checked(data: bytes, filename: str, language: str) -> UploadCheck:
    """The worker's verdict on the file (kept by its bytes, name and language: the message is in it)."""
    return run_quick(
        functools.partial(check_upload, data, filename, source_for_workers()), name="check upload"
    )


def model_upload() -> None:
    """A file uploader for .keras models; a clear message for anything that is not one."""
    st.caption(
        tr(
            "A model saved with model.save('name.keras'), up to {most} MB, that takes "
            "28 x 28 images (or 784-long vectors) and outputs 10 classes. It is loaded in Keras's safe mode."
        ).format(most=integer(MAX_UPLOAD_BYTES // 2**20))
    )
    upload = st.file_uploader(tr("Model file"), type=["keras"], key="train_upload")
    if upload is not None:
        data = upload.getvalue()
        try:
            with st.spinner(tr("Checking the model on the test set…")):
                check = _checked(data, upload.name, current_language())
        except WorkerJobFailed as failure:  # the worker itself failed (killed, out of memory)
            show_failure(failure)
            return
        if not check.ok:
            st.error(check.error, icon=":material/block:")
            return
        current = uploaded_model()
        if current is None or current.keras_bytes != data or current.filename != upload.name:
            st.session_state[UPLOADED_MODEL_KEY] = UploadedModel(
                upload.name, data, check.test_accuracy, check.non_finite_weights
            )
    current = uploaded_model()
    if current is not None and current.non_finite_weights:
        st.warning(
            tr(
                "**{filename}** has {count} weights that are NaN or infinite, "
                "so its answers mean nothing (test accuracy {accuracy}, no better than a guess). "
                "Training probably diverged before it was saved: train it again with a smaller learning rate."
            ).format(
                filename=current.filename,
                count=integer(current.non_finite_weights),
                accuracy=number(current.test_accuracy, 4),
            ),
            icon=":material/warning:",
        )
    elif current is not None:
        st.success(
            tr(
                "Using **{filename}**: test accuracy {accuracy}. "
                "The Predictions and Inside the network pages can show it."
            ).format(filename=current.filename, accuracy=number(current.test_accuracy, 4)),
            icon=":material/check_circle:",
        )
