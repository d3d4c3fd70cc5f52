"""Which model the Predictions and Inside the network pages show, and its cached results.

The choices: the models shipped with the app, this session's training runs,
and an uploaded .keras file. Results that cost a pass over the test set are
cached server-wide per model object, so switching back and forth, or a
lecture re-opening the page, is instant; they disappear with the model.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from mnist_core.default_model import FIRST_NETWORK, SHIPPED_MODELS, load_shipped
from ui.resources import mnist
from ui.training_runs import finished_runs, uploaded_model

YOUR_DIGIT_KEY = "predictions_your_digit"  # the latest preprocessed drawing or upload, for both pages


@dataclass(frozen=True)
class ModelChoice:
    key: str  # "default", "default-convnet", "run-3" or "upload"
    label: str
    model: object  # keras.Model

    @property
    def is_convnet(self) -> bool:
        return any(type(layer).__name__ == "Conv2D" for layer in self.model.layers)


@st.cache_resource(show_spinner="Loading the default model…")
def _shipped(key: str):
    return load_shipped(key)


def available_models() -> list[ModelChoice]:
    """Shipped models first, then this session's runs (newest first), then the uploaded model."""
    choices = [ModelChoice(m.key, m.label, None) for m in SHIPPED_MODELS]
    for run in reversed(finished_runs()):
        choices.append(ModelChoice(f"run-{run.number}", f"This session's {run.label}", run.result.model))
    upload = uploaded_model()
    if upload is not None:
        choices.append(
            ModelChoice(
                "upload",
                f"Uploaded: {upload.filename}, test accuracy {upload.test_accuracy:.4f}"
                + (" (its weights are NaN: its answers mean nothing)" if upload.non_finite_weights else ""),
                upload.model,
            )
        )
    return choices


def model_picker(key: str) -> ModelChoice:
    """A selectbox of every available model, and a line saying which one the page shows.

    Without a choice yet, it picks this session's latest run, else the shipped
    first network.
    """
    choices = {choice.key: choice for choice in available_models()}
    runs = [k for k in choices if k.startswith("run-")]
    preferred = runs[0] if runs else FIRST_NETWORK.key
    keys = list(choices)
    if st.session_state.get(key) not in choices:
        st.session_state.pop(key, None)
    picked = st.selectbox(
        "Model",
        keys,
        index=keys.index(preferred),
        format_func=lambda k: choices[k].label,
        key=key,
        help="Train one on Build & Train, or upload a .keras file there, and it appears here.",
    )
    choice = choices[picked]
    if choice.model is None:
        choice = ModelChoice(choice.key, choice.label, _shipped(choice.key))
    st.caption(f"Showing **{choice.label}**.")
    return choice


@st.cache_resource
def _per_model_cache() -> tuple[weakref.WeakKeyDictionary, threading.Lock]:
    return weakref.WeakKeyDictionary(), threading.Lock()


def per_model(model, name: str, compute: Callable[[], object]):
    """``compute()`` once per model object and name, shared by every session on the server."""
    cache, lock = _per_model_cache()
    with lock:
        results = cache.setdefault(model, {})
        if name not in results:
            results[name] = compute()
        return results[name]


def test_evaluation(model):
    """The model's ``Evaluation`` on the 10,000 test images, computed once per model."""
    from mnist_core.evaluation import evaluate

    def compute():
        _, (x_test, y_test) = mnist()
        with st.spinner("Predicting the 10,000 test images…"):
            return evaluate(model, x_test, y_test)

    return per_model(model, "test_evaluation", compute)


@st.cache_resource(show_spinner="Indexing the 60,000 training images…")
def training_neighbours():
    """A nearest-neighbour finder over the training images, built once per server."""
    from mnist_core.evaluation import PixelNeighbours

    (x_train, _), _ = mnist()
    return PixelNeighbours(x_train)


def remember_digit(digit: np.ndarray, source: str) -> None:
    """Keep the user's latest digit (28 x 28 uint8) so the other page can trace it."""
    st.session_state[YOUR_DIGIT_KEY] = {"digit": np.array(digit, dtype=np.uint8), "source": source}


def your_digit() -> dict | None:
    """The latest digit remembered by ``remember_digit``: {"digit", "source"}, or None."""
    return st.session_state.get(YOUR_DIGIT_KEY)
