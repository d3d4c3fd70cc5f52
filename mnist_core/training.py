"""The training engine: fit a spec'd network on MNIST, streaming progress as it goes.

``train`` is the one way the project trains a Keras model: the command line
calls it directly, the Build & Train page runs it inside a ``BackgroundTask``.
It is faster than a plain ``model.fit`` because it runs several gradient updates
per call into TensorFlow (``steps_per_execution``), which gives identical
numbers, while still reporting progress several times a second.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mnist_core.data import load_mnist, one_hot, split_validation
from mnist_core.network_diagram import sample_dense_weights
from mnist_core.spec import ModelSpec, TrainConfig
from mnist_core.tasks import TaskControl, TaskFailed

SAMPLES_PER_EXECUTION = 4096  # images per call into TensorFlow: fast, yet reports ~10x a second
MAX_STEPS_PER_EXECUTION = 64
EXPLODED_LOSS = 1_000.0  # far above any loss of a run that learns (the unscaled lesson's is ~3)
CHANCE_ACCURACY = 0.2  # ten classes: guessing scores about 0.1
MAX_WEIGHT_HISTORY_VALUES = 20_000_000  # float32 values kept per run for the loss-landscape path


def choose_steps_per_execution(batch_size: int) -> int:
    """Gradient updates per TensorFlow call: about 4,096 images' worth, between 1 and 64."""
    return max(1, min(MAX_STEPS_PER_EXECUTION, round(SAMPLES_PER_EXECUTION / batch_size)))


@dataclass(frozen=True)
class PreparedData:
    """Arrays ready for ``fit``: uint8 pixels shaped for the model, one-hot targets."""

    x_train: np.ndarray
    y_train: np.ndarray  # one-hot, float32
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    y_test_labels: np.ndarray  # integer labels kept apart from the one-hot ones (lesson 5's bug)


def prepare_data(spec: ModelSpec, config: TrainConfig, mnist=None) -> PreparedData:
    """Split, reshape and one-hot encode MNIST for ``spec`` and ``config``.

    Pixels stay uint8 (the model scales them), so the training set costs 47 MB,
    not 188 MB as float32.
    """
    (x_train, y_train), (x_test, y_test) = mnist if mnist is not None else load_mnist()
    if config.train_limit:
        x_train, y_train = x_train[: config.train_limit], y_train[: config.train_limit]
    shape = spec.input_shape

    def shaped(images):
        return images.reshape((len(images), *shape))

    if config.validation == "holdout":
        train_idx, val_idx = split_validation(len(x_train), config.holdout_size, config.seed)
        x_fit, y_fit = x_train[train_idx], y_train[train_idx]
        x_val, y_val = x_train[val_idx], y_train[val_idx]
    else:
        x_fit, y_fit, x_val, y_val = x_train, y_train, x_test, y_test
    return PreparedData(
        x_train=shaped(x_fit),
        y_train=one_hot(y_fit),
        x_val=shaped(x_val),
        y_val=one_hot(y_val),
        x_test=shaped(x_test),
        y_test=one_hot(y_test),
        y_test_labels=np.asarray(y_test),
    )


@dataclass
class TrainingResult:
    """What a finished (or stopped) run leaves behind."""

    model: object  # keras.Model
    spec: ModelSpec
    config: TrainConfig
    epochs: list[dict]  # one row per epoch: epoch, loss, accuracy, val_loss, val_accuracy
    test_loss: float
    test_accuracy: float
    correct: int
    incorrect: int
    train_seconds: float  # fit only: no data loading, model building or test evaluation
    stopped_early: bool = False
    warning: str | None = None  # set when the run ended but learned nothing useful
    # model.get_weights() before training and after each epoch (only the first and last
    # when a big network times many epochs would not fit in MAX_WEIGHT_HISTORY_VALUES)
    weight_history: list[list[np.ndarray]] | None = None

    def summary(self) -> dict:
        """A JSON-ready summary, as printed by the command line."""
        return {
            "model": self.spec.describe(),
            "epochs": len(self.epochs),
            "batch_size": self.config.batch_size,
            "train_seconds": round(self.train_seconds, 3),
            "test_loss": round(self.test_loss, 4),
            "test_accuracy": round(self.test_accuracy, 4),
            "correct": self.correct,
            "incorrect": self.incorrect,
            "stopped_early": self.stopped_early,
        }


def divergence_message(updates: int, spec: ModelSpec) -> str:
    """Why a run whose loss became NaN or infinite was ended, in a student's words."""
    advice = (
        "try a learning rate 10 times smaller"
        if spec.scale_inputs
        else "turn input scaling on, or use a much smaller learning rate"
    )
    return (
        f"The loss exploded (past {EXPLODED_LOSS:,.0f}, or to NaN or infinity) after {updates:,} gradient "
        f"updates: the steps were so large that the weights overshot and blew up (learning rate "
        f"{spec.learning_rate:g}). The run was ended; {advice}."
    )


# Learning rates past which a run on MNIST usually stalls or blows up, and below which it barely moves.
LARGE_LEARNING_RATE = {"sgd": 1.0, "rmsprop": 0.03, "adam": 0.03}
SMALL_LEARNING_RATE = {"sgd": 0.003, "rmsprop": 0.0001, "adam": 0.0001}
FEW_UPDATES = 200  # fewer gradient updates than this leave little room to learn


def likely_causes(spec: ModelSpec, config: TrainConfig) -> list[str]:
    """What in this spec and config usually stops a network learning, most likely first."""
    causes = []
    rate, optimizer = spec.learning_rate, spec.optimizer
    if rate >= LARGE_LEARNING_RATE[optimizer]:
        causes.append(f"the learning rate {rate:g} is large for {optimizer}: try one 10 times smaller")
    if rate <= SMALL_LEARNING_RATE[optimizer]:
        causes.append(
            f"the learning rate {rate:g} is small for {optimizer}: each step barely moves the weights"
        )
    if config.gradient_updates_total < FEW_UPDATES:
        causes.append(
            f"only {config.gradient_updates_total:,} gradient updates in all: use a smaller batch or more epochs"
        )
    widths = spec.hidden_units if spec.architecture == "dense" else ()
    if widths and min(widths) < 10:
        causes.append(
            f"a layer of {min(widths)} unit{'s' if min(widths) > 1 else ''} squeezes the digit through "
            f"{min(widths)} number{'s' if min(widths) > 1 else ''}: fewer than the 10 classes"
        )
    if widths and max(spec.dropout) >= 0.5:
        causes.append(
            f"dropout {max(spec.dropout):g} throws away most of what a layer computes at each update"
        )
    if len(widths) >= 3 and spec.activation in ("sigmoid", "tanh"):
        causes.append(
            f"{len(widths)} {spec.activation} layers: their gradients shrink layer after layer (try relu)"
        )
    if not spec.scale_inputs:
        causes.append("the pixels are not scaled to 0-1: turn scaling on")
    return causes


def diagnose(epochs: list[dict], spec: ModelSpec, config: TrainConfig) -> str | None:
    """A warning for a run that ended but learned nothing useful, saying what is likely wrong, or None."""
    if not (epochs and epochs[-1].get("val_accuracy", 1.0) < CHANCE_ACCURACY):
        return None
    causes = likely_causes(spec, config)
    if causes:
        why = "Likely causes in this run: " + "; ".join(causes) + "."
    else:
        why = "Nothing in its settings is unusual: train it again with another seed, or more epochs."
    return f"Validation accuracy is {epochs[-1]['val_accuracy']:.2f}: about what guessing scores. {why}"


def make_progress_callback(spec: ModelSpec, config: TrainConfig, control: TaskControl | None):
    """A Keras callback that streams batch and epoch metrics and obeys pause and stop."""
    import keras

    updates_per_epoch = config.gradient_updates_per_epoch
    updates_total = config.gradient_updates_total

    class ProgressCallback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.diverged_after: int | None = None
            self.stopped = False
            self.epoch_rows: list[dict] = []
            self._started = time.perf_counter()
            self._epoch_start_update = 0
            self._last = (0, 0.0, 0.0)  # (updates into epoch, running loss, running accuracy)
            self.weight_history: list[list[np.ndarray]] = []
            self._keep_every_epoch = True

        def on_train_begin(self, logs=None):
            self.weight_history = [self.model.get_weights()]
            n_values = self.model.count_params() * (config.epochs + 1)
            self._keep_every_epoch = n_values <= MAX_WEIGHT_HISTORY_VALUES

        def on_train_end(self, logs=None):
            if not self._keep_every_epoch or len(self.weight_history) == 1:
                self.weight_history = [self.weight_history[0], self.model.get_weights()]

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch_start_update = epoch * updates_per_epoch
            self._last = (0, 0.0, 0.0)

        def on_train_batch_end(self, batch, logs=None):
            logs = logs or {}
            updates = int(self.model.optimizer.iterations.numpy())
            loss, accuracy = float(logs.get("loss", math.nan)), float(logs.get("accuracy", math.nan))
            if not math.isfinite(loss) or loss > EXPLODED_LOSS:
                self.diverged_after = updates
                self.model.stop_training = True
                return
            # Keras reports running means over the epoch; difference them to get the
            # mean over just the latest batches, which is what a student expects to see.
            into_epoch = updates - self._epoch_start_update
            done_before, loss_before, accuracy_before = self._last
            new = max(into_epoch - done_before, 1)
            recent_loss = (loss * into_epoch - loss_before * done_before) / new
            recent_accuracy = (accuracy * into_epoch - accuracy_before * done_before) / new
            self._last = (into_epoch, loss, accuracy)
            if control is None:
                return

            def append(detail):
                batches = detail.setdefault("batches", {"update": [], "loss": [], "accuracy": []})
                batches["update"].append(updates)
                batches["loss"].append(recent_loss)
                batches["accuracy"].append(min(max(recent_accuracy, 0.0), 1.0))
                detail["updates_done"] = updates

            control.update_detail(append)
            control.report(
                fraction=updates / updates_total,
                message=f"Epoch {updates // updates_per_epoch + 1 if updates < updates_total else config.epochs}"
                f" of {config.epochs}: {updates:,} of {updates_total:,} gradient updates",
            )
            control.wait_while_paused()
            if control.stop_requested:
                self.stopped = True
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            row = {"epoch": epoch + 1}
            for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                row[key] = float(logs[key]) if key in logs else math.nan
            row["seconds"] = time.perf_counter() - self._started
            self.epoch_rows.append(row)
            if self._keep_every_epoch:
                self.weight_history.append(self.model.get_weights())
            if not math.isfinite(row["loss"]) or row["loss"] > EXPLODED_LOSS:
                self.diverged_after = self.diverged_after or int(self.model.optimizer.iterations.numpy())
                self.model.stop_training = True
            if control is not None:
                control.update_detail(lambda detail: detail.setdefault("epochs", []).append(dict(row)))
                if spec.architecture == "dense":  # the live network diagram's few hundred weights
                    weights = self.weight_history[-1] if self._keep_every_epoch else self.model.get_weights()
                    control.report(diagram_weights=sample_dense_weights(weights), diagram_epoch=epoch + 1)

    return ProgressCallback()


def train(
    spec: ModelSpec,
    config: TrainConfig,
    control: TaskControl | None = None,
    mnist=None,
    on_epoch_end: Callable[[dict], None] | None = None,
    initial_weights: list[np.ndarray] | None = None,
) -> TrainingResult:
    """Build, fit and evaluate a network; the engine behind the page and the command line.

    Parameters
    ----------
    spec, config : ModelSpec, TrainConfig
    control : TaskControl, optional
        When run as a background task: progress goes there, pause and stop come from there.
    mnist : ((x_train, y_train), (x_test, y_test)), optional
        Defaults to ``load_mnist()``.
    on_epoch_end : callable, optional
        Called with each epoch's row (the command line prints it).
    initial_weights : list of arrays, optional
        Start from these (shaped as ``model.get_weights()``) instead of the seed's own: a branch
        of a run starts where that run started. The batch order still comes from ``config.seed``.

    Returns
    -------
    TrainingResult

    Raises
    ------
    TaskFailed
        When the loss diverges to NaN or infinity.
    """
    import keras

    def phase(name, message):
        if control is not None:
            control.report(message=message, phase=name)

    phase("preparing", "Preparing the data: split, reshape, one-hot")
    data = prepare_data(spec, config, mnist)
    if control is not None:
        control.report(
            fraction=0.0,
            updates_done=0,
            updates_total=config.gradient_updates_total,
            updates_per_epoch=config.gradient_updates_per_epoch,
            training_samples=len(data.x_train),
            validation_samples=len(data.x_val),
        )
        control.checkpoint()
    phase("building", "Building the model")
    keras.utils.set_random_seed(config.seed)
    model = build_model_for_training(spec, config)
    if initial_weights is not None:
        model.set_weights(initial_weights)  # draws no random numbers: the batch order stays the seed's
    callback = make_progress_callback(spec, config, control)
    if on_epoch_end is not None:
        printer = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: on_epoch_end(callback.epoch_rows[-1])
        )
        callbacks = [callback, printer]
    else:
        callbacks = [callback]
    phase("training", "Training")
    started = time.perf_counter()
    model.fit(
        data.x_train,
        data.y_train,
        batch_size=config.batch_size,
        epochs=config.epochs,
        validation_data=(data.x_val, data.y_val),
        callbacks=callbacks,
        verbose=0,
    )
    train_seconds = time.perf_counter() - started
    if callback.diverged_after is not None:
        raise TaskFailed(divergence_message(callback.diverged_after, spec))
    phase("evaluating", "Evaluating on the 10,000 test images")
    # As a dict: the list form orders values by metric names and appends any other log key.
    test_loss = model.evaluate(data.x_test, data.y_test, batch_size=1000, verbose=0, return_dict=True)["loss"]
    predicted = predict_classes(model, data.x_test)
    correct = int((predicted == data.y_test_labels).sum())
    test_accuracy = correct / len(predicted)
    return TrainingResult(
        model=model,
        spec=spec,
        config=config,
        epochs=callback.epoch_rows,
        test_loss=float(test_loss),
        test_accuracy=float(test_accuracy),
        correct=correct,
        incorrect=len(predicted) - correct,
        train_seconds=train_seconds,
        stopped_early=callback.stopped,
        weight_history=callback.weight_history,
        warning=diagnose(callback.epoch_rows, spec, config),
    )


def build_model_for_training(spec: ModelSpec, config: TrainConfig):
    """``build_model`` with the steps per execution that suit ``config.batch_size``."""
    from mnist_core.models import build_model

    return build_model(spec, steps_per_execution=choose_steps_per_execution(config.batch_size))


def predict_classes(model, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """argmax of the softmax output: the predicted digit for each input."""
    probabilities = model.predict(x, batch_size=batch_size, verbose=0)
    return np.argmax(probabilities, axis=1)
