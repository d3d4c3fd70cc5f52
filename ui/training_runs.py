"""This session's training runs: the one in progress and the finished ones other pages use.

The contract other pages rely on:
- ``st.session_state[TRAIN_TASK_KEY]``: the ``BackgroundTask`` of the latest training run.
- ``finished_runs()``: every run of this session, oldest first (the experiment log).
  Only the latest ``KEPT_MODELS`` runs keep a model (``run.has_model``, ``run.keras_bytes``;
  ``run.ref`` names it for a worker job) and the weight history the loss landscape needs; the
  others keep spec, config, curves and results. Runs train in worker processes and come back
  as plain data (``keras_jobs.TrainedRun``): the server never holds a live Keras model of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import streamlit as st

from mnist_core.engine.experiments import ModelBytesCache
from mnist_core.engine.replays import ReplayedRun
from mnist_core.engine.training import TrainingResult
from mnist_core.i18n import ntr, number, tr
from mnist_core.jobs.keras_jobs import TrainedRun
from mnist_core.jobs.model_jobs import ModelRef
from mnist_core.jobs.tasks import TaskState
from ui.tasks import get_task
from ui.worker_jobs import spooled_ref

TRAIN_TASK_KEY = "train_task"
RUNS_KEY = "train_runs"
BASELINE_KEY = "train_baseline"  # the pinned baseline's run number: session data, so not in the link
ORIGINS_KEY = "train_run_origins"  # {task id: how the run started}, set when a branch is started
UPLOADED_MODEL_KEY = "uploaded_model"  # an UploadedModel, set on the Build & Train page
# A run keeps its model as .keras bytes (0.1-10 MB; a live Keras model that has trained holds
# several times that), and only the latest few: enough for the run just trained, the one before
# it and one more to compare on Predictions, Inside the network and the Loss surface, while 30
# students' sessions stay within a small server's memory.
KEPT_MODELS = 3
MAX_LOGGED_RUNS = 500  # a run without its model is a few tens of KB: a whole lecture fits
MAX_BATCH_POINTS = 2_000  # per-batch curve points kept per run (the chart draws no more)
_MODELS = ModelBytesCache(size=4)  # server-wide: models loaded back from bytes, the most recent few


@dataclass
class FinishedRun:
    """A run of this session: finished, or stopped early after some training.

    Plain data: the worker's ``TrainedRun`` (or a replayed record) as a ``TrainingResult``
    without a live model, and the model as its .keras bytes.
    """

    number: int  # 1, 2, ... in this session
    result: TrainingResult  # its .model is None: the model is keras_bytes (ref names it for a worker)
    batches: dict  # per-batch curves: update, loss, accuracy
    state: TaskState
    origin: str = ""  # how it started, when not from its own seed: "branch of run 1: ..."
    keras_bytes: bytes | None = None  # the model as a .keras file, while it is one of the latest
    summary_text: str = ""
    task_id: int | None = None  # the background task that trained it

    @classmethod
    def of_trained(cls, number: int, trained: TrainedRun, state: TaskState, origin: str = "", task_id=None):
        """The run a worker trained, from its plain result."""
        return cls(
            number,
            trained.training_result(),
            trained.batches,
            state,
            origin,
            keras_bytes=trained.keras_bytes,
            summary_text=trained.summary_text,
            task_id=task_id,
        )

    def __post_init__(self):
        if self.result.model is not None:
            # Only a run trained in this process hands a live model: tests and scripts do, the
            # pages never do (their runs come from workers as bytes, see ``of_trained``).
            from mnist_core.engine.models import model_summary, model_to_bytes

            self.keras_bytes = model_to_bytes(self.result.model)
            self.summary_text = model_summary(self.result.model)
            self.result = replace(self.result, model=None)
        self.batches = _thinned(self.batches)

    @property
    def has_model(self) -> bool:
        return self.keras_bytes is not None

    @property
    def ref(self) -> ModelRef:
        """The name a worker loads this run's model by (``on_model(function, run.ref, ...)``)."""
        if self.keras_bytes is None:
            raise LookupError(
                f"run {self.number} no longer keeps its model: only the latest {KEPT_MODELS} do"
            )
        return spooled_ref(self.keras_bytes)

    def model(self):
        """The run's Keras model loaded in this process: only for pages not yet moved to workers."""
        if self.keras_bytes is None:
            raise LookupError(
                f"run {self.number} no longer keeps its model: only the latest {KEPT_MODELS} do"
            )
        return _MODELS.load(self.keras_bytes)

    def let_model_go(self) -> None:
        """Keep only what the log shows: no model, no weight history."""
        self.keras_bytes = None
        self.result = replace(self.result, weight_history=None)

    @property
    def label(self) -> str:
        from mnist_core.engine.training import rate_text

        stopped = tr(" (stopped early)") if self.state == TaskState.STOPPED else ""
        dropout = (
            f" {', '.join(rate_text(r) for r in self.result.spec.dropout)}"
            if any(self.result.spec.dropout)
            else ""
        )
        return (
            ntr(
                "Run {number}: {network}, {epochs} epoch, batch {batch_size}, test accuracy {accuracy}",
                "Run {number}: {network}, {epochs} epochs, batch {batch_size}, test accuracy {accuracy}",
                len(self.result.epochs),
            ).format(
                number=self.number,
                network=self.result.spec.describe() + dropout,
                epochs=len(self.result.epochs),
                batch_size=self.result.config.batch_size,
                accuracy=number(self.result.test_accuracy, 4),
            )
            + stopped
        )


def _thinned(batches: dict) -> dict:
    """At most MAX_BATCH_POINTS evenly spaced points of each per-batch curve."""
    updates = batches.get("update", [])
    if len(updates) <= MAX_BATCH_POINTS:
        return batches
    step = len(updates) / MAX_BATCH_POINTS
    keep = sorted({int(i * step) for i in range(MAX_BATCH_POINTS)} | {len(updates) - 1})
    return {name: [values[i] for i in keep] for name, values in batches.items()}


@dataclass(frozen=True)
class UploadedModel:
    """A .keras file a user uploaded, checked in a worker to take MNIST images and output 10 classes.

    It keeps the file's bytes, not a live model: workers load it by ``ref``.
    """

    filename: str
    keras_bytes: bytes = field(repr=False)
    test_accuracy: float
    non_finite_weights: int = 0  # NaN or infinite weights: its answers mean nothing

    @property
    def ref(self) -> ModelRef:
        """The name a worker loads this model by."""
        return spooled_ref(self.keras_bytes)

    def model(self):
        """The Keras model in this process (imports TensorFlow here: only for code not yet on the workers)."""
        return _MODELS.load(self.keras_bytes)


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
    if isinstance(snapshot.result, ReplayedRun):
        collect_replayed_run(runs, task.id, snapshot)
        return
    if not isinstance(snapshot.result, TrainedRun):
        return  # failed or stopped before training: nothing to keep
    number = runs[-1].number + 1 if runs else 1
    origin = st.session_state.get(ORIGINS_KEY, {}).pop(task.id, "")
    # A run ended at the slot's time limit finished its job early: it is a stopped run all the same.
    state = TaskState.STOPPED if snapshot.result.stopped_early else snapshot.state
    runs.append(FinishedRun.of_trained(number, snapshot.result, state, origin, task_id=task.id))
    st.session_state.setdefault(BASELINE_KEY, runs[0].number)
    keep_log_small(runs, st.session_state[BASELINE_KEY])


def collect_replayed_run(runs: list[FinishedRun], task_id: int, snapshot) -> None:
    """A replayed run joins the log like a trained one: it shares the recorded model's bytes."""
    record = snapshot.result.record
    number = runs[-1].number + 1 if runs else 1
    origin = tr("a replay of the same run trained earlier on this server")
    runs.append(
        FinishedRun(
            number,
            record.result,
            snapshot.detail.get("batches", record.batches),
            snapshot.state,
            origin,
            keras_bytes=record.keras_bytes,
            summary_text=record.summary_text,
            task_id=task_id,
        )
    )
    st.session_state.setdefault(BASELINE_KEY, runs[0].number)
    keep_log_small(runs, st.session_state[BASELINE_KEY])


def keep_log_small(runs: list[FinishedRun], baseline: int) -> None:
    """Let go of the models of all but the latest KEPT_MODELS runs; past MAX_LOGGED_RUNS, the oldest
    runs other than the baseline go."""
    for run in runs[:-KEPT_MODELS]:
        if run.has_model:
            run.let_model_go()
    while len(runs) > MAX_LOGGED_RUNS:
        oldest = next(index for index, run in enumerate(runs) if run.number != baseline)
        del runs[oldest]


def baseline_run(runs: list[FinishedRun]) -> FinishedRun | None:
    """The pinned baseline, the first run unless another was pinned."""
    pinned = st.session_state.get(BASELINE_KEY)
    return next((run for run in runs if run.number == pinned), runs[0] if runs else None)


def pin_baseline(number: int) -> None:
    st.session_state[BASELINE_KEY] = number


def remember_origin(task_id, origin: str) -> None:
    """Say how the run of ``task_id`` started (a branch of which run): shown in the log once it ends."""
    st.session_state.setdefault(ORIGINS_KEY, {})[task_id] = origin
