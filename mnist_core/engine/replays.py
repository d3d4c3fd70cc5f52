"""Replayed runs: a training already done on this server, shown again instead of trained again.

Training is deterministic for a given spec, config (its seed included) and data, so when a second
student presses Train with exactly the settings of a run this server has finished, the answer is
already known: curves, confusion matrices, test results and the model itself. ``train_or_replay``
keeps every finished, uninterrupted run in a ``ResultStore`` under ``run_key`` and plays a recorded
one back at a visible pace, as if it were training, in a fraction of a second of CPU. A lecture of
30 students on the same preset then costs one training.

A run is recorded only when nothing but its settings shaped it: it finished (no stop), and nobody
changed its learning rate or stepped through it. Slow motion and pauses change only its pace.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import TrainingResult, train
from mnist_core.i18n import integer, tr
from mnist_core.jobs.result_store import ResultStore, fingerprint
from mnist_core.jobs.tasks import TaskControl

RUN_KIND = "training-run"
REPLAY_SECONDS = 4.0  # a whole replay at most: long enough to watch the curves grow, short next to a training
SECONDS_PER_EPOCH = 0.8  # a short run's replay: 1.5 s plus this per epoch (one epoch: over 2 s, visible)
MIN_PIECES = 8  # a replay grows in at least this many steps, however few its epochs
PROGRESS_FIELDS = ("updates_total", "updates_per_epoch", "training_samples", "validation_samples")
MAX_RECORDED_HISTORY_BYTES = 32 * 2**20  # a longer weight history is not kept with the record


@dataclass(frozen=True)
class RunRecord:
    """Everything the page showed of a finished run, kept server-wide to be replayed.

    ``result`` has no live model (``model`` is None): the model is ``keras_bytes``.
    """

    key: str
    result: TrainingResult
    keras_bytes: bytes
    summary_text: str
    batches: dict  # the live per-batch curves: update, loss, accuracy (lists of equal length)
    progress: dict  # updates_total, updates_per_epoch, training_samples, validation_samples
    diagram_frames: list = field(default_factory=list)  # the live diagram's weights after each epoch
    recorded_at: float = 0.0  # time.time() when it was recorded

    @property
    def size_bytes(self) -> int:
        """What keeping it costs: the model file, the weight history and the curves."""
        history = self.result.weight_history or []
        history_bytes = sum(int(array.nbytes) for weights in history for array in weights)
        confusions = sum(int(np.asarray(m).nbytes) for m in (self.result.confusion_per_epoch or []))
        curves = 24 * len(self.batches.get("update", [])) + 200 * len(self.result.epochs)
        return len(self.keras_bytes) + history_bytes + confusions + curves + 20_000 * len(self.diagram_frames)


@dataclass(frozen=True)
class ReplayedRun:
    """What a replay returns: the recorded run, to become this student's run like any other."""

    record: RunRecord

    @property
    def result(self) -> TrainingResult:
        return self.record.result


def run_key(spec: ModelSpec, config: TrainConfig, data_source: str) -> str:
    """The store's key for a run of ``spec`` and ``config`` (seed included) on ``data_source``.

    ``data_source`` names the data exactly (a fingerprint of the arrays), so a server whose
    MNIST files differ never replays another's run.
    """
    return fingerprint(RUN_KIND, spec, config, data_source)


class RecordingControl:
    """A ``TaskControl`` that passes everything through and notes what makes a run unrepeatable.

    A step or a learning-rate change the student asked for shapes the run beyond its settings
    (a step only changes its pace, but the run was driven by hand: it is not the settings' run).
    The live diagram's weights after each epoch are kept to be replayed.
    """

    def __init__(self, control: TaskControl):
        self._control = control
        self.steered = False
        self.diagram_frames: list = []
        self.detail: dict = {}  # a copy of what the run published, built by the same updates

    def update_detail(self, update) -> None:
        self._control.update_detail(update)
        update(self.detail)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._control, name)

    @property
    def stop_requested(self) -> bool:
        return self._control.stop_requested

    def take_request(self, name: str) -> Any:
        value = self._control.take_request(name) if hasattr(self._control, "take_request") else None
        if value is not None and name in ("step", "learning_rate"):
            self.steered = True
        return value

    def report(self, fraction: float | None = None, message: str | None = None, **detail: Any) -> None:
        if "diagram_weights" in detail:
            self.diagram_frames.append((detail["diagram_epoch"], detail["diagram_weights"]))
        self.detail.update(detail)
        self._control.report(fraction, message, **detail)


def record_run(
    key: str,
    result: TrainingResult,
    batches: dict,
    progress: dict,
    diagram_frames: list,
    keras_bytes: bytes,
    summary_text: str,
) -> RunRecord:
    """A record of a finished run: its result without the live model, copies of its curves.

    Its weight history stays only while it is at most ``MAX_RECORDED_HISTORY_BYTES``: a
    replay of a bigger network then has its model but no path for the loss landscape.
    """
    history = result.weight_history
    if history and sum(a.nbytes for weights in history for a in weights) > MAX_RECORDED_HISTORY_BYTES:
        history = None
    return RunRecord(
        key=key,
        result=replace(result, model=None, weight_history=history),
        keras_bytes=keras_bytes,
        summary_text=summary_text,
        batches={name: list(values) for name, values in batches.items()},
        progress=dict(progress),
        diagram_frames=list(diagram_frames),
        recorded_at=time.time(),
    )


def record_trained_run(key: str, trained) -> RunRecord | None:
    """The record of a worker's finished run (a ``keras_jobs.TrainedRun``), or None when it is not repeatable.

    The job ran in a worker; its plain result is recorded here, in the process that keeps the store.
    """
    if not trained.repeatable:
        return None
    return record_run(
        key,
        trained.training_result(),
        trained.batches,
        trained.progress,
        trained.diagram_frames,
        trained.keras_bytes,
        trained.summary_text,
    )


def is_repeatable(result: TrainingResult, recorder: RecordingControl) -> bool:
    """True when the run is exactly what its settings give: finished, not stopped, not steered."""
    return not (
        result.stopped_early or recorder.steered or result.learning_rate_changes or recorder.stop_requested
    )


def replay_duration(epochs: int) -> float:
    """How long the replay of a run of ``epochs`` epochs takes: a few seconds, more for more epochs."""
    return min(REPLAY_SECONDS, 1.5 + SECONDS_PER_EPOCH * epochs)


def replay(record: RunRecord, control: TaskControl, seconds: float | None = None) -> ReplayedRun:
    """Play ``record`` back through ``control`` as the engine reported it live, in about ``seconds``.

    The first piece of the curves is reported at once; the rest follows epoch by epoch, the
    per-batch curve in a few steps each (``MIN_PIECES`` in all at least), then the epoch's row,
    its confusion matrix and the diagram's weights. Pause and stop work as in a training.

    Parameters
    ----------
    record : RunRecord
    control : TaskControl
    seconds : float, optional
        How long the whole replay takes (not counting pauses); default ``replay_duration(epochs)``.

    Returns
    -------
    ReplayedRun
    """
    result, progress = record.result, record.progress
    per_epoch = max(int(progress.get("updates_per_epoch", 1)), 1)
    total = int(progress.get("updates_total", per_epoch * len(result.epochs)))
    updates = record.batches.get("update", [])
    epochs = max(len(result.epochs), 1)
    pieces_per_epoch = max(2, math.ceil(MIN_PIECES / epochs))
    seconds = replay_duration(epochs) if seconds is None else seconds
    pause = seconds / max(epochs * pieces_per_epoch - 1, 1)  # the first piece shows at once
    control.report(
        fraction=0.0,
        message=tr("Replaying"),
        replay_of=record.key,
        replay_recorded_at=record.recorded_at,
        replay_settings=(result.spec, result.config),
        updates_done=0,
        **progress,
    )
    frames = dict(record.diagram_frames)
    confusions = result.confusion_per_epoch or []
    shown = 0
    for epoch_index, row in enumerate(result.epochs):
        epoch_end = (epoch_index + 1) * per_epoch
        epoch_points = [i for i in range(shown, len(updates)) if updates[i] <= epoch_end]
        cuts = np.array_split(np.asarray(epoch_points, dtype=int), pieces_per_epoch)
        for piece_index, piece in enumerate(cuts):
            if epoch_index or piece_index:  # the first piece at once: the student sees it start
                _wait(control, pause)
            if len(piece):
                _show_points(
                    control, record.batches, int(piece[0]), int(piece[-1]) + 1, total, epoch_index + 1
                )
                shown = int(piece[-1]) + 1
        _show_epoch(control, row, confusions, epoch_index, frames)
    control.checkpoint()
    return ReplayedRun(record)


def _wait(control: TaskControl, seconds: float) -> None:
    """Sleep ``seconds`` in small slices, honouring pause and stop."""
    deadline = time.monotonic() + seconds
    while True:
        control.checkpoint()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(0.05, left))


def _show_points(control: TaskControl, batches: dict, start: int, end: int, total: int, epoch: int):
    points = {name: list(values[start:end]) for name, values in batches.items()}
    done = int(points["update"][-1])

    def append(detail):
        curves = detail.setdefault("batches", {name: [] for name in batches})
        for name, values in points.items():
            curves.setdefault(name, []).extend(values)
        detail["updates_done"] = done

    control.update_detail(append)
    control.report(
        fraction=done / max(total, 1),
        message=tr("Replaying epoch {epoch}: {done} of {total} gradient updates").format(
            epoch=integer(epoch), done=integer(done), total=integer(total)
        ),
    )


def _show_epoch(control: TaskControl, row: dict, confusions: list, index: int, frames: dict) -> None:
    def append(detail):
        detail.setdefault("epochs", []).append(dict(row))
        if index < len(confusions):
            detail["confusion"] = {"epoch": index + 1, "matrix": np.asarray(confusions[index]).tolist()}

    control.update_detail(append)
    if index + 1 in frames:
        control.report(diagram_weights=frames[index + 1], diagram_epoch=index + 1)


def train_or_replay(
    store: ResultStore,
    key: str,
    spec: ModelSpec,
    config: TrainConfig,
    control: TaskControl,
    mnist=None,
    replay_seconds: float | None = None,
    fresh: bool = False,
):
    """Replay the run recorded under ``key``, or train it and record it when it is repeatable.

    Meant to run once the task holds its training slot: a run queued behind an identical one
    finds that one's record here and gives the slot straight back (``control.release_slot``)
    before replaying it, so 30 identical presses cost one training and no queue.

    ``fresh``: train even when a record exists (the student asked to), and record the run again.

    Returns
    -------
    ReplayedRun or TrainingResult
    """
    record = None if fresh else store.get(key)
    if record is not None:
        if hasattr(control, "release_slot"):
            control.release_slot()
        return replay(record, control, replay_seconds)
    recorder = RecordingControl(control)
    result = train(spec, config, recorder, mnist=mnist)
    if is_repeatable(result, recorder):
        from mnist_core.engine.models import model_summary, model_to_bytes

        record = record_run(
            key,
            result,
            recorder.detail.get("batches", {"update": [], "loss": [], "accuracy": []}),
            {name: recorder.detail[name] for name in PROGRESS_FIELDS if name in recorder.detail},
            recorder.diagram_frames,
            model_to_bytes(result.model),
            model_summary(result.model),
        )
        store.put(key, record, size=record.size_bytes)
    return result
