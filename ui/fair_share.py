"""Fair to the class: one training per session at a time, and a cap on how long one run holds the slot.

- A session (a browser tab) has at most one queued or running training, whichever page started
  it (Build & Train, the loss surface's quick network, the scikit-learn page's comparisons): the
  other Train buttons are disabled while it goes, saying why, and ``start_task`` refuses too.
- ``MNIST_MAX_RUN_SECONDS`` (default 600; 0 turns it off) caps how long one run may hold the
  shared training slot. A run estimated above it is refused at Train; a run that reaches it while
  others wait is stopped between two gradient updates, keeping its model so far.
"""

from __future__ import annotations

import math
import os

import streamlit as st

from mnist_core.i18n import integer, number, tr
from mnist_core.jobs import JobHandle
from mnist_core.jobs.tasks import BackgroundTask, TaskSnapshot

RUN_LIMIT_VARIABLE = "MNIST_MAX_RUN_SECONDS"
DEFAULT_RUN_LIMIT_SECONDS = 600  # ten minutes: a lecture's whole exercise, not a whole lecture
TRAINING_KEYS = "fair_share_training_keys"  # session: the task keys whose tasks train networks


def run_limit_seconds() -> float | None:
    """``$MNIST_MAX_RUN_SECONDS`` as seconds, None when it is 0 (no limit); the default when unset or bad."""
    text = os.environ.get(RUN_LIMIT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_RUN_LIMIT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not math.isfinite(seconds) or seconds < 0:
        st.warning(
            tr(
                "{variable} is set to {value}, which is not a number of seconds: using {default} s. "
                "Set it to a whole number of seconds, or 0 for no limit."
            ).format(
                variable=RUN_LIMIT_VARIABLE, value=repr(text), default=integer(DEFAULT_RUN_LIMIT_SECONDS)
            ),
            icon=":material/settings_alert:",
        )
        return DEFAULT_RUN_LIMIT_SECONDS
    return seconds or None


def _duration(seconds: float) -> str:
    """'10 minutes' or '45 s', in the viewer's language."""
    if seconds >= 120:
        return tr("{minutes} minutes").format(minutes=number(seconds / 60, 0))
    return tr("{seconds} s").format(seconds=number(seconds, 0))


def too_long_message(estimate_seconds: float) -> str | None:
    """Why a run estimated at ``estimate_seconds`` is refused, or None when it fits the server's limit."""
    limit = run_limit_seconds()
    if limit is None or estimate_seconds <= limit:
        return None
    return tr(
        "This run would take about {estimate} here, and this server lets one run use the shared training "
        "slot for at most {limit} (the setting {variable}), so the class is never kept waiting. Use fewer "
        "epochs, a larger batch size or fewer training images; or whoever runs the server can raise "
        "{variable}."
    ).format(estimate=_duration(estimate_seconds), limit=_duration(limit), variable=RUN_LIMIT_VARIABLE)


def remember_training_key(key: str) -> None:
    """Count the task under ``key`` as one of this session's trainings."""
    st.session_state.setdefault(TRAINING_KEYS, set()).add(key)


def training_elsewhere(key: str) -> BackgroundTask | None:
    """This session's queued or running training under another key than ``key``, if there is one."""
    for other in st.session_state.get(TRAINING_KEYS, set()):
        task = st.session_state.get(other)
        if other != key and isinstance(task, BackgroundTask | JobHandle) and not task.state.is_over:
            return task
    return None


def one_at_a_time_message(task: BackgroundTask) -> str:
    """Why a second training cannot start while ``task`` is queued or running in this session."""
    return tr(
        "Your other training ({name}) is still queued or running. One training per student at a time keeps "
        "the server fair to the class: wait for it to end, or stop it."
    ).format(name=task.name)


def slot_limit_note(snapshot: TaskSnapshot) -> None:
    """Say why a run was stopped at the server's time limit, when it was."""
    stop = snapshot.detail.get("slot_limit_stop")
    if not stop:
        return
    st.warning(
        tr(
            "Stopped after {limit} on the shared training slot while other students waited: that is this "
            "server's limit for one run ({variable}). What it learned so far is kept below. For a longer "
            "run, use fewer epochs or a larger batch size, or ask whoever runs the server to raise {variable}."
        ).format(limit=_duration(stop["limit_seconds"]), variable=RUN_LIMIT_VARIABLE),
        icon=":material/timer_off:",
    )
