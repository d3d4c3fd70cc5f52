"""The loss landscape of a trained network: slices of its loss through weight space.

A network has thousands of weights, so its loss surface cannot be drawn. Slices
of it can (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"):

- 1-D: the loss along the straight line from the initial weights (alpha = 0) to
  the trained ones (alpha = 1), and a little beyond, on training and validation images.
- 2-D: the loss on a grid ``trained + a * d1 + b * d2`` around the trained weights, with
  two random directions, each filter-normalized: every unit's (or filter's) slice
  of a direction is rescaled to the norm of that unit's weights, and bias directions
  are zero, so that a step of 1 means "as far as the weights themselves" in every layer.
- The training path: the weights saved after each epoch, projected onto the plane of
  the two principal components of their differences from the trained weights, with
  the loss on a grid over that plane, so the road the run took is drawn on its terrain.

Losses are the mean categorical cross-entropy exactly as Keras computes it (from
the logits of the softmax layer). Dense networks are evaluated by a NumPy forward
pass, which is several times faster than ``model.evaluate`` for one small batch and
never touches the student's model; other networks (the convnet) by
``model.evaluate`` on a private clone.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mnist_core.i18n import N_, integer, tr
from mnist_core.inspect.trace import ACTIVATIONS, dense_forward
from mnist_core.jobs.tasks import TaskControl

Weights = list[np.ndarray]  # as model.get_weights() returns them
NUMPY_LAYERS = {
    "InputLayer",
    "Identity",
    "Rescaling",
    "Dense",
    "Dropout",
    "Flatten",
}  # Identity, Dropout: no-ops here


@dataclass(frozen=True)
class LandscapeSettings:
    """How much of the landscape to compute, and on how many images."""

    resolution: int = 21  # grid points per side of each 2-D plane
    span: float = 1.0  # the random plane covers -span..span in filter-normalized units
    samples: int = 4_000  # training images per loss (both 21 x 21 grids of the first network: ~10 s)
    validation_samples: int = 2_000
    alphas: tuple[float, ...] = tuple(round(-0.25 + 0.05 * i, 10) for i in range(36))  # -0.25 .. 1.5
    seed: int = 0  # for the random directions

    def __post_init__(self):
        if not (isinstance(self.resolution, int) and 3 <= self.resolution <= 51):
            raise ValueError(f"resolution must be between 3 and 51 points per side, got {self.resolution}")
        if not (math.isfinite(self.span) and 0 < self.span <= 10):
            raise ValueError(f"span must be above 0 and at most 10, got {self.span}")
        if not 10 <= self.samples <= 60_000 or not 10 <= self.validation_samples <= 60_000:
            raise ValueError("samples and validation_samples must be between 10 and 60,000")
        if 0.0 not in self.alphas or 1.0 not in self.alphas:
            raise ValueError("alphas must include 0 (initial weights) and 1 (trained weights)")


@dataclass
class Landscape:
    """Everything Part 3 of the page draws."""

    alphas: np.ndarray  # (n_alphas,)
    interpolation_train: np.ndarray  # (n_alphas,) loss on training images
    interpolation_validation: np.ndarray  # (n_alphas,)
    random_axis: np.ndarray  # (resolution,) coordinates along both random directions
    random_grid: np.ndarray  # (resolution, resolution), [row = d2 coordinate, column = d1 coordinate]
    pca_x: np.ndarray  # (resolution,) coordinates along the first principal direction
    pca_y: np.ndarray  # (resolution,)
    pca_grid: np.ndarray  # (resolution, resolution)
    path: np.ndarray  # (n_epochs + 1, 2) the saved weights projected on the PCA plane
    path_losses: np.ndarray  # (n_epochs + 1,) training loss at each saved weight
    explained: np.ndarray  # (2,) share of the path's movement each principal direction holds
    samples: int
    validation_samples: int
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # N_-marked English: a landscape is cached server-wide


# --- weights as vectors ---


def flatten_weights(weights: Weights) -> np.ndarray:
    """All arrays of ``weights`` in one float64 vector of shape (n_parameters,)."""
    return np.concatenate([np.ravel(w).astype(np.float64) for w in weights])


def unflatten_weights(vector: np.ndarray, like: Weights) -> Weights:
    """Split ``vector`` back into float32 arrays shaped as ``like``."""
    out, at = [], 0
    for w in like:
        out.append(vector[at : at + w.size].reshape(w.shape).astype(np.float32))
        at += w.size
    return out


def fingerprint(weight_history: list[Weights]) -> str:
    """A short hash of a run's saved weights: the cache key of its landscape."""
    digest = hashlib.sha1()
    for weights in weight_history:
        for w in weights:
            digest.update(np.ascontiguousarray(w).tobytes())
    return digest.hexdigest()[:16]


# --- directions ---


def filter_normalized_direction(weights: Weights, rng: np.random.Generator) -> Weights:
    """A random Gaussian direction, filter-normalized as in Li et al. 2018.

    For every kernel (an array with 2 or more axes; Keras puts output units or
    filters on the last axis) each unit's slice ``d[..., j]`` is rescaled to the
    norm of ``w[..., j]``. Biases (1-D arrays) get a zero direction.

    Returns
    -------
    list of float32 arrays shaped as ``weights``
    """
    direction = []
    for w in weights:
        if w.ndim < 2:
            direction.append(np.zeros_like(w, dtype=np.float32))
            continue
        d = rng.standard_normal(w.shape)
        axes = tuple(range(w.ndim - 1))
        d_norms = np.sqrt((d**2).sum(axis=axes, keepdims=True))
        w_norms = np.sqrt((w.astype(np.float64) ** 2).sum(axis=axes, keepdims=True))
        direction.append((d * w_norms / np.maximum(d_norms, 1e-12)).astype(np.float32))
    return direction


def path_plane(weight_history: list[Weights], rng: np.random.Generator):
    """Two orthonormal directions from a PCA of the saved weights' offsets from the trained ones.

    Returns
    -------
    directions : ndarray of shape (2, n_parameters)
    path : ndarray of shape (n_saved, 2), each saved weight's coordinates (the last is (0, 0))
    explained : ndarray of shape (2,), share of the squared offsets each direction holds
    note : str, empty unless a direction had to be made up (a run of one epoch); in English, for ``tr``
    """
    vectors = np.stack([flatten_weights(w) for w in weight_history])
    offsets = vectors[:-1] - vectors[-1]  # Li et al.: offsets from the final weights, not centred
    _, singular, right = np.linalg.svd(offsets, full_matrices=False)
    total = float((singular**2).sum()) or 1.0
    directions = list(right[: min(2, len(singular))])
    explained = [float(s**2) / total for s in singular[:2]]
    note = ""
    while len(directions) < 2:  # one epoch: the path is a line; add a random perpendicular
        extra = rng.standard_normal(vectors.shape[1])
        for d in directions:
            extra -= (extra @ d) * d
        directions.append(extra / np.linalg.norm(extra))
        explained.append(0.0)
        note = N_("One epoch gives a straight path: the second direction is random, perpendicular to it.")
    directions = np.stack(directions)
    path = (vectors - vectors[-1]) @ directions.T
    return directions, path, np.array(explained), note


# --- the loss, exactly as Keras computes it ---


def cross_entropy_from_logits(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean categorical cross-entropy of softmax(logits) against one-hot ``targets``."""
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-(targets * log_probabilities).sum(axis=1).mean())


def numpy_plan(model) -> list[tuple[str, object]] | None:
    """The model as steps a NumPy forward pass can run, or None if it has other layers."""
    plan = []
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    for index, layer in enumerate(layers):
        kind = type(layer).__name__
        if kind not in NUMPY_LAYERS:
            return None
        if kind == "Rescaling":
            plan.append(("rescale", (np.float32(layer.scale), np.float32(layer.offset))))
        elif kind == "Flatten":
            plan.append(("flatten", None))
        elif kind == "Dense":
            activation = layer.activation.__name__
            is_output = index == len(layers) - 1
            if not layer.use_bias or activation not in ACTIVATIONS or (activation == "softmax") != is_output:
                return None
            plan.append(("dense", activation))
    if not plan or plan[-1] != ("dense", "softmax"):
        return None
    return plan


class LossEvaluator:
    """The mean loss of a model's architecture at any weights, on fixed images.

    Parameters
    ----------
    model : keras.Model
        Only read, never changed: its architecture.
    images : array of shape (n, *model input shape)
        Exactly as ``model.fit`` received them (``prepare_data``'s uint8 arrays for
        the project's models, which scale inside; already scaled for other models).
    targets : float array of shape (n, 10), one-hot
    """

    def __init__(self, model, images: np.ndarray, targets: np.ndarray):
        self.inputs = np.asarray(images, dtype=np.float32)
        self.targets = np.asarray(targets, dtype=np.float32)
        self.plan = numpy_plan(model)
        self._model = model
        self._clone = None
        if self.plan is not None:
            # Rescaling and Flatten have no weights: run them once, not at every point.
            x = self.inputs.reshape(len(self.inputs), -1)
            while self.plan[0][0] != "dense":
                kind, argument = self.plan.pop(0)
                if kind == "rescale":
                    x = x * argument[0] + argument[1]
            self._first_layer_inputs = np.ascontiguousarray(x, dtype=np.float32)

    @property
    def uses_numpy(self) -> bool:
        return self.plan is not None

    def __call__(self, weights: Weights) -> float:
        """The loss at ``weights`` (a list shaped as ``model.get_weights()``)."""
        if self.plan is None:
            return self._keras_loss(weights)
        first = self._first_layer_inputs @ weights[0] + weights[1]
        return self._rest(first, weights)

    def on_plane(self, origin: Weights, directions: list[Weights]) -> Callable[..., float]:
        """``loss(c1, c2, ...)`` at ``origin + c1 * directions[0] + c2 * directions[1] + ...``.

        The first layer's pre-activations are linear in its weights, so for a NumPy
        network they are computed once per direction, and each point of a line or a
        plane then costs only the small layers after it.
        """
        origin_vector = flatten_weights(origin)
        direction_vectors = [flatten_weights(d) for d in directions]

        def weights_at(coefficients) -> Weights:
            vector = origin_vector + sum(c * d for c, d in zip(coefficients, direction_vectors))
            return unflatten_weights(vector, origin)

        if self.plan is None:
            return lambda *coefficients: self._keras_loss(weights_at(coefficients))
        x = self._first_layer_inputs
        base = x @ origin[0] + origin[1]
        pieces = [x @ d[0] + d[1] for d in directions]

        def loss_at(*coefficients) -> float:
            first = base + sum(np.float32(c) * piece for c, piece in zip(coefficients, pieces))
            return self._rest(first, weights_at(coefficients))

        return loss_at

    def _rest(self, first: np.ndarray, weights: Weights) -> float:
        """The network after the first Dense layer's pre-activations ``first``."""
        hidden = [argument for kind, argument in self.plan if kind == "dense"][:-1]  # the last is softmax
        logits = dense_forward(weights, None, [*hidden, "linear"], first_pre_activation=first)[-1][0]
        return cross_entropy_from_logits(logits, self.targets)

    def _keras_loss(self, weights: Weights) -> float:
        import keras

        if self._clone is None:
            self._clone = keras.models.clone_model(self._model)
            self._clone.compile(loss="categorical_crossentropy")
        self._clone.set_weights(weights)
        result = self._clone.evaluate(self.inputs, self.targets, batch_size=500, verbose=0)
        return float(np.ravel(result)[0])


# --- the computation, as a background task's work ---


SECONDS_PER_FORWARD_MULTIPLY_ADD = 1.1e-11  # batched inference: the first network's 21 x 21 grids took ~1 s
SECONDS_PER_LOSS_EVALUATION = 1e-3  # setting the weights and calling Keras, whatever the size


def loss_evaluations(settings: LandscapeSettings) -> int:
    """How many times the loss is computed: the 1-D line on two sets, and two 2-D grids."""
    return 2 * settings.resolution**2 + 2 * len(settings.alphas)


def estimate_landscape_seconds(spec, settings: LandscapeSettings) -> float:
    """A rough estimate, on a quiet 2-core server, of ``compute_landscape`` for a network of ``spec``.

    A convnet's landscape costs about 60 times a first network's: every loss is a forward pass
    over thousands of images, and a convolution has far more multiply-adds per image.
    """
    from mnist_core.engine.spec import multiply_adds_per_image

    per_image = multiply_adds_per_image(spec) * SECONDS_PER_FORWARD_MULTIPLY_ADD
    grid_images = settings.samples * 2 * settings.resolution**2
    line_images = (settings.samples + settings.validation_samples) * len(settings.alphas)
    return (grid_images + line_images) * per_image + loss_evaluations(settings) * SECONDS_PER_LOSS_EVALUATION


def compute_landscape(
    model,
    weight_history: list[Weights],
    train_data: tuple[np.ndarray, np.ndarray],
    validation_data: tuple[np.ndarray, np.ndarray],
    settings: LandscapeSettings | None = None,
    control: TaskControl | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Landscape:
    """Compute every slice of Part 3, reporting progress and honouring pause and stop.

    Parameters
    ----------
    model : keras.Model
        The trained network (its architecture; its weights are not changed).
    weight_history : list of weight lists
        ``model.get_weights()`` before training and after each epoch; at least two.
    train_data, validation_data : (images (n, *input shape), one-hot targets (n, 10))
        As ``model.fit`` received them (``prepare_data``). The first ``settings.samples`` / ``settings.validation_samples`` are used.
    settings : LandscapeSettings
    control : TaskControl, optional

    Returns
    -------
    Landscape
    """
    settings = settings or LandscapeSettings()
    if len(weight_history) < 2:
        raise ValueError(tr("The landscape needs the weights before and after training (two or more)."))
    started = clock()
    initial, trained = weight_history[0], weight_history[-1]
    train_loss = LossEvaluator(model, train_data[0][: settings.samples], train_data[1][: settings.samples])
    n_val = settings.validation_samples
    validation_loss = LossEvaluator(model, validation_data[0][:n_val], validation_data[1][:n_val])
    rng = np.random.default_rng(settings.seed)
    n = settings.resolution
    alphas = np.array(settings.alphas)
    total = 2 * len(alphas) + 2 * n * n + len(weight_history)
    done = 0
    # Progress in the language ``control``'s caller runs this in (see ``mnist_core.i18n.in_language``).
    line_messages = [
        tr("1-D: the straight line from the initial to the trained weights (training images)"),
        tr("1-D: the straight line from the initial to the trained weights (validation images)"),
    ]
    random_message = tr("2-D, random directions: point {point} of {points}")
    path_message = tr("The training path: loss at each saved epoch")
    pca_message = tr("2-D, along the training path: point {point} of {points}")

    def tick(message: str) -> None:
        nonlocal done
        done += 1
        if control is not None:
            if done % 5 == 0 or done == total:
                control.report(fraction=done / total, message=message)
            control.checkpoint()

    travelled = [t.astype(np.float64) - i for t, i in zip(trained, initial)]
    line_train = train_loss.on_plane(initial, [travelled])
    line_validation = validation_loss.on_plane(initial, [travelled])
    interpolation = {"train": [], "validation": []}
    for alpha in alphas:
        interpolation["train"].append(line_train(alpha))
        tick(line_messages[0])
        interpolation["validation"].append(line_validation(alpha))
        tick(line_messages[1])
    if control is not None:
        control.report(
            interpolation={
                "alphas": alphas.tolist(),
                "train": interpolation["train"],
                "validation": interpolation["validation"],
            }
        )

    random_plane = train_loss.on_plane(
        trained, [filter_normalized_direction(trained, rng), filter_normalized_direction(trained, rng)]
    )
    random_axis = np.linspace(-settings.span, settings.span, n)
    random_grid = np.empty((n, n))
    for row, b in enumerate(random_axis):
        for column, a in enumerate(random_axis):
            random_grid[row, column] = random_plane(a, b)
            tick(random_message.format(point=integer(row * n + column + 1), points=integer(n * n)))

    directions, path, explained, note = path_plane(weight_history, rng)
    path_losses = []
    for weights in weight_history:
        path_losses.append(train_loss(weights))
        tick(path_message)
    margin = 0.25 * max(np.ptp(path[:, 0]), np.ptp(path[:, 1]), 1e-3)
    pca_x = np.linspace(path[:, 0].min() - margin, path[:, 0].max() + margin, n)
    pca_y = np.linspace(path[:, 1].min() - margin, path[:, 1].max() + margin, n)
    pca_plane = train_loss.on_plane(trained, [unflatten_weights(d, trained) for d in directions])
    pca_grid = np.empty((n, n))
    for row, b in enumerate(pca_y):
        for column, a in enumerate(pca_x):
            pca_grid[row, column] = pca_plane(a, b)
            tick(pca_message.format(point=integer(row * n + column + 1), points=integer(n * n)))

    return Landscape(
        alphas=alphas,
        interpolation_train=np.array(interpolation["train"]),
        interpolation_validation=np.array(interpolation["validation"]),
        random_axis=random_axis,
        random_grid=random_grid,
        pca_x=pca_x,
        pca_y=pca_y,
        pca_grid=pca_grid,
        path=path,
        path_losses=np.array(path_losses),
        explained=explained,
        samples=len(train_loss.targets),
        validation_samples=len(validation_loss.targets),
        seconds=clock() - started,
        notes=[note] if note else [],
    )


def landscape_of_model(
    model,
    spec,
    config,
    weight_history: list[Weights],
    settings: LandscapeSettings,
    control: TaskControl | None = None,
) -> Landscape:
    """``compute_landscape`` on the images the network trained and was validated on: a worker's job.

    Run it as ``ModelCall(landscape_of_model, ref, (spec, config, weight_history, settings),
    pass_control=True)``: the worker loads the model ``ref`` names and reads MNIST itself, so only
    the run's settings and weight history travel to it, and a ``Landscape`` of arrays comes back.

    Parameters
    ----------
    model : keras.Model
        The trained network (given by the worker from the job's ``ModelRef``).
    spec, config : ModelSpec, TrainConfig
        The run's: they say which images it trained and was validated on, shaped how.
    weight_history : list of weight lists
        ``model.get_weights()`` before training and after each epoch; at least two.
    settings : LandscapeSettings
    control : TaskControl, optional

    Raises
    ------
    TaskFailed
        When the weight history cannot give a landscape (the message says why, for the student).
    """
    from mnist_core.engine.training import prepare_data
    from mnist_core.jobs.tasks import TaskFailed

    if control is not None:
        control.report(message=tr("Preparing the images the network trained and was validated on"))
    prepared = prepare_data(spec, config)
    if control is not None:
        control.checkpoint()
    try:
        return compute_landscape(
            model,
            weight_history,
            (prepared.x_train, prepared.y_train),
            (prepared.x_val, prepared.y_val),
            settings,
            control,
        )
    except ValueError as error:
        raise TaskFailed(str(error)) from error
