"""Server-wide resources, created once per Streamlit server and shared by every session."""

from __future__ import annotations

import os

import streamlit as st

from mnist_core.data.mnist import data_problem_advice, load_mnist
from mnist_core.i18n import integer, tr
from mnist_core.jobs.tasks import SlotPool
from ui.fair_share import run_limit_seconds

TRAINING_SLOTS_VARIABLE = "MNIST_MAX_TRAININGS"  # concurrent Keras trainings per server
BACKGROUND_SLOTS_VARIABLE = "MNIST_MAX_BACKGROUND_TASKS"  # projections, landscapes, grids


# The spinners' texts are the viewer's language, so they are drawn by the callers, not the decorator
# (whose text is fixed at import). A spinner shows only after half a second: never on a cached call.
@st.cache_resource(show_spinner=False)
def _mnist():
    return load_mnist()


def mnist():
    """The MNIST arrays, loaded once per server and shared read-only (47 MB as uint8).

    When they cannot be read (a wrong ``MNIST_DATA_DIR``, a truncated file), the page
    says which file is wrong and what to do, and stops there instead of showing a traceback.
    """
    try:
        with st.spinner(tr("Loading the {count} MNIST images…").format(count=integer(70_000))):
            return _mnist()
    except ValueError as error:
        st.error(
            tr("**The MNIST data cannot be read, so this page cannot be shown.**")
            + f"\n\n{error}\n\n"
            + tr("**What to do:** {advice}").format(advice=data_problem_advice()),
            icon=":material/folder_off:",
        )
        st.stop()


def _slots_from_environment(variable: str, hold_limit_seconds: float | None = None) -> SlotPool:
    value = os.environ.get(variable, "1")
    try:
        return SlotPool(int(value), hold_limit_seconds=hold_limit_seconds)
    except ValueError:
        st.warning(
            tr(
                "{variable} is set to {value}, which is not a whole number of at least 1: running one task at "
                "a time. Set it to 1, 2, ... or unset it."
            ).format(variable=variable, value=repr(value)),
            icon=":material/settings_alert:",
        )
        return SlotPool(1, hold_limit_seconds=hold_limit_seconds)


@st.cache_resource
def training_slots() -> SlotPool:
    """How many networks train at once on this server (default 1: two cores train one fastest).

    One run holds a slot for at most ``$MNIST_MAX_RUN_SECONDS`` while others wait (``ui.fair_share``).
    """
    return _slots_from_environment(TRAINING_SLOTS_VARIABLE, run_limit_seconds())


@st.cache_resource
def background_slots() -> SlotPool:
    """How many other long computations (t-SNE, landscapes, grid searches) run at once."""
    return _slots_from_environment(BACKGROUND_SLOTS_VARIABLE)


@st.cache_resource(show_spinner=False)
def shipped_history(key: str) -> list:
    """A shipped model's saved weights before training and after each epoch, read once per server."""
    from mnist_core.engine.default_model import load_shipped_history

    return load_shipped_history(key)
