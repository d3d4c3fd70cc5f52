"""Lesson 7: the same kind of network in scikit-learn, trained live with ``MLPClassifier``.

``train_mlp`` runs scikit-learn's own ``fit`` (so a run is identical to the
lesson's ``MLPClassifier(hidden_layer_sizes=(50,), max_iter=10, random_state=1)``)
while streaming the loss of every iteration through a ``TaskControl`` and obeying
pause and stop between mini-batches. Inputs are parsed here with messages that
say how to fix them, so a page can show them instead of a traceback.

The page runs them in worker processes as jobs (``train_mlp_job``, ``train_shapes_job``,
``compare_with_keras_job``): top-level functions of plain data that read MNIST where they run,
so neither their CPU nor the comparison's TensorFlow is the Streamlit server's.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from mnist_core.data.mnist import N_CLASSES, N_PIXELS, flatten, load_mnist, one_hot, scale
from mnist_core.engine.spec import LayerCount
from mnist_core.i18n import integer, tr
from mnist_core.jobs.tasks import TaskControl, TaskFailed, TaskStopped

MAX_LAYERS = 5  # as on the Keras pages, so every architecture here can be compared there
MAX_UNITS = 1024
MAX_ITERATIONS = 50  # the Keras engine's epoch limit, for the side-by-side
MAX_LEARNING_RATE = 10.0
MIN_TRAIN_SAMPLES = 100
MAX_TRAIN_SAMPLES = 60_000
LESSON_SIZES = (50,)
DEEP_NARROW_SIZES = (10, 10, 10, 10, 10)  # the same 50 hidden neurons, in five layers
BATCHES_PER_REPORT = 10  # report progress and look at pause/stop every 10 mini-batches


def parse_layer_sizes(text: str) -> tuple[int, ...]:
    """Read hidden layer sizes typed as ``(50,)``, ``50``, ``10, 10, 10`` or ``[10, 10]``.

    Returns
    -------
    tuple of int
        One entry per hidden layer, e.g. ``(10, 10, 10)``.

    Raises
    ------
    ValueError
        With a message that says what to type instead.
    """
    stripped = str(text).strip()
    inner = stripped
    if inner[:1] in "([" and inner[-1:] in ")]":
        inner = inner[1:-1]
    elif inner[:1] in "([" or inner[-1:] in ")]":
        raise ValueError(
            tr("brackets do not match in {text}: write the sizes like (10, 10, 10)").format(
                text=repr(stripped)
            )
        )
    parts = [part.strip() for part in inner.split(",")]
    if parts and parts[-1] == "" and len(parts) > 1:  # "(50,)" is Python's one-element tuple
        parts = parts[:-1]
    if not parts or parts == [""]:
        raise ValueError(tr("give at least one hidden layer size, e.g. (50,) or (10, 10, 10)"))
    sizes = []
    for position, part in enumerate(parts, start=1):
        if part == "":
            raise ValueError(
                tr("layer {position} is empty in {text}: remove the extra comma").format(
                    position=position, text=repr(stripped)
                )
            )
        if not re.fullmatch(r"[+-]?\d+", part):
            raise ValueError(
                tr(
                    "layer {position} is {text}, not a whole number: sizes count neurons, e.g. (10, 10, 10)"
                ).format(position=position, text=repr(part))
            )
        sizes.append(int(part))
    return check_layer_sizes(tuple(sizes))


def check_layer_sizes(sizes: tuple[int, ...]) -> tuple[int, ...]:
    """1 to ``MAX_LAYERS`` hidden layers of 1 to ``MAX_UNITS`` neurons, or a ValueError saying so."""
    if not sizes:
        raise ValueError(tr("give at least one hidden layer size, e.g. (50,) or (10, 10, 10)"))
    if len(sizes) > MAX_LAYERS:
        raise ValueError(
            tr("{count} hidden layers is too many here: use at most {most}").format(
                count=len(sizes), most=MAX_LAYERS
            )
        )
    for position, units in enumerate(sizes, start=1):
        if isinstance(units, bool) or not isinstance(units, int | np.integer):
            raise ValueError(
                tr("layer {position} is {text}, not a whole number of neurons").format(
                    position=position, text=repr(units)
                )
            )
        if not 1 <= units <= MAX_UNITS:
            raise ValueError(
                tr("layer {position} has {units} neurons: use between 1 and {most}").format(
                    position=position, units=units, most=MAX_UNITS
                )
            )
    return tuple(int(units) for units in sizes)


def parse_size_list(text: str) -> tuple[tuple[int, ...], ...]:
    """Read several layer-size tuples, e.g. ``(10,), (50,), (10, 10, 10, 10)``."""
    stripped = str(text).strip()
    groups = re.findall(r"\(([^()]*)\)", stripped)
    leftover = re.sub(r"\([^()]*\)", "", stripped)
    if not groups or leftover.strip(" ,;"):
        raise ValueError(
            tr(
                "write each architecture in brackets, separated by commas, e.g. (10,), (50,), (10, 10, 10, 10)"
            )
        )
    sizes = tuple(parse_layer_sizes(f"({group})") for group in groups)
    if len(set(sizes)) != len(sizes):
        raise ValueError(tr("an architecture is listed twice: remove the repeat"))
    return sizes


def check_learning_rate(value: float) -> float:
    """A learning rate above 0 and at most ``MAX_LEARNING_RATE``, or a ValueError saying so."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValueError(
                tr("the learning rate must be a number such as 0.001, got {text}").format(text=repr(value))
            ) from None
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(
            tr("the learning rate must be a finite number such as 0.001, got {value}").format(value=value)
        )
    if value <= 0:
        raise ValueError(
            tr("the learning rate must be above 0 (a step size), got {value}: try 0.001").format(
                value=f"{value:g}"
            )
        )
    if value > MAX_LEARNING_RATE:
        raise ValueError(
            tr("a learning rate of {value} is far too large: use at most {most}").format(
                value=f"{value:g}", most=f"{MAX_LEARNING_RATE:g}"
            )
        )
    return value


def parse_learning_rates(text: str) -> tuple[float, ...]:
    """Read learning rates typed as ``0.001, 0.01, 0.5``."""
    parts = [part.strip() for part in str(text).strip().strip("[]()").split(",")]
    if parts and parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    if not parts or "" in parts:
        raise ValueError(tr("give learning rates separated by commas, e.g. 0.001, 0.01, 0.5"))
    rates = tuple(check_learning_rate(part) for part in parts)
    if len(set(rates)) != len(rates):
        raise ValueError(tr("a learning rate is listed twice: remove the repeat"))
    return rates


def describe_sizes(sizes: tuple[int, ...]) -> str:
    """Python's spelling of a tuple: ``(50,)`` or ``(10, 10, 10)``."""
    return f"({sizes[0]},)" if len(sizes) == 1 else "(" + ", ".join(str(units) for units in sizes) + ")"


@dataclass(frozen=True)
class MLPSettings:
    """One ``MLPClassifier`` run of lesson 7 (the defaults are the lesson's call)."""

    hidden_layer_sizes: tuple[int, ...] = LESSON_SIZES
    max_iter: int = 10  # passes over the training images
    learning_rate_init: float = 0.001  # scikit-learn's default step size for Adam
    random_state: int = 1
    train_samples: int = MAX_TRAIN_SAMPLES  # the first N training images

    def __post_init__(self):
        check_layer_sizes(tuple(self.hidden_layer_sizes))
        if not (isinstance(self.max_iter, int) and 1 <= self.max_iter <= MAX_ITERATIONS):
            raise ValueError(f"max_iter must be between 1 and {MAX_ITERATIONS}, got {self.max_iter}")
        check_learning_rate(self.learning_rate_init)
        if not (isinstance(self.random_state, int) and 0 <= self.random_state <= 2**31 - 1):
            raise ValueError(
                f"random_state must be a whole number from 0 to 2147483647, got {self.random_state}"
            )
        if not (
            isinstance(self.train_samples, int)
            and MIN_TRAIN_SAMPLES <= self.train_samples <= MAX_TRAIN_SAMPLES
        ):
            raise ValueError(
                f"train_samples must be between {MIN_TRAIN_SAMPLES} and {MAX_TRAIN_SAMPLES}, got {self.train_samples}"
            )

    def estimator(self) -> MLPClassifier:
        """The scikit-learn model these settings describe (Adam, ReLU, batches of 200)."""
        return make_classifier(
            self.hidden_layer_sizes, self.learning_rate_init, self.max_iter, self.random_state
        )

    def code(self) -> str:
        """The lesson's line of Python for these settings."""
        extra = (
            "" if self.learning_rate_init == 0.001 else f", learning_rate_init={self.learning_rate_init:g}"
        )
        return (
            f"MLPClassifier(hidden_layer_sizes={describe_sizes(self.hidden_layer_sizes)}, "
            f"max_iter={self.max_iter}{extra}, random_state={self.random_state})"
        )


def make_classifier(
    sizes: tuple[int, ...], learning_rate: float, max_iter: int, random_state: int
) -> MLPClassifier:
    """An ``MLPClassifier`` whose ``fit`` reports each batch and iteration to a listener."""
    return _ReportingMLP(
        hidden_layer_sizes=tuple(sizes),
        learning_rate_init=learning_rate,
        max_iter=max_iter,
        random_state=random_state,
    )


class _ReportingMLP(MLPClassifier):
    """``MLPClassifier`` with two listening hooks; the training itself is scikit-learn's own.

    scikit-learn offers no per-iteration callback for this model, so we listen to two
    private methods that its Adam loop calls once per mini-batch and once per
    iteration. A unit test checks the result still equals a plain ``fit``.
    """

    _listener: _FitListener | None = None

    def _backprop(self, *args, **kwargs):
        result = super()._backprop(*args, **kwargs)
        if self._listener is not None:
            self._listener.after_batch()
        return result

    def _update_no_improvement_count(self, *args, **kwargs):
        super()._update_no_improvement_count(*args, **kwargs)
        if self._listener is not None:
            self._listener.after_iteration(float(self.loss_curve_[-1]))


class _FitListener:
    """Counts batches and iterations, forwards them, and raises ``TaskStopped`` on request."""

    def __init__(self, batches_per_iteration: int, max_iter: int, control, on_batch, on_iteration):
        self.batches_per_iteration = batches_per_iteration
        self.total_batches = batches_per_iteration * max_iter
        self.batches_done = 0
        self.control = control
        self.on_batch = on_batch
        self.on_iteration = on_iteration

    def after_batch(self) -> None:
        self.batches_done += 1
        if self.batches_done % BATCHES_PER_REPORT == 0:
            if self.on_batch is not None:
                self.on_batch(self.batches_done / self.total_batches)
            if self.control is not None:
                self.control.checkpoint()

    def after_iteration(self, loss: float) -> None:
        if not math.isfinite(loss):
            raise _Diverged()
        if self.on_iteration is not None:
            self.on_iteration(loss)
        if self.on_batch is not None:
            self.on_batch(self.batches_done / self.total_batches)
        if self.control is not None:
            self.control.checkpoint()


class _Diverged(Exception):
    """The loss became NaN or infinite."""


@dataclass
class FitOutcome:
    """How a streamed fit ended: the model is usable unless it diverged."""

    model: MLPClassifier
    loss_curve: list[float]
    seconds: float
    stopped: bool = False
    diverged: bool = False

    @property
    def iterations(self) -> int:
        return len(self.loss_curve)


def fit_streaming(
    model: MLPClassifier,
    x: np.ndarray,
    y: np.ndarray,
    control: TaskControl | None = None,
    on_batch: Callable[[float], None] | None = None,
    on_iteration: Callable[[float], None] | None = None,
) -> FitOutcome:
    """Fit ``model`` on ``x`` (n, 784) floats in 0-1 and ``y`` (n,) labels, reporting as it goes.

    Parameters
    ----------
    model : MLPClassifier
        Made by ``make_classifier`` or ``MLPSettings.estimator``.
    control : TaskControl, optional
        Pause and stop are honoured every few mini-batches; a stop ends the fit
        early with the weights of the last update (``stopped=True``).
    on_batch : callable, optional
        Called with the share of all mini-batches done (0-1).
    on_iteration : callable, optional
        Called with the mean training loss of each finished iteration.
    """
    n_batches = math.ceil(len(x) / min(200, len(x)))  # batch_size="auto" means min(200, n)
    listener = _FitListener(n_batches, model.max_iter, control, on_batch, on_iteration)
    model._listener = listener
    stopped = diverged = False
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=10 is the lesson's choice
            model.fit(x, y)
    except TaskStopped:
        stopped = True
    except _Diverged:
        diverged = True
    except ValueError as error:  # scikit-learn's check for non-finite weights after the fit
        if "non-finite" not in str(error):
            raise
        diverged = True
    finally:
        model._listener = None
    seconds = time.perf_counter() - started
    curve = [float(loss) for loss in getattr(model, "loss_curve_", [])]
    return FitOutcome(model, curve, seconds, stopped=stopped, diverged=diverged)


def prepare_inputs(images: np.ndarray) -> np.ndarray:
    """Images (n, 28, 28) uint8 -> vectors (n, 784) float32 in 0-1, as MLPClassifier takes them."""
    return flatten(scale(images))


def mlp_parameter_counts(sizes: tuple[int, ...]) -> list[LayerCount]:
    """Weights and biases per layer of a 784-...-10 network: fan_in x units + units."""
    counts = []
    fan_in = N_PIXELS
    for units in sizes:
        name = tr("Hidden {units}").format(units=units)
        counts.append(LayerCount(name, f"{fan_in} x {units} + {units}", fan_in * units + units))
        fan_in = units
    name = tr("Output {units}").format(units=N_CLASSES)
    counts.append(LayerCount(name, f"{fan_in} x {N_CLASSES} + {N_CLASSES}", fan_in * N_CLASSES + N_CLASSES))
    return counts


@dataclass
class MLPRun:
    """A finished (or stopped) ``MLPClassifier`` run with its scores."""

    settings: MLPSettings
    model: MLPClassifier
    loss_curve: list[float]
    train_accuracy: float
    test_accuracy: float
    train_seconds: float  # fit only

    @property
    def parameters(self) -> int:
        return sum(count.parameters for count in mlp_parameter_counts(self.settings.hidden_layer_sizes))


def diverged_message(learning_rate: float) -> str:
    return tr(
        "The loss stopped being a number (NaN or infinity) with learning rate {learning_rate}: "
        "the steps overshot and the weights blew up. Try a learning rate 10 times smaller."
    ).format(learning_rate=f"{learning_rate:g}")


def train_mlp(settings: MLPSettings, mnist, control: TaskControl | None = None) -> MLPRun:
    """Train lesson 7's ``MLPClassifier`` on the first ``settings.train_samples`` images.

    Parameters
    ----------
    settings : MLPSettings
    mnist : ((x_train, y_train), (x_test, y_test))
        uint8 images (n, 28, 28) and integer labels, as ``load_mnist`` returns them.
    control : TaskControl, optional
        Receives ``fraction``, a message and ``loss_curve`` (one value per iteration).

    Returns
    -------
    MLPRun
        With training accuracy on the images it trained on and test accuracy on all 10,000.

    Raises
    ------
    TaskFailed
        When the loss diverges.
    TaskStopped
        When ``control`` asked to stop: at once, without scoring (a worker has half a second to stop
        before it is ended, and scoring 70,000 images takes longer on a busy server).
    """
    (x_train, y_train), (x_test, y_test) = mnist
    n = settings.train_samples
    x_fit, y_fit = prepare_inputs(x_train[:n]), np.asarray(y_train[:n])

    def on_iteration(loss):
        if control is not None:
            control.update_detail(lambda detail: detail.setdefault("loss_curve", []).append(loss))

    def on_batch(fraction):
        if control is not None:
            iteration = min(int(fraction * settings.max_iter) + 1, settings.max_iter)
            message = tr("Iteration {iteration} of {total} on {count} images").format(
                iteration=iteration, total=settings.max_iter, count=integer(n)
            )
            control.report(fraction, message)

    outcome = fit_streaming(settings.estimator(), x_fit, y_fit, control, on_batch, on_iteration)
    if outcome.diverged:
        raise TaskFailed(diverged_message(settings.learning_rate_init))
    if outcome.stopped:
        raise TaskStopped()
    if control is not None:
        control.report(message=tr("Scoring on the training and test images"))
    return MLPRun(
        settings=settings,
        model=outcome.model,
        loss_curve=outcome.loss_curve,
        train_accuracy=float(outcome.model.score(x_fit, y_fit)),
        test_accuracy=float(outcome.model.score(prepare_inputs(x_test), y_test)),
        train_seconds=outcome.seconds,
    )


def train_mlp_job(settings: MLPSettings, control: TaskControl | None = None) -> MLPRun:
    """``train_mlp`` on MNIST as read where it runs: a job for a worker (bind ``settings`` with partial)."""
    return train_mlp(settings, load_mnist(), control)


def train_shapes_job(
    each: tuple[MLPSettings, ...],
    known: tuple[MLPRun | None, ...],
    control: TaskControl | None = None,
) -> list[MLPRun]:
    """Train each of ``each`` in turn, unless ``known`` has its run already; a job for a worker.

    Parameters
    ----------
    each : tuple of MLPSettings
    known : tuple of MLPRun or None, one per settings
        Runs the server had already (a student trained those settings before): not trained again.
    control : TaskControl, optional
        Each training's share of ``fraction``, its ``loss_curve`` (reset for each) and ``done``:
        one ``{"label", "curve"}`` per finished network.

    Returns
    -------
    list of MLPRun, in the order of ``each``
    """
    if len(known) != len(each):
        raise ValueError(f"known must have one entry per settings: {len(each)}, got {len(known)}")
    mnist = load_mnist()
    runs = []
    for position, (settings, run) in enumerate(zip(each, known)):
        if run is None:
            if control is not None:
                control.update_detail(lambda detail: detail.update(loss_curve=[]))
            shifted = (
                ShiftedControl(control, position / len(each), (position + 1) / len(each))
                if control is not None
                else None
            )
            run = train_mlp(settings, mnist, shifted)
        runs.append(run)
        if control is not None:
            done = {"label": describe_sizes(settings.hidden_layer_sizes), "curve": run.loss_curve}
            control.update_detail(lambda detail, done=done: detail.setdefault("done", []).append(done))
    return runs


@dataclass(frozen=True)
class FrameworkScore:
    """One framework's result in the Keras vs scikit-learn comparison."""

    framework: str
    train_accuracy: float
    test_accuracy: float
    fit_seconds: float
    iterations: int


class ShiftedControl:
    """A ``TaskControl`` view that maps a sub-task's progress 0-1 onto [start, end]."""

    def __init__(self, control: TaskControl, start: float, end: float):
        self._control, self._start, self._end = control, start, end

    @property
    def stop_requested(self) -> bool:
        return self._control.stop_requested

    def checkpoint(self) -> None:
        self._control.checkpoint()

    def wait_while_paused(self) -> None:
        self._control.wait_while_paused()

    def update_detail(self, update) -> None:
        self._control.update_detail(update)

    def take_request(self, name: str):
        """The training engine's step, speed and learning-rate requests pass through unchanged."""
        return self._control.take_request(name)

    def pause(self, message: str = "Paused") -> None:
        self._control.pause(message)

    def report(self, fraction=None, message=None, **detail) -> None:
        if fraction is not None:
            fraction = self._start + (self._end - self._start) * fraction
        self._control.report(fraction, message, **detail)


def compare_with_keras(
    settings: MLPSettings, mnist, control: TaskControl | None = None
) -> tuple[FrameworkScore, FrameworkScore]:
    """Train the same architecture on the same images with scikit-learn, then Keras.

    Both use Adam with ``settings.learning_rate_init``, ReLU, mini-batches of 200
    (scikit-learn's default) and ``settings.max_iter`` passes; one after the
    other, so neither slows the other down.

    Returns
    -------
    (scikit-learn score, Keras score)
    """
    from mnist_core.engine.spec import ModelSpec, TrainConfig
    from mnist_core.engine.training import train

    sklearn_control = ShiftedControl(control, 0.0, 0.5) if control is not None else None
    run = train_mlp(settings, mnist, sklearn_control)
    sklearn_score = FrameworkScore(
        "scikit-learn", run.train_accuracy, run.test_accuracy, run.train_seconds, len(run.loss_curve)
    )
    if control is not None:
        control.report(0.5, tr("Keras: building the same network"), sklearn=sklearn_score)
        control.checkpoint()
    sizes = settings.hidden_layer_sizes
    spec = ModelSpec(
        hidden_units=sizes,
        dropout=(0.0,) * len(sizes),
        optimizer="adam",
        learning_rate=settings.learning_rate_init,
    )
    config = TrainConfig(
        epochs=settings.max_iter,
        batch_size=200,
        validation="test",
        train_limit=settings.train_samples,
        seed=settings.random_state,
    )
    keras_control = ShiftedControl(control, 0.5, 1.0) if control is not None else None
    result = train(spec, config, keras_control, mnist=mnist)
    if result.stopped_early:
        raise TaskStopped()
    (x_train, y_train), _ = mnist
    n = settings.train_samples
    train_accuracy = result.model.evaluate(
        flatten(x_train[:n]), one_hot(y_train[:n]), batch_size=1000, verbose=0, return_dict=True
    )["accuracy"]  # after training, like scikit-learn's score (the epoch log averages over the epoch)
    keras_score = FrameworkScore(
        "Keras", float(train_accuracy), result.test_accuracy, result.train_seconds, len(result.epochs)
    )
    return sklearn_score, keras_score


def compare_with_keras_job(
    settings: MLPSettings, control: TaskControl | None = None
) -> tuple[FrameworkScore, FrameworkScore]:
    """``compare_with_keras`` on MNIST as read where it runs: a job for a worker, which owns TensorFlow."""
    return compare_with_keras(settings, load_mnist(), control)
