"""Build & Train's replays: a run already trained on this server with these settings plays back.

``start_training`` is what Train does: a run this server has recorded (``mnist_core.replays``) is
replayed in a few seconds without waiting for the training slot; any other run queues for the
slot, and once it has it, it still replays if an identical run finished in the meantime (30
students pressing Train together cost one training). ``replay_note`` says so above the curves,
with a button to train afresh instead.
"""

from __future__ import annotations

import functools
import os
import time

import streamlit as st

from mnist_core.i18n import current_language, integer, ntr, run_in_language, tr
from mnist_core.jobs.result_store import ResultStore, fingerprint
from mnist_core.replays import replay, run_key, train_or_replay
from mnist_core.spec import ModelSpec, TrainConfig
from mnist_core.tasks import BackgroundTask, TaskSnapshot
from ui import fair_share
from ui.resources import mnist, training_slots
from ui.tasks import start_task
from ui.training_runs import TRAIN_TASK_KEY

STORE_VARIABLE = "MNIST_RESULT_STORE_MB"
DEFAULT_STORE_MB = 256  # the first network's record is about 1 MB; a wide 5-layer one tens of MB


@st.cache_resource(show_spinner=False)
def run_store() -> ResultStore:
    """The server-wide store of finished runs, shared by every session, within ``$MNIST_RESULT_STORE_MB``."""
    text = os.environ.get(STORE_VARIABLE, "")
    try:
        megabytes = float(text) if text else DEFAULT_STORE_MB
    except ValueError:
        megabytes = DEFAULT_STORE_MB
    return ResultStore(max(int(megabytes * 2**20), 1))


@st.cache_resource(show_spinner=False)
def _data_fingerprint(_arrays, source: str) -> str:
    return fingerprint("mnist", *(array for pair in _arrays for array in pair))


def data_source() -> str:
    """The exact data this server trains on, as a fingerprint of its arrays (hashed once per server)."""
    from mnist_core.data import default_source

    return _data_fingerprint(mnist(), default_source())


def start_training(
    spec: ModelSpec, config: TrainConfig, speed: int | None = None, fresh: bool = False
) -> BackgroundTask:
    """Replay the recorded run of these settings, or queue a training (``fresh``: always train).

    ``speed``: gradient updates a second, 0 for full speed; None: the page's speed control's.
    """
    speed = st.session_state.get("train_speed", 0) if speed is None else speed
    store, key, data = run_store(), run_key(spec, config, data_source()), mnist()
    language = current_language()  # the replay's progress line speaks the student's language
    record = None if fresh else store.get(key)
    fair_share.remember_training_key(TRAIN_TASK_KEY)
    if record is not None:
        work = functools.partial(run_in_language, language, replay, record)
        return start_task(TRAIN_TASK_KEY, work, name=spec.describe())

    def work(control):
        return run_in_language(
            language, train_or_replay, store, key, spec, config, control, data, fresh=fresh
        )

    task = start_task(TRAIN_TASK_KEY, work, name=spec.describe(), slots=training_slots())
    task.request("speed", speed)  # read before the first gradient update
    return task


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
