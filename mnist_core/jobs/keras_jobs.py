"""Keras jobs: what a worker process runs, returning only plain data.

Importing this module is cheap (Keras is imported inside the jobs), so the page's
process can name a job, ``functools.partial(train_network, spec, config)``, without
ever loading TensorFlow. The worker does the rest: it trains through the one engine
(``mnist_core.engine.training.train``), forwards its progress unchanged (the page's live
charts read the same ``detail`` keys as today: ``batches``, ``epochs``,
``updates_done``, ``updates_total``...), and returns a ``TrainedRun``.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import TrainingResult, run_summary
from mnist_core.jobs.model_jobs import ModelRef, model_fingerprint, model_for

SLOT_LIMIT_REQUEST = "slot_limit"  # the page asks a run to end at the server's time limit for one run
PROGRESS_FIELDS = ("updates_total", "updates_per_epoch", "training_samples", "validation_samples")


@dataclass(frozen=True)
class TrainedRun:
    """A finished (or stopped) training run as plain data: everything the page shows of it.

    ``keras_bytes`` is the model as a ``.keras`` file (architecture, weights,
    optimizer state); load it with ``mnist_core.engine.models.load_model_bytes`` where
    Keras is welcome (a worker), or send it to a job.
    """

    spec: ModelSpec
    config: TrainConfig
    keras_bytes: bytes
    summary_text: str  # model.summary(), for the page's "Keras model summary"
    epochs: list[dict]  # one row per epoch: epoch, loss, accuracy, val_loss, val_accuracy, seconds
    batches: dict  # the live per-batch curves: update, loss, accuracy (lists of equal length)
    test_loss: float
    test_accuracy: float
    correct: int
    incorrect: int
    train_seconds: float  # fit only, as the engine measures it
    stopped_early: bool = False
    warning: str | None = None  # the engine's diagnosis of a run that learned nothing
    weight_history: list[list[np.ndarray]] | None = None  # get_weights() before and after each epoch
    timings: dict = field(default_factory=dict)  # seconds in the worker: data, keras_import, total, save
    worker_pid: int = 0
    confusion_per_epoch: list[np.ndarray] | None = None  # the validation confusion matrix after each epoch
    learning_rate_changes: list[dict] | None = None  # {"update", "learning_rate"} of each mid-run change
    steered: bool = False  # stepped or given a new learning rate by hand: not simply its settings' run
    diagram_frames: list = field(default_factory=list)  # (epoch, DiagramWeights) the live diagram showed
    progress: dict = field(
        default_factory=dict
    )  # updates_total, updates_per_epoch, training/validation samples

    @property
    def repeatable(self) -> bool:
        """True when the run is exactly what its settings give: finished, not stopped, not steered."""
        return not (self.stopped_early or self.steered or self.learning_rate_changes)

    def training_result(self) -> TrainingResult:
        """The engine's ``TrainingResult`` of this run, without a live model (``model`` is None)."""
        return TrainingResult(
            model=None,
            spec=self.spec,
            config=self.config,
            epochs=self.epochs,
            test_loss=self.test_loss,
            test_accuracy=self.test_accuracy,
            correct=self.correct,
            incorrect=self.incorrect,
            train_seconds=self.train_seconds,
            stopped_early=self.stopped_early,
            warning=self.warning,
            weight_history=self.weight_history,
            confusion_per_epoch=self.confusion_per_epoch,
            learning_rate_changes=self.learning_rate_changes,
        )

    @property
    def fingerprint(self) -> str:
        """A short hash of the model file: the key a worker caches the loaded model under."""
        return model_fingerprint(self.keras_bytes)

    def summary(self) -> dict:
        """A JSON-ready summary, as the command line prints it."""
        return run_summary(self)


class _KeepDetail:
    """Forwards to the job's control and keeps its own copy of the detail, to put the curves in the result."""

    def __init__(self, control):
        self._control = control
        self.detail: dict = {}
        self.steered = False
        self.diagram_frames: list = []
        self.slot_limit: float | None = None

    @property
    def stop_requested(self) -> bool:
        if self.slot_limit is None:
            limit = self._control.take_request(SLOT_LIMIT_REQUEST)
            if limit is not None:  # the server's time limit for one run, while others wait: end here
                self.slot_limit = float(limit)
                self.report(slot_limit_stop={"limit_seconds": self.slot_limit})
        return self.slot_limit is not None or self._control.stop_requested

    def checkpoint(self) -> None:
        self._control.checkpoint()

    def wait_while_paused(self) -> None:
        self._control.wait_while_paused()

    def report(self, fraction=None, message=None, **detail: Any) -> None:
        if "diagram_weights" in detail:
            self.diagram_frames.append((detail["diagram_epoch"], detail["diagram_weights"]))
        self.detail.update(detail)
        self._control.report(fraction, message, **detail)

    def update_detail(self, update) -> None:
        update(self.detail)  # the engine's updates append values they captured: safe to apply twice
        self._control.update_detail(update)

    def take_request(self, name: str):
        value = self._control.take_request(name)
        if value is not None and name in ("step", "learning_rate"):
            self.steered = True
        return value

    def pause(self, message: str = "Paused") -> None:
        self._control.pause(message)


def train_network(
    spec: ModelSpec,
    config: TrainConfig,
    data_source: str | None = None,
    control=None,
    initial_weights_of: tuple[ModelSpec, int] | None = None,
) -> TrainedRun:
    """Train ``spec`` with ``config`` on MNIST from ``data_source``, in this process, and return plain data.

    Parameters
    ----------
    spec, config : ModelSpec, TrainConfig
        The seed is ``config.seed``: the same three give the same run.
    data_source : str, optional
        A folder of the four IDX files; default ``$MNIST_DATA_DIR`` or the bundled copy.
    control : TaskControl, optional
        Progress goes there (the page's live charts), pause and stop come from there. A request
        ``SLOT_LIMIT_REQUEST`` (seconds) ends the run early, keeping what it learned so far.
    initial_weights_of : (ModelSpec, int), optional
        Start from the initial weights the engine gives this network with this seed (a branch
        of a run starts where that run started); the batch order still comes from ``config.seed``.

    Returns
    -------
    TrainedRun

    Raises
    ------
    TaskFailed
        When the loss diverges (the engine's message says what to change).
    """
    from mnist_core.data.mnist import load_mnist

    started = time.perf_counter()
    keeper = _KeepDetail(control) if control is not None else None
    if control is not None:
        control.report(message="Loading the data", phase="loading")
    data = load_mnist(data_source)
    loaded = time.perf_counter()
    import keras  # noqa: F401 - imported already when the worker warmed up; timed for the benchmark

    from mnist_core.engine.models import model_summary, model_to_bytes
    from mnist_core.engine.training import train

    start = None
    if initial_weights_of is not None:
        from mnist_core.engine.experiments import initial_weights

        start = initial_weights(*initial_weights_of)
    imported = time.perf_counter()
    result = train(spec, config, control=keeper, mnist=data, initial_weights=start)
    trained = time.perf_counter()
    if control is not None:
        control.report(message="Saving the model", phase="saving")
    keras_bytes = model_to_bytes(result.model)
    summary_text = model_summary(result.model)
    batches = (keeper.detail if keeper else {}).get("batches", {"update": [], "loss": [], "accuracy": []})
    return TrainedRun(
        spec=result.spec,
        config=result.config,
        keras_bytes=keras_bytes,
        summary_text=summary_text,
        epochs=[dict(row) for row in result.epochs],
        batches={key: list(values) for key, values in batches.items()},
        test_loss=result.test_loss,
        test_accuracy=result.test_accuracy,
        correct=result.correct,
        incorrect=result.incorrect,
        train_seconds=result.train_seconds,
        stopped_early=result.stopped_early,
        warning=result.warning,
        weight_history=result.weight_history,
        timings={
            "data_seconds": loaded - started,
            "keras_import_seconds": imported - loaded,
            "train_call_seconds": trained - imported,  # build + fit + evaluate
            "save_seconds": time.perf_counter() - trained,
            "total_seconds": time.perf_counter() - started,
        },
        worker_pid=os.getpid(),
        confusion_per_epoch=[np.asarray(matrix) for matrix in (result.confusion_per_epoch or [])],
        learning_rate_changes=result.learning_rate_changes,
        steered=bool(keeper and (keeper.steered or keeper.slot_limit is not None)),
        diagram_frames=list(keeper.diagram_frames) if keeper else [],
        progress={name: keeper.detail[name] for name in PROGRESS_FIELDS if name in keeper.detail}
        if keeper
        else {},
    )


def time_this_server(control=None) -> float:
    """``mnist_core.engine.estimates.measure_speed`` as a job: this machine's speed over the built-in estimate."""
    from mnist_core.engine.estimates import measure_speed

    return measure_speed()


def training_job(spec: ModelSpec, config: TrainConfig, data_source: str | None = None):
    """The job to submit for a training run: ``work(control) -> TrainedRun``."""
    return functools.partial(train_network, spec, config, data_source)


def predict_digits(keras_bytes: bytes, images: np.ndarray, control=None) -> np.ndarray:
    """Class probabilities of uint8 ``images`` (n, 28, 28) by the model in ``keras_bytes``: shape (n, 10)."""
    from mnist_core.inspect.evaluation import predict_probabilities

    return np.asarray(predict_probabilities(model_for(ModelRef.of_bytes(keras_bytes)), images))
