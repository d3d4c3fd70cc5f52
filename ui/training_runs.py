"""This session's training runs: the one in progress and the finished ones other pages use.

The contract other pages rely on:
- ``st.session_state[TRAIN_TASK_KEY]``: the ``BackgroundTask`` of the latest training run.
- ``finished_runs()``: every run of this session that produced a model, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import streamlit as st

from mnist_core.tasks import TaskState
from mnist_core.training import TrainingResult
from ui.tasks import get_task

TRAIN_TASK_KEY = "train_task"
RUNS_KEY = "train_runs"
UPLOADED_MODEL_KEY = "uploaded_model"  # an UploadedModel, set on the Build & Train page
MAX_KEPT_RUNS = 6  # older runs are dropped so a long lecture does not fill the server's memory


@dataclass
class FinishedRun:
    """A run of this session with a model: finished, or stopped early after some training."""

    number: int  # 1, 2, ... in this session
    result: TrainingResult
    batches: dict  # per-batch curves: update, loss, accuracy
    state: TaskState

    @cached_property
    def keras_bytes(self) -> bytes:
        """The run's model as a .keras file, made once."""
        from mnist_core.models import model_to_bytes

        return model_to_bytes(self.result.model)

    @cached_property
    def summary_text(self) -> str:
        from mnist_core.models import model_summary

        return model_summary(self.result.model)

    @property
    def label(self) -> str:
        stopped = " (stopped early)" if self.state == TaskState.STOPPED else ""
        return (
            f"Run {self.number}: {self.result.spec.describe()}, {len(self.result.epochs)} epochs, "
            f"batch {self.result.config.batch_size}, test accuracy {self.result.test_accuracy:.4f}{stopped}"
        )


@dataclass
class UploadedModel:
    """A .keras file a user uploaded, checked to take MNIST images and output 10 classes."""

    filename: str
    model: object  # keras.Model
    test_accuracy: float
    non_finite_weights: int = 0  # NaN or infinite weights: its answers mean nothing


def uploaded_model() -> UploadedModel | None:
    return st.session_state.get(UPLOADED_MODEL_KEY)


def finished_runs() -> list[FinishedRun]:
    collect_finished_run()
    return list(st.session_state.get(RUNS_KEY, []))


def collect_finished_run() -> None:
    """Move the current task's result into the list of runs, once, when it has one."""
    task = get_task(TRAIN_TASK_KEY)
    if task is None or not task.state.is_over:
        return
    runs: list[FinishedRun] = st.session_state.setdefault(RUNS_KEY, [])
    collected: set[int] = st.session_state.setdefault(RUNS_KEY + "_task_ids", set())
    if task.id in collected:
        return
    collected.add(task.id)
    snapshot = task.snapshot()
    if not isinstance(snapshot.result, TrainingResult):
        return  # failed or stopped before training: nothing to keep
    number = runs[-1].number + 1 if runs else 1
    batches = snapshot.detail.get("batches", {"update": [], "loss": [], "accuracy": []})
    runs.append(FinishedRun(number, snapshot.result, batches, snapshot.state))
    del runs[:-MAX_KEPT_RUNS]
