"""The training status in the sidebar, on every page, so a run is never out of sight."""

from __future__ import annotations

import streamlit as st

from mnist_core.i18n import tr
from mnist_core.jobs.tasks import TaskState
from ui.tasks import POLL_SECONDS, STATE_LABELS, get_task
from ui.training_runs import TRAIN_TASK_KEY, collect_finished_run


def training_status() -> None:
    """A small live box: the current run's state and progress, with a link to its page."""
    collect_finished_run()
    task = get_task(TRAIN_TASK_KEY)
    if task is None:
        return

    def box():
        snapshot = task.snapshot()
        label = tr(STATE_LABELS[snapshot.state])
        st.caption(tr("**Training** · {state}").format(state=label))
        failed = snapshot.state == TaskState.FAILED  # its explanation is on Build & Train, once
        message = tr(snapshot.message)
        st.progress(snapshot.fraction, text=None if message == label or failed else message)
        if snapshot.is_over:
            collect_finished_run()

    with st.sidebar:
        if task.snapshot().is_over:
            box()
        else:
            st.fragment(box, run_every=POLL_SECONDS * 2)()
        st.page_link(
            "app_pages/build_and_train.py", label=tr("Open Build & Train"), icon=":material/model_training:"
        )
