"""Upload a user's .keras model, check it, and keep it for the other pages."""

from __future__ import annotations

import streamlit as st

from mnist_core.i18n import integer, number, tr
from mnist_core.models import MAX_UPLOAD_BYTES
from ui.resources import mnist
from ui.training_runs import UPLOADED_MODEL_KEY, UploadedModel, uploaded_model


@st.cache_resource(max_entries=4, show_spinner=False)  # the spinner is the caller's, in the viewer's language
def _load_and_score(data: bytes, filename: str) -> UploadedModel:
    """Load with Keras safe mode and score on the test set (cached by the file's bytes)."""
    import numpy as np

    from mnist_core.models import load_model_bytes, non_finite_weights, to_model_inputs

    model = load_model_bytes(data, filename)
    _, (x_test, y_test) = mnist()
    try:
        probabilities = model.predict(to_model_inputs(model, x_test), batch_size=1000, verbose=0)
    except Exception as error:  # noqa: BLE001 - any layer of a user's model can fail in its own way
        raise ValueError(
            tr("Keras loaded {filename} but could not run it on the test images: {error}").format(
                filename=filename, error=f"{type(error).__name__}: {str(error)[:300]}"
            )
        ) from error
    accuracy = float((np.argmax(probabilities, axis=1) == y_test).mean())
    return UploadedModel(filename, model, accuracy, non_finite_weights(model))


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
        try:
            with st.spinner(tr("Checking the model on the test set…")):
                st.session_state[UPLOADED_MODEL_KEY] = _load_and_score(upload.getvalue(), upload.name)
        except ValueError as error:
            st.error(f"{error}", icon=":material/block:")
            return
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
