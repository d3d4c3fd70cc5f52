"""Server-wide resources, created once per Streamlit server and shared by every session."""

from __future__ import annotations

import os

import streamlit as st

from mnist_core.data import load_mnist
from mnist_core.tasks import SlotPool

TRAINING_SLOTS_VARIABLE = "MNIST_MAX_TRAININGS"  # concurrent Keras trainings per server
BACKGROUND_SLOTS_VARIABLE = "MNIST_MAX_BACKGROUND_TASKS"  # projections, landscapes, grids


@st.cache_resource(show_spinner="Loading the 70,000 MNIST images…")
def mnist():
    """The bundled MNIST arrays, loaded once per server and shared read-only (47 MB as uint8)."""
    return load_mnist()


def _slots_from_environment(variable: str) -> SlotPool:
    value = os.environ.get(variable, "1")
    try:
        return SlotPool(int(value))
    except ValueError as error:
        raise ValueError(f"{variable} must be a whole number of at least 1, got {value!r}") from error


@st.cache_resource
def training_slots() -> SlotPool:
    """How many networks train at once on this server (default 1: two cores train one fastest)."""
    return _slots_from_environment(TRAINING_SLOTS_VARIABLE)


@st.cache_resource
def background_slots() -> SlotPool:
    """How many other long computations (t-SNE, landscapes, grid searches) run at once."""
    return _slots_from_environment(BACKGROUND_SLOTS_VARIABLE)


@st.cache_resource(show_spinner="Loading Keras and TensorFlow (once per server, a few seconds)…")
def keras_module():
    """Import Keras on the script thread, once, before any worker needs it.

    Importing TensorFlow holds Python's GIL for seconds; done inside a training
    thread it would freeze every page of the server with no explanation.
    """
    import keras

    return keras
