"""Build & Train's replays: a run already trained on this server with these settings plays back.

``start_training`` is what Train does: a run this server has recorded (``mnist_core.engine.replays``) is
replayed in a few seconds on a server thread (NumPy only), without waiting for the training slot;
any other run trains in a worker process (``mnist_core.jobs.keras_jobs.train_network``), and a
small server thread records its plain result when it finishes. A run still queued (or just given
the slot) when an identical run finishes replays that one instead (``replay_if_recorded``: 30
students pressing Train together cost one training). ``replay_note`` says so above the curves,
with a button to train afresh instead.
"""

from __future__ import annotations

import functools
import threading
import time

import streamlit as st

from mnist_core.engine.replays import record_trained_run, replay, run_key
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.i18n import integer, ntr, tr
from mnist_core.jobs import JobHandle
from mnist_core.jobs.keras_jobs import SLOT_LIMIT_REQUEST, TrainedRun, training_job
from mnist_core.jobs.result_store import ResultStore
from mnist_core.jobs.tasks import BackgroundTask, TaskSnapshot, TaskState
from ui import fair_share
from ui.resources import training_slots
from ui.results import data_source, server_results
from ui.tasks import start_task
from ui.training_runs import TRAIN_TASK_KEY

RUN_KEYS = "train_run_keys"  # session: {task id: (run key, fresh)} of the trainings started here
WATCH_SECONDS = 0.5  # how often a worker's training is looked at for the slot's time limit


def run_store() -> ResultStore:
    """The server's result store, which keeps the finished runs beside every other result (``ui.results``)."""
    return server_results()


def start_training(
    spec: ModelSpec, config: TrainConfig, speed: int | None = None, fresh: bool = False
) -> BackgroundTask | JobHandle:
    """Replay the recorded run of these settings, or queue a training in a worker (``fresh``: always train).

    ``speed``: gradient updates a second, 0 for full speed; None: the page's speed control's.
    """
    speed = st.session_state.get("train_speed", 0) if speed is None else speed
    store, key = run_store(), run_key(spec, config, data_source())
    record = None if fresh else store.get(key)
    fair_share.remember_training_key(TRAIN_TASK_KEY)
    if record is not None:
        return start_replay(spec, record)
    task = start_task(
        TRAIN_TASK_KEY,
        training_job(spec, config),
        name=spec.describe(),
        slots=training_slots(),
        in_worker=True,
    )
    task.request("speed", speed)  # read before the first gradient update
    st.session_state.setdefault(RUN_KEYS, {})[task.id] = (key, fresh)
    watch_run(task, key, store)  # a fresh run is recorded again, like any repeatable one
    return task


def start_replay(spec: ModelSpec, record) -> BackgroundTask:
    """Play ``record`` back on a thread of the server: NumPy and sleeps, no Keras, no training slot."""
    return start_task(TRAIN_TASK_KEY, functools.partial(replay, record), name=spec.describe())


def watch_run(task: JobHandle, key: str | None, store: ResultStore | None = None) -> None:
    """A small server thread that follows a worker's training: the slot's time limit, then the recording.

    ``key``: record the run in ``store`` under it once it finished repeatable (None: not recorded, a branch).
    The recording happens here, in the server, from the worker's plain ``TrainedRun``.
    """
    slots = training_slots()
    threading.Thread(
        target=_follow, args=(task, key, store, slots), name=f"watch-{task.id}", daemon=True
    ).start()


def _follow(task: JobHandle, key: str | None, store: ResultStore | None, slots) -> None:
    held_since = None
    asked = False
    while True:
        snapshot = task.join(WATCH_SECONDS)
        if snapshot.is_over:
            break
        if snapshot.state in (TaskState.RUNNING, TaskState.PAUSED):
            held_since = held_since or time.monotonic()
            limit = slots.hold_limit_seconds
            if not asked and limit and time.monotonic() - held_since > limit and slots.waiting_count:
                asked = True  # the engine ends the run between two updates, keeping what it learned
                task.request(SLOT_LIMIT_REQUEST, limit)
                task.resume()  # a paused run holds the slot too: it ends at once
    result = snapshot.result
    if key and store is not None and snapshot.state == TaskState.FINISHED and isinstance(result, TrainedRun):
        record = record_trained_run(key, result)
        if record is not None:
            store.put(key, record, size=record.size_bytes)


def replay_if_recorded(task, snapshot: TaskSnapshot) -> None:
    """A run waiting for (or just given) the slot replays when an identical run has finished meanwhile.

    30 students pressing Train together on the same preset then cost one training: each later one
    is stopped before it trains much and replays the first one's record instead.
    """
    if snapshot.is_over or not isinstance(task, JobHandle) or "replay_of" in snapshot.detail:
        return
    if snapshot.state == TaskState.RUNNING and snapshot.detail.get("updates_done", 0) > 0:
        return  # already training: let it finish (it may have been steered)
    key, fresh = st.session_state.get(RUN_KEYS, {}).get(task.id, (None, True))
    record = run_store().get(key) if key and not fresh else None
    if record is None:
        return
    start_replay(record.result.spec, record)
    st.rerun(scope="app")


def ago(seconds: float) -> str:
    """'less than a minute ago', '3 minutes ago', '2 hours ago' in the viewer's language."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return tr("less than a minute ago")
    if minutes < 120:
        return ntr("{n} minute ago", "{n} minutes ago", minutes).format(n=integer(minutes))
    hours = minutes // 60
    return ntr("{n} hour ago", "{n} hours ago", hours).format(n=integer(hours))


def replay_note(snapshot: TaskSnapshot, narrow: bool = False) -> None:
    """Above a replayed run's curves: that it is one, when it was trained, and a button to train it afresh.

    ``narrow``: for a column beside the curves (presenter view), the line above the button, as a caption.
    """
    detail = snapshot.detail
    if "replay_of" not in detail:
        return
    spec, config = detail["replay_settings"]
    when = ago(time.time() - detail.get("replay_recorded_at", time.time()))
    if snapshot.is_over:
        text = tr("This run is a replay: these settings and this seed were trained on this server {ago}.")
    else:
        text = tr("These settings and this seed were trained on this server {ago}: replaying that run.")
    with st.container(horizontal=not narrow, vertical_alignment="center"):
        if narrow:
            st.caption(":material/replay: " + text.format(ago=when))
        else:
            st.info(text.format(ago=when), icon=":material/replay:", width="stretch")
        afresh = st.button(
            tr("Train afresh instead"),
            key="train_afresh",
            icon=":material/model_training:",
            help=tr(
                "Trains the network for real on the shared training slot. Same settings, same seed: "
                "the same curves and the same test accuracy, in the time a training takes."
            ),
            disabled=fair_share.training_elsewhere(TRAIN_TASK_KEY) is not None,
        )
    if afresh:  # a plain click, not a callback: the whole page must rerun around the new task
        start_training(spec, config, fresh=True)
        st.rerun(scope="app")
