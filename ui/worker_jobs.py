"""Where the app's Keras work runs: worker processes, so the Streamlit server never imports TensorFlow.

Two pools, made once per server (``MNIST_EXECUTOR`` picks the kind, ``process`` by default):

- ``long_executor()`` runs background tasks (trainings, landscapes, t-SNE, grids) started with
  ``start_task(..., in_worker=True)``. Its workers are limited by the pages' slot pools.
- ``quick_executor()`` answers the short calls a page waits for (a drawn digit's prediction, a
  model's layers, a trace, the test accuracy), so they never queue behind a training.

A page names a model by ``ModelRef`` (``ModelChoice.ref``) and asks for a computation on it:

    probabilities = on_model(predict_probabilities, choice.ref, digit[None])

``on_model`` waits for the answer (a worker keeps the last few models loaded, so a stroke's
prediction is one forward pass and a round trip). A job that fails raises ``WorkerJobFailed``
with a message for the student; ``show_failure`` shows it.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from mnist_core.i18n import current_language, run_in_language, tr
from mnist_core.jobs import Executor, TaskState, make_executor
from mnist_core.jobs.config import (
    DEFAULT_EXECUTOR,
    EXECUTOR_VARIABLE,
    limit_native_threads,
    workers_share_disk,
)
from mnist_core.jobs.model_jobs import ModelCall, ModelDescription, ModelRef, describe_model
from ui.results import remembered

QUICK_WORKERS_VARIABLE = "MNIST_QUICK_WORKERS"  # worker processes for short calls (default 1)
QUICK_TIMEOUT_SECONDS = 120.0  # a cold worker imports Keras first; a warm one answers in milliseconds


class WorkerJobFailed(RuntimeError):
    """A short job ended without a result: ``message`` says why, for the student; ``details`` for developers."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.message, self.details = message, details


def executor_kind() -> str:
    return (os.environ.get(EXECUTOR_VARIABLE) or DEFAULT_EXECUTOR).strip().lower()


@st.cache_resource(show_spinner=False)
def long_executor() -> Executor:
    """The pool for background tasks (``MNIST_WORKERS`` processes, default 2)."""
    return make_executor(executor_kind())


@st.cache_resource(show_spinner=False)
def quick_executor() -> Executor:
    """The pool for short calls a page waits for (``MNIST_QUICK_WORKERS`` processes, default 1)."""
    kind = executor_kind()
    if kind != "process":
        return make_executor(kind)
    from mnist_core.jobs.process_executor import ProcessExecutor, ProcessPoolConfig

    workers = int(os.environ.get(QUICK_WORKERS_VARIABLE) or 1)
    return ProcessExecutor(ProcessPoolConfig(workers=workers))


def start_workers() -> None:
    """Start both pools now (once per server), so their workers have imported Keras before a page asks.

    Starting a worker does not wait for it: the page that calls this is not held up. The server's own
    NumPy work (PCA, nearest neighbours) gets one BLAS thread from here on (``limit_native_threads``).
    """
    limit_native_threads()
    long_executor()
    quick_executor()


@st.cache_resource(show_spinner=False)
def model_spool() -> Path:
    """A folder the workers read trained and uploaded models from (one file per model, by fingerprint)."""
    return Path(tempfile.mkdtemp(prefix="mnist-models-"))


def spooled_ref(keras_bytes: bytes) -> ModelRef:
    """The ``ModelRef`` of a run's or an upload's ``.keras`` bytes: written once, then named by path.

    On Ray the workers may be on other machines, where the server's folder does not exist: there the
    bytes travel with each call, and a worker still loads each model once (by its fingerprint).
    """
    if not workers_share_disk(executor_kind()):
        return ModelRef.of_bytes(keras_bytes)
    return ModelRef.spooled(keras_bytes, model_spool())


def in_this_language(work: Callable) -> Callable:
    """``work`` run in the page's language (its messages and any text it returns), still picklable."""
    return functools.partial(run_in_language, current_language(), work)


def run_quick(work: Callable, name: str = "quick job", timeout: float = QUICK_TIMEOUT_SECONDS) -> Any:
    """Run the picklable ``work(control)`` on the quick pool and return its result.

    Raises
    ------
    WorkerJobFailed
        When the job failed, was stopped, or took longer than ``timeout`` seconds.
    """
    handle = quick_executor().submit(in_this_language(work), name=name)
    snapshot = handle.join(timeout)
    if snapshot.state == TaskState.FINISHED:
        return snapshot.result
    if not snapshot.is_over:
        handle.stop()
        raise WorkerJobFailed(
            tr("The answer took longer than {seconds} s, so it was stopped. Try again in a moment.").format(
                seconds=int(timeout)
            )
        )
    raise WorkerJobFailed(tr(snapshot.message), snapshot.error_details)


def on_model(function: Callable, ref: ModelRef, *args, **kwargs) -> Any:
    """``function(model, *args, **kwargs)`` on the model ``ref`` names, in a worker; its result.

    ``function`` is a top-level core function; its arguments and result are plain data.
    """
    return run_quick(ModelCall(function, ref, args, kwargs), name=getattr(function, "__name__", "model job"))


def model_description(ref: ModelRef) -> ModelDescription:
    """What the model is (layers, shapes, weights), asked of a worker once per model and kept in the
    server's result store (a wide network's weights are tens of MB: the store counts them)."""
    return remembered("model.description", ref.fingerprint, compute=lambda: on_model(describe_model, ref))


def show_failure(failure: WorkerJobFailed) -> None:
    """The failure's message in a red box, with its traceback folded under it."""
    st.error(failure.message, icon=":material/error:")
    if failure.details:
        with st.expander(tr("Technical details")):
            st.code(failure.details)
