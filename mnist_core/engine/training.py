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

from mnist_core.data.mnist import load_mnist, one_hot, split_validation
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.i18n import decimal_separators, integer, ntr, number, tr
from mnist_core.inspect.evaluation import Scores, scores
from mnist_core.inspect.network_diagram import sample_dense_weights
from mnist_core.jobs.tasks import TaskControl, TaskFailed

SAMPLES_PER_EXECUTION = 4096  # images per call into TensorFlow: fast, yet reports ~10x a second
MAX_STEPS_PER_EXECUTION = 64
EXPLODED_LOSS = 1_000.0  # far above any loss of a run that learns (the unscaled lesson's is ~3)
CHANCE_ACCURACY = 0.2  # ten classes: guessing scores about 0.1
MAX_WEIGHT_HISTORY_VALUES = 20_000_000  # float32 values kept per run for the loss-landscape path
SLOW_MOTION_SPEEDS = (10, 2)  # gradient updates a second a student can follow on the curves


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
    # the validation images' confusion matrix (10 x 10 counts, rows true) after each epoch
    confusion_per_epoch: list[np.ndarray] | None = None
    learning_rate_changes: list[dict] | None = None  # {"update", "learning_rate"} of each mid-run change

    def summary(self) -> dict:
        """A JSON-ready summary, as printed by the command line."""
        return run_summary(self)


def divergence_message(updates: int, spec: ModelSpec) -> str:
    """Why a run whose loss became NaN or infinite was ended, in a student's words."""
    advice = (
        tr("try a learning rate 10 times smaller")
        if spec.scale_inputs
        else tr("turn input scaling on, or use a much smaller learning rate")
    )
    return tr(
        "The loss exploded (past {limit}, or to NaN or infinity) after {updates} gradient "
        "updates: the steps were so large that the weights overshot and blew up (learning rate "
        "{learning_rate}). The run was ended; {advice}."
    ).format(
        limit=integer(EXPLODED_LOSS),
        updates=integer(updates),
        learning_rate=rate_text(spec.learning_rate),
        advice=advice,
    )


def rate_text(rate: float) -> str:
    """A learning rate or a dropout rate as short as it goes (0.0001, 3, 0.2), with the language's decimal mark."""
    return f"{rate:g}".replace(".", decimal_separators()[0])


# Learning rates past which a run on MNIST usually stalls or blows up, and below which it barely moves.
LARGE_LEARNING_RATE = {"sgd": 1.0, "rmsprop": 0.03, "adam": 0.03}
SMALL_LEARNING_RATE = {"sgd": 0.003, "rmsprop": 0.0001, "adam": 0.0001}
FEW_UPDATES = 200  # fewer gradient updates than this leave little room to learn


def likely_causes(spec: ModelSpec, config: TrainConfig) -> list[str]:
    """What in this spec and config usually stops a network learning, most likely first."""
    causes = []
    rate, optimizer = spec.learning_rate, spec.optimizer
    if rate >= LARGE_LEARNING_RATE[optimizer]:
        causes.append(
            tr("the learning rate {learning_rate} is large for {optimizer}: try one 10 times smaller").format(
                learning_rate=rate_text(rate), optimizer=optimizer
            )
        )
    if rate <= SMALL_LEARNING_RATE[optimizer]:
        causes.append(
            tr(
                "the learning rate {learning_rate} is small for {optimizer}: each step barely moves the weights"
            ).format(learning_rate=rate_text(rate), optimizer=optimizer)
        )
    if config.gradient_updates_total < FEW_UPDATES:
        causes.append(
            tr("only {updates} gradient updates in all: use a smaller batch or more epochs").format(
                updates=integer(config.gradient_updates_total)
            )
        )
    widths = spec.hidden_units if spec.architecture == "dense" else ()
    if widths and min(widths) < 10:
        causes.append(
            ntr(
                "a layer of {n} unit squeezes the digit through {n} number: fewer than the 10 classes",
                "a layer of {n} units squeezes the digit through {n} numbers: fewer than the 10 classes",
                min(widths),
            ).format(n=min(widths))
        )
    if widths and max(spec.dropout) >= 0.5:
        causes.append(
            tr("dropout {rate} throws away most of what a layer computes at each update").format(
                rate=rate_text(max(spec.dropout))
            )
        )
    if len(widths) >= 3 and spec.activation in ("sigmoid", "tanh"):
        causes.append(
            tr("{count} {activation} layers: their gradients shrink layer after layer (try relu)").format(
                count=len(widths), activation=spec.activation
            )
        )
    if not spec.scale_inputs:
        causes.append(tr("the pixels are not scaled to 0-1: turn scaling on"))
    return causes


def diagnose(epochs: list[dict], spec: ModelSpec, config: TrainConfig) -> str | None:
    """A warning for a run that ended but learned nothing useful, saying what is likely wrong, or None."""
    if not (epochs and epochs[-1].get("val_accuracy", 1.0) < CHANCE_ACCURACY):
        return None
    causes = likely_causes(spec, config)
    if causes:
        why = tr("Likely causes in this run: {causes}.").format(causes="; ".join(causes))
    else:
        why = tr("Nothing in its settings is unusual: train it again with another seed, or more epochs.")
    return tr("Validation accuracy is {accuracy}: about what guessing scores. {why}").format(
        accuracy=number(epochs[-1]["val_accuracy"], 2), why=why
    )


def make_multi_step_function(model):
    """``run(iterator, steps)``: ``steps`` gradient updates on the next batches of ``iterator``, one call.

    What Keras's own ``steps_per_execution`` does, with the count chosen at each call (a tensor, so
    no retracing), which lets a run stop after exactly one batch when a student steps through it.
    """
    import tensorflow as tf

    step = tf.function(tf.autograph.experimental.do_not_convert(model.train_step), reduce_retracing=True)

    @tf.function(autograph=False, reduce_retracing=True)
    def run(iterator, steps):
        logs = step(iterator.get_next())
        _, logs = tf.while_loop(
            lambda done, _: done < steps,
            lambda done, _: (done + 1, step(iterator.get_next())),
            (tf.constant(1), logs),
        )
        return logs

    return run


def make_progress_callback(spec: ModelSpec, config: TrainConfig, control: TaskControl | None):
    """A Keras callback that streams batch and epoch metrics and obeys pause, stop and the user's requests.

    Requests (plain values left on the task, see ``BackgroundTask.request``):
    ``"step"``: ``("batches", n)`` runs n more gradient updates then pauses; ``("epoch", 1)`` runs to the
    end of the current epoch (its validation included) then pauses. ``"speed"``: gradient updates a
    second (slow motion), or 0 for full speed. ``"learning_rate"``: the optimizer's rate from the next
    update on, recorded with the update it took effect after.
    """
    import keras

    updates_per_epoch = config.gradient_updates_per_epoch
    updates_total = config.gradient_updates_total
    steps_per_execution = choose_steps_per_execution(config.batch_size)

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
            self.validation: tuple[np.ndarray, np.ndarray] | None = None  # images, integer labels
            self.confusions: list[np.ndarray] = []
            self.learning_rate_changes: list[dict] = []
            self._updates = 0
            self._batches_left: int | None = None  # a step the user asked for: updates still to run
            self._pause_at_epoch_end = False
            self._speed = 0  # updates a second; 0: as fast as the machine goes
            # Measured speed, for a live estimate of what is left: busy time (no pauses) per update,
            # leaving out the first call, which includes tracing the graph.
            self._busy_seconds = 0.0
            self._busy_updates = 0
            self._compute_seconds = 0.0
            self._validation_seconds: float | None = None
            self._last_piece_end = time.perf_counter()

        def watch_validation(self, images: np.ndarray, one_hot_labels: np.ndarray) -> None:
            """Compute the confusion matrix of these images after every epoch."""
            self.validation = (images, np.argmax(one_hot_labels, axis=1))

        def on_train_begin(self, logs=None):
            self.weight_history = [self.model.get_weights()]
            n_values = self.model.count_params() * (config.epochs + 1)
            self._keep_every_epoch = n_values <= MAX_WEIGHT_HISTORY_VALUES
            # fit calls model.train_function once per execution of steps_per_execution batches; this
            # one runs them in pieces when a step, slow motion or a pause asks for it.
            self._run_steps = make_multi_step_function(self.model)
            self.model.train_function = self._train_function

        def on_train_end(self, logs=None):
            if not self._keep_every_epoch or len(self.weight_history) == 1:
                self.weight_history = [self.weight_history[0], self.model.get_weights()]

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch_start_update = epoch * updates_per_epoch
            self._last = (0, 0.0, 0.0)

        def _read_requests(self):
            if control is None:
                return
            step = control.take_request("step")
            if step is not None:
                kind, count = step
                if kind == "epoch":
                    self._pause_at_epoch_end, self._batches_left = True, None
                else:
                    self._batches_left, self._pause_at_epoch_end = max(1, int(count)), False
            speed = control.take_request("speed")
            if speed is not None:
                self._speed = max(0.0, float(speed))
                if self._speed:  # its time says nothing of the machine's speed
                    control.report(slow_motion=True)
            rate = control.take_request("learning_rate")
            if rate is not None and float(rate) > 0:
                self.model.optimizer.learning_rate = float(rate)
                change = {"update": self._updates, "learning_rate": float(rate)}
                self.learning_rate_changes.append(change)
                control.update_detail(
                    lambda detail: detail.setdefault("learning_rate_changes", []).append(change)
                )

        def _train_function(self, iterator):
            import tensorflow as tf

            logs = None
            into_epoch = self._updates - self._epoch_start_update
            remaining = min(steps_per_execution, updates_per_epoch - into_epoch)
            while remaining > 0:
                self._read_requests()
                piece = remaining if not self._speed else 1
                if self._batches_left is not None:
                    piece = min(piece, self._batches_left)
                started = time.perf_counter()
                logs = self._run_steps(iterator, tf.constant(piece))
                remaining -= piece
                self._after_updates(logs, piece)
                self._count_busy(piece, time.perf_counter() - started)
                if self.model.stop_training:
                    break
                if self._speed:
                    self._sleep_for_slow_motion(started)
                if self._batches_left is not None:
                    self._batches_left -= piece
                    if self._batches_left <= 0:
                        self._batches_left = None
                        self._pause_after_step(
                            tr("Paused after a step: {updates} gradient updates").format(
                                updates=integer(self._updates)
                            )
                        )
                self._wait_and_check_stop()
                if self.model.stop_training:
                    break
                self._last_piece_end = time.perf_counter()
            return logs

        def _count_busy(self, piece, seconds):
            if self._updates > piece:  # not the first call: that one traced the graph
                self._busy_updates += piece
                self._busy_seconds += seconds
                self._compute_seconds += seconds

        def _sleep_for_slow_motion(self, started):
            deadline = started + 1.0 / self._speed
            slept_from = time.perf_counter()
            while time.perf_counter() < deadline and not (control is not None and control.stop_requested):
                time.sleep(min(0.05, max(0.0, deadline - time.perf_counter())))
            self._busy_seconds += time.perf_counter() - slept_from  # part of the run's time, not its compute

        def _pause_after_step(self, message):
            if control is not None and self._updates < updates_total:
                control.pause(message)

        def _wait_and_check_stop(self):
            if control is None:
                return
            control.wait_while_paused()
            if control.stop_requested:
                self.stopped = True
                self.model.stop_training = True

        def _after_updates(self, logs, piece):
            logs = logs or {}
            updates = int(self.model.optimizer.iterations.numpy())
            self._updates = updates
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
                detail["learning_rate"] = float(np.asarray(self.model.optimizer.learning_rate))
                detail["eta_seconds"] = self.seconds_left()
                detail["seconds_per_update"] = self.compute_seconds_per_update()

            control.update_detail(append)
            control.report(
                fraction=updates / updates_total,
                message=tr("Epoch {epoch} of {epochs}: {updates} of {total} gradient updates").format(
                    epoch=updates // updates_per_epoch + 1 if updates < updates_total else config.epochs,
                    epochs=config.epochs,
                    updates=integer(updates),
                    total=integer(updates_total),
                ),
            )

        def compute_seconds_per_update(self) -> float | None:
            """Measured time of one gradient update (no pauses, no slow motion, no tracing), or None."""
            return self._compute_seconds / self._busy_updates if self._busy_updates else None

        def seconds_left(self) -> float | None:
            """The rest of the run at the speed measured so far, validation and test evaluation included."""
            if not self._busy_updates:
                return None
            per_update = self._busy_seconds / self._busy_updates
            if self._speed:
                per_update = max(per_update, 1.0 / self._speed)
            epochs_left = config.epochs - len(self.epoch_rows)
            validation = self._validation_seconds
            if validation is None:  # not measured yet: a forward pass costs about a third of an update
                n_validation = len(self.validation[0]) if self.validation else config.holdout_size
                validation = per_update * n_validation / config.batch_size / 3
            test = validation * 10_000 / max(config.holdout_size or 10_000, 1)
            return (updates_total - self._updates) * per_update + epochs_left * validation + test

        def on_epoch_end(self, epoch, logs=None):
            logs = logs if logs is not None else {}
            validation_started = self._last_piece_end
            # One forward pass over the validation images gives its loss, accuracy and confusion
            # matrix: Keras's own validation (an evaluate, then a predict for the matrix) made two.
            validation = self._validate()
            if validation is not None:
                logs["val_loss"], logs["val_accuracy"] = validation.loss, validation.accuracy
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
            confusion = None
            if validation is not None and not self.model.stop_training:
                confusion = validation.confusion
                self.confusions.append(confusion)
            self._validation_seconds = time.perf_counter() - validation_started
            if control is None:
                return

            def append(detail):
                detail.setdefault("epochs", []).append(dict(row))
                if confusion is not None:
                    detail["confusion"] = {"epoch": epoch + 1, "matrix": confusion.tolist()}
                detail["eta_seconds"] = self.seconds_left()

            control.update_detail(append)
            if spec.architecture == "dense":  # the live network diagram's few hundred weights
                weights = self.weight_history[-1] if self._keep_every_epoch else self.model.get_weights()
                control.report(diagram_weights=sample_dense_weights(weights), diagram_epoch=epoch + 1)
            if self._pause_at_epoch_end and not self.model.stop_training:
                self._pause_at_epoch_end = False
                if epoch + 1 < config.epochs:
                    self._pause_after_step(tr("Paused after epoch {epoch}").format(epoch=epoch + 1))
                    self._wait_and_check_stop()
            self._last_piece_end = time.perf_counter()

        def _validate(self) -> Scores | None:
            if self.validation is None:
                return None
            images, labels = self.validation
            return scores(forward_probabilities(self.model, images), labels)

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

    phase("preparing", tr("Preparing the data: split, reshape, one-hot"))
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
    phase("building", tr("Building the model"))
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
    callback.watch_validation(data.x_val, data.y_val)
    phase("training", tr("Training"))
    started = time.perf_counter()
    model.fit(
        data.x_train,
        data.y_train,
        batch_size=config.batch_size,
        epochs=config.epochs,
        callbacks=callbacks,  # the callback validates each epoch itself (one forward pass)
        verbose=0,
    )
    train_seconds = time.perf_counter() - started
    if callback.diverged_after is not None:
        raise TaskFailed(divergence_message(callback.diverged_after, spec))
    phase("evaluating", tr("Evaluating on the {count} test images").format(count=integer(10_000)))
    test = scores(forward_probabilities(model, data.x_test), data.y_test_labels)
    correct = int(np.trace(test.confusion))
    test_loss, test_accuracy = test.loss, test.accuracy
    return TrainingResult(
        model=model,
        spec=spec,
        config=config,
        epochs=callback.epoch_rows,
        test_loss=float(test_loss),
        test_accuracy=float(test_accuracy),
        correct=correct,
        incorrect=len(data.x_test) - correct,
        train_seconds=train_seconds,
        stopped_early=callback.stopped,
        weight_history=callback.weight_history,
        confusion_per_epoch=callback.confusions,
        learning_rate_changes=callback.learning_rate_changes,
        warning=diagnose(callback.epoch_rows, spec, config),
    )


def build_model_for_training(spec: ModelSpec, config: TrainConfig):
    """``build_model`` with the steps per execution that suit ``config.batch_size``."""
    from mnist_core.engine.models import build_model

    return build_model(spec, steps_per_execution=choose_steps_per_execution(config.batch_size))


FORWARD_CHUNK = 1000  # images per forward call: a convnet's 1,000 feature maps are 86 MB


def forward_probabilities(model, x: np.ndarray) -> np.ndarray:
    """The model's outputs for ``x`` (already in the model's input form), one compiled call per chunk.

    ``predict_on_batch`` reuses the model's compiled predict step; ``predict`` would also build a
    data pipeline and an epoch iterator each time, which cost more than the arithmetic.
    """
    chunks = [
        model.predict_on_batch(x[start : start + FORWARD_CHUNK]) for start in range(0, len(x), FORWARD_CHUNK)
    ]
    return np.concatenate([np.asarray(chunk, dtype=np.float32) for chunk in chunks])


def predict_classes(model, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """argmax of the softmax output: the predicted digit for each input."""
    probabilities = model.predict(x, batch_size=batch_size, verbose=0)
    return np.argmax(probabilities, axis=1)


def run_summary(run) -> dict:
    """A JSON-ready summary of a finished run (a ``TrainingResult`` or a worker's ``TrainedRun``)."""
    return {
        "model": run.spec.describe(),
        "epochs": len(run.epochs),
        "batch_size": run.config.batch_size,
        "train_seconds": round(run.train_seconds, 3),
        "test_loss": round(run.test_loss, 4),
        "test_accuracy": round(run.test_accuracy, 4),
        "correct": run.correct,
        "incorrect": run.incorrect,
        "stopped_early": run.stopped_early,
    }
