"""Start background tasks from a page and show them live, surviving reruns and page switches.

A task lives in ``st.session_state[key]``. The page calls ``task_panel(key, draw)``;
while the task runs, the panel is a fragment that reruns itself twice a second,
reading only the task's snapshot, so widgets elsewhere on the page stay usable
and moving one never touches the work.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from mnist_core.i18n import N_, current_language, integer, number, run_in_language, tr
from mnist_core.jobs import JobHandle
from mnist_core.jobs.tasks import BackgroundTask, SlotPool, TaskControl, TaskSnapshot, TaskState
from ui import fair_share
from ui.resources import training_slots
from ui.worker_jobs import long_executor

POLL_SECONDS = 0.5  # two chart updates a second

STATE_LABELS = {
    TaskState.QUEUED: N_("Queued"),
    TaskState.RUNNING: N_("Running"),
    TaskState.PAUSED: N_("Paused"),
    TaskState.STOPPED: N_("Stopped"),
    TaskState.FINISHED: N_("Finished"),
    TaskState.FAILED: N_("Failed"),
}
# The messages mnist_core.jobs.tasks writes itself, off the page and so in English: translated where
# shown (a message the work wrote is in the session's language already, and tr leaves it as it is).
TASK_MESSAGES = (
    N_("Waiting to start"),
    N_("Stopped before it started"),
    N_("Stopped: the browser tab that started it was closed"),
)


def session_alive_probe() -> Callable[[], bool] | None:
    """A callable that tells whether this browser session is still connected (None outside a server)."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)


def start_task(
    key: str,
    work: Callable[[TaskControl], Any],
    name: str,
    slots: SlotPool | None = None,
    in_worker: bool = False,
) -> BackgroundTask | JobHandle:
    """Stop any task already under ``key``, then start ``work`` in the background under it.

    ``in_worker``: run ``work`` (picklable: a top-level function, bound with ``functools.partial``,
    returning plain data) on the long-job worker pool (``ui.worker_jobs``), where Keras lives.
    Otherwise it runs in a thread of the server (NumPy work such as a replay): never Keras there.
    """
    if slots is not None and slots is training_slots():
        fair_share.remember_training_key(key)
        other = fair_share.training_elsewhere(key)
        if other is not None:  # the pages disable their buttons first; this is the last word
            st.warning(fair_share.one_at_a_time_message(other), icon=":material/group:")
            st.stop()
    previous = st.session_state.get(key)
    if isinstance(previous, BackgroundTask | JobHandle):
        previous.stop()
    # The work's thread has no page to ask for a language: it gets the one of the page that started it.
    language = current_language()
    work = functools.partial(run_in_language, language, work)  # plain data: it can travel to a worker
    if in_worker:
        task = long_executor().submit(work, name=name, slots=slots, owner_alive=session_alive_probe())
    else:
        task = BackgroundTask(work, name=name, slots=slots, owner_alive=session_alive_probe()).start()
    st.session_state[key] = task
    return task


def get_task(key: str) -> BackgroundTask | JobHandle | None:
    task = st.session_state.get(key)
    return task if isinstance(task, BackgroundTask | JobHandle) else None


def describe_progress(snapshot: TaskSnapshot) -> str:
    """One line: state, message, elapsed time and what is left."""
    parts = [tr(STATE_LABELS[snapshot.state])]
    # A failure's message has its own red box under the bar: saying it twice buries it.
    if tr(snapshot.message) != parts[0] and snapshot.state != TaskState.FAILED:
        parts.append(tr(snapshot.message))
    if snapshot.queue_position:
        parts.append(tr("position {position} in the queue").format(position=integer(snapshot.queue_position)))
    if snapshot.elapsed_seconds:
        parts.append(tr("{seconds} s elapsed").format(seconds=number(snapshot.elapsed_seconds, 1)))
    # A worker that measures its own speed knows better than the share done (validation, slow motion).
    eta = (
        snapshot.detail.get("eta_seconds", snapshot.eta_seconds)
        if snapshot.state == TaskState.RUNNING
        else None
    )
    if eta is not None:
        parts.append(tr("about {seconds} s left").format(seconds=integer(round(eta))))
    return " · ".join(parts)


def task_controls(task: BackgroundTask, snapshot: TaskSnapshot, key: str, pausable: bool = True) -> None:
    """Pause/Resume and Stop buttons for a task that is not over.

    They act through on_click callbacks, which Streamlit runs before the next rerun,
    so a click is never lost to a polling rerun that happens at the same moment.
    """
    if snapshot.is_over:
        return
    columns = st.columns([1, 1, 4])
    if pausable and snapshot.state in (TaskState.RUNNING, TaskState.PAUSED):
        paused = snapshot.state == TaskState.PAUSED
        columns[0].button(
            tr("Resume") if paused else tr("Pause"),
            key=f"{key}_pause",
            icon=":material/play_pause:",
            on_click=task.resume if paused else task.pause,
        )
    columns[1].button(tr("Stop"), key=f"{key}_stop", icon=":material/stop:", on_click=task.stop)


def task_panel(
    key: str,
    draw: Callable[[TaskSnapshot], None] | None = None,
    pausable: bool = True,
) -> TaskSnapshot | None:
    """Show the task under ``key`` live: progress, controls, and ``draw(snapshot)`` for the rest.

    Returns the snapshot taken when the page ran (None when there is no task). When
    the task ends while the panel is polling, the whole page reruns once so that
    the rest of it can show the result.
    """
    task = get_task(key)
    if task is None:
        return None
    first = task.snapshot()
    seen_over_key = f"{key}_seen_over"
    if first.is_over:
        st.session_state[seen_over_key] = task.id

    def body():
        snapshot = task.snapshot()
        if snapshot.is_over and st.session_state.get(seen_over_key) != task.id:
            st.session_state[seen_over_key] = task.id
            st.rerun(scope="app")
        st.progress(snapshot.fraction, text=describe_progress(snapshot))
        task_controls(task, snapshot, key, pausable)
        if snapshot.state == TaskState.FAILED:
            st.error(tr(snapshot.message), icon=":material/error:")
            if snapshot.error_details:
                with st.expander(tr("Technical details")):
                    st.code(snapshot.error_details)
        if draw is not None:
            draw(snapshot)

    if first.is_over:
        body()
    else:
        st.fragment(body, run_every=POLL_SECONDS)()
    return first
