"""The experiment log: a session's runs compared setting by setting against a pinned baseline.

Lesson 3's habit is to change one thing at a time. Here a run is described by its settings
(one short text per setting), a run's label names exactly the settings that differ from the
baseline, and a branch re-runs the baseline with one change from the same initial weights
and the same batch order, so any difference in the curves is due to that change alone.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.i18n import N_, integer, ntr, tr
from mnist_core.jobs.model_jobs import model_fingerprint

# The settings a run is compared on, in the order a student sets them on Build & Train.
# The names are keys (in English); they are translated where they are shown: tr(name).
SETTING_NAMES = (
    N_("layers"),
    N_("activation"),
    N_("dropout"),
    N_("inputs"),
    N_("optimizer"),
    N_("learning rate"),
    N_("epochs"),
    N_("batch size"),
    N_("validation"),
    N_("training images"),
    N_("seed"),
)


def run_settings(spec: ModelSpec, config: TrainConfig) -> dict[str, str]:
    """Every setting of a run as a short text, keyed by ``SETTING_NAMES``.

    Two runs differ in a setting exactly when these texts differ, so a label built from
    them can never hide a difference (batch size, epochs, dropout rate included). The texts are
    in the current language: compare settings made in one language only.
    """
    from mnist_core.engine.training import rate_text

    if spec.architecture == "convnet":
        layers = f"convnet {spec.conv_filters}x3x3-{spec.conv_dense_units}-10"
        activation, dropout = "relu", tr("none")
    else:
        layers = "-".join(str(n) for n in (784, *spec.hidden_units, 10))
        activation = spec.activation if spec.hidden_units else tr("none (no hidden layer)")
        dropout = ", ".join(rate_text(rate) for rate in spec.dropout) if any(spec.dropout) else tr("none")
    validation = (
        tr("{count} held out").format(count=integer(config.holdout_size))
        if config.validation == "holdout"
        else tr("the test set")
    )
    return {
        "layers": layers,
        "activation": activation,
        "dropout": dropout,
        "inputs": tr("scaled 0-1") if spec.scale_inputs else tr("unscaled 0-255"),
        "optimizer": spec.optimizer,
        "learning rate": rate_text(spec.learning_rate),
        "epochs": str(config.epochs),
        "batch size": str(config.batch_size),
        "validation": validation,
        "training images": integer(config.training_samples),
        "seed": str(config.seed),
    }


def differences(settings: dict[str, str], baseline: dict[str, str]) -> dict[str, str]:
    """The settings whose text differs from the baseline's: {name: this run's value}."""
    return {name: value for name, value in settings.items() if baseline.get(name) != value}


def describe_differences(changed: dict[str, str]) -> str:
    """'batch size 10, epochs 1', or 'same settings' when nothing differs."""
    if not changed:
        return tr("same settings")
    return ", ".join(f"{tr(name)} {value}" for name, value in changed.items())


def run_label(number: int, changed: dict[str, str], is_baseline: bool, settings: dict[str, str]) -> str:
    """'Run 1 (baseline): 784-32-10, batch size 128, 5 epochs' or 'Run 3: batch size 10, epochs 1'.

    The run number makes every label unique, even for two runs with the same settings; the rest
    names every difference from the baseline.
    """
    if is_baseline:
        return ntr(
            "Run {number} (baseline): {layers}, {optimizer} lr {learning_rate}, batch {batch_size}, {epochs} epoch",
            "Run {number} (baseline): {layers}, {optimizer} lr {learning_rate}, batch {batch_size}, {epochs} epochs",
            int(settings["epochs"]),
        ).format(
            number=number,
            layers=settings["layers"],
            optimizer=settings["optimizer"],
            learning_rate=settings["learning rate"],
            batch_size=settings["batch size"],
            epochs=settings["epochs"],
        )
    return tr("Run {number}: {changes}").format(number=number, changes=describe_differences(changed))


def same_weight_shapes(a: ModelSpec, b: ModelSpec) -> bool:
    """True when the two networks have weights of the same shapes, so one can start from the other's.

    Only the layers decide the shapes: activation, dropout, scaling, optimizer and learning
    rate do not.
    """
    if a.architecture != b.architecture:
        return False
    if a.architecture == "convnet":
        return (a.conv_filters, a.conv_dense_units) == (b.conv_filters, b.conv_dense_units)
    return a.hidden_units == b.hidden_units


def initial_weights(spec: ModelSpec, seed: int) -> list[np.ndarray]:
    """The weights ``train`` gives ``spec`` before its first update with ``seed``.

    Rebuilt on demand (a few milliseconds) instead of kept: a run's record stays small.
    A branch starts from these even when it adds a Dropout layer, which would otherwise
    draw from the random generator and shift the initial weights of every later layer.
    """
    import keras

    from mnist_core.engine.models import build_model

    keras.utils.set_random_seed(seed)
    return build_model(spec).get_weights()


@dataclass(frozen=True)
class LogRow:
    """One run in the experiment log, ready for a table or CSV."""

    number: int
    label: str
    is_baseline: bool
    changed: dict  # {setting name: this run's value} for settings that differ from the baseline
    settings: dict  # every setting, keyed by SETTING_NAMES
    test_accuracy: float
    test_loss: float
    fit_seconds: float
    gradient_updates: int
    note: str = ""  # "stopped early", "branch of run 1, same initial weights", ...

    def as_record(self) -> dict:
        """A flat dict: run, label, changes, metrics, then every setting; column names in the current language."""
        return {
            tr("run"): self.number,
            tr("label"): self.label,
            tr("baseline"): self.is_baseline,
            tr("changed from baseline"): "" if self.is_baseline else describe_differences(self.changed),
            tr("test accuracy"): round(self.test_accuracy, 4),
            tr("test loss"): round(self.test_loss, 4),
            tr("fit seconds"): round(self.fit_seconds, 1),
            tr("gradient updates"): self.gradient_updates,
            tr("note"): self.note,
            **{tr(name): value for name, value in self.settings.items()},
        }


def log_csv(rows: list[LogRow]) -> str:
    """The log as CSV text, one line per run, with every setting as a column."""
    records = [row.as_record() for row in rows]
    if not records:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


class ModelBytesCache:
    """Models loaded from .keras bytes, the few most recently used, keyed by the bytes' fingerprint.

    A run keeps its model as bytes (a few MB) rather than as a live Keras model (several
    times more once TensorFlow has traced it); the pages that need the model load it here,
    once, and share it while it stays among the ``size`` most recent.
    """

    def __init__(self, size: int = 3):
        self.size = size
        self._models: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, data: bytes):
        """The model saved in ``data``, loaded at most once while it stays cached.

        Raises
        ------
        ValueError
            When ``data`` is not a .keras file.
        """
        key = model_fingerprint(data)  # the same name a worker keeps the model under
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            model = _load_own_model(data)
            self._models[key] = model
            while len(self._models) > self.size:
                self._models.popitem(last=False)
            return model

    def __len__(self) -> int:
        return len(self._models)


def _load_own_model(data: bytes):
    """Load a .keras file this app saved: no upload size limit (Adam on 784-1024x5-10 is ~60 MB)."""
    import tempfile
    import zipfile
    from pathlib import Path

    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.keras"
        path.write_bytes(data)
        if not zipfile.is_zipfile(path):
            raise ValueError("these bytes are not a .keras model file")
        return keras.models.load_model(path, safe_mode=True)
