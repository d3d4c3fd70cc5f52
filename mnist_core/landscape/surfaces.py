"""Toy loss surfaces of two weights, and the exact update rules of Keras's optimizers on them.

Lesson 4 in two dimensions: a point (x, y) stands for two weights, the surface
``loss(surface, x, y)`` is how wrong the network is at those weights, and an
optimizer walks downhill from a start. The update rules are NumPy copies of
``keras.optimizers.SGD``, ``RMSprop`` and ``Adam`` (Keras 3, default
hyperparameters unless given), written operation for operation in the same
order; the tests prove they match Keras step by step. Nothing here imports
Keras, so the page stays live: 4 paths of 200 steps take about a millisecond.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mnist_core.i18n import N_

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
MOMENTUM = 0.9  # "momentum" is Keras's SGD with this momentum
RMSPROP_RHO = 0.9  # Keras defaults from here on
ADAM_BETA_1 = 0.9
ADAM_BETA_2 = 0.999
EPSILON = 1e-7
MAX_STEPS = 10_000


@dataclass(frozen=True)
class Surface:
    """A loss surface of two weights, with the view and start that show it best."""

    name: str
    title: str  # N_-marked: translate where shown
    formula: str  # LaTeX
    lesson: str  # one line: what to look for (N_-marked)
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    lowest: float  # the surface's minimum value (for "height above the lowest point")
    learning_rates: dict  # a good first learning rate per optimizer


SURFACES = {
    surface.name: surface
    for surface in (
        Surface(
            "bowl",
            N_("Round bowl"),
            r"x^2 + y^2",
            N_("Every optimizer finds the bottom; the learning rate only sets how fast."),
            (-2.0, 2.0),
            (-2.0, 2.0),
            (-1.6, 1.4),
            0.0,
            {"sgd": 0.1, "momentum": 0.03, "rmsprop": 0.05, "adam": 0.1},
        ),
        Surface(
            "ravine",
            N_("Elongated ravine"),
            r"0.1\,x^2 + 2\,y^2",
            N_("Steep walls, flat floor: plain SGD zig-zags across, momentum rolls along the floor."),
            (-4.0, 4.0),
            (-2.0, 2.0),
            (-3.6, 1.2),
            0.0,
            {"sgd": 0.45, "momentum": 0.05, "rmsprop": 0.05, "adam": 0.1},
        ),
        Surface(
            "saddle",
            N_("Saddle"),
            r"x^2 - y^2 + \tfrac{1}{4}y^4",
            N_("At (0, 0) the slope is zero but it is no minimum: start on the ridge and watch who escapes."),
            (-2.0, 2.0),
            (-2.2, 2.2),
            (-1.8, 0.01),
            -1.0,
            {"sgd": 0.05, "momentum": 0.01, "rmsprop": 0.01, "adam": 0.02},
        ),
        Surface(
            "rosenbrock",
            N_("Rosenbrock's valley"),
            r"(1 - x)^2 + 100\,(y - x^2)^2",
            N_(
                "A curved, almost flat valley floor: finding the valley is easy, following it to (1, 1) is slow."
            ),
            (-2.0, 2.0),
            (-1.0, 3.0),
            (-1.2, 1.0),  # the classic start, on the far side of the banana
            0.0,
            {"sgd": 0.002, "momentum": 0.001, "rmsprop": 0.02, "adam": 0.2},
        ),
        Surface(
            "himmelblau",
            N_("Himmelblau's four valleys"),
            r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            N_("Four minima, all equally low: which one you reach depends on where you start."),
            (-5.0, 5.0),
            (-5.0, 5.0),
            (0.0, -0.5),
            0.0,
            {"sgd": 0.01, "momentum": 0.002, "rmsprop": 0.05, "adam": 0.1},
        ),
    )
}

UPDATE_RULES = {  # LaTeX, one line per operation, in Keras's own form; g is the gradient, w the weights
    "sgd": [r"w \leftarrow w - \eta\,g"],
    "momentum": [r"m \leftarrow \mu\,m - \eta\,g", r"w \leftarrow w + m"],
    "rmsprop": [
        r"v \leftarrow \rho\,v + (1-\rho)\,g^2",
        r"w \leftarrow w - \frac{\eta\,g}{\sqrt{v + \epsilon}}",
    ],
    "adam": [
        r"m \leftarrow \beta_1 m + (1-\beta_1)\,g",
        r"v \leftarrow \beta_2 v + (1-\beta_2)\,g^2",
        r"\hat\eta = \frac{\eta\,\sqrt{1-\beta_2^t}}{1-\beta_1^t}",  # a fraction: narrow enough for its column
        r"w \leftarrow w - \frac{\hat\eta\, m}{\sqrt{v}+\epsilon}",
    ],
}


def _formula(name: str, x, y):
    """The surface's value; plain arithmetic so it works on floats, arrays and tensors alike."""
    if name == "bowl":
        return x * x + y * y
    if name == "ravine":
        return 0.1 * x * x + 2.0 * y * y
    if name == "saddle":
        return x * x - y * y + 0.25 * y * y * y * y
    if name == "rosenbrock":
        return (1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x)
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return a * a + b * b


def _gradient(name: str, x: float, y: float) -> tuple[float, float]:
    """The exact partial derivatives (d loss / dx, d loss / dy)."""
    if name == "bowl":
        return 2.0 * x, 2.0 * y
    if name == "ravine":
        return 0.2 * x, 4.0 * y
    if name == "saddle":
        return 2.0 * x, -2.0 * y + y * y * y
    if name == "rosenbrock":
        return -2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


def check_surface(surface: str) -> Surface:
    """The ``Surface`` called ``surface``, or a ValueError that lists the names."""
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {tuple(SURFACES)}, got {surface!r}")
    return SURFACES[surface]


def loss(surface: str, x, y) -> np.ndarray:
    """Evaluate a surface at coordinates.

    Parameters
    ----------
    surface : {"bowl", "ravine", "saddle", "rosenbrock", "himmelblau"}
    x, y : array-like of the same (or broadcastable) shape

    Returns
    -------
    ndarray of float64, the broadcast shape of ``x`` and ``y``
    """
    check_surface(surface)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(_formula(surface, np.asarray(x, float), np.asarray(y, float)), dtype=float)


def gradient(surface: str, x: float, y: float) -> tuple[float, float]:
    """The gradient (slope in x, slope in y) of a surface at one point."""
    check_surface(surface)
    return _gradient(surface, float(x), float(y))


def grid(surface: str, resolution: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The surface sampled over its view: xs (resolution,), ys (resolution,), z (resolution, resolution)."""
    spec = check_surface(surface)
    xs = np.linspace(*spec.x_range, resolution)
    ys = np.linspace(*spec.y_range, resolution)
    return xs, ys, loss(surface, xs[None, :], ys[:, None])


def as_float32(value: float) -> float:
    """A hyperparameter as Keras holds it: the learning rate is a float32 variable, and
    Keras casts momentum and Adam's betas through float32 before using them."""
    return float(np.float32(value))


def trajectory(
    surface: str,
    optimizer: str,
    learning_rate: float,
    start,
    steps: int,
    *,
    momentum: float = MOMENTUM,
    rho: float = RMSPROP_RHO,
    beta_1: float = ADAM_BETA_1,
    beta_2: float = ADAM_BETA_2,
    epsilon: float = EPSILON,
) -> np.ndarray:
    """Walk a surface with one of Keras's optimizers, one gradient update per step.

    Parameters
    ----------
    surface : {"bowl", "ravine", "saddle", "rosenbrock", "himmelblau"}
    optimizer : {"sgd", "momentum", "rmsprop", "adam"}
        "momentum" is SGD with ``momentum`` (0.9); the others use only their own
        hyperparameters below, at Keras's defaults unless given.
    learning_rate : float, above 0
    start : array-like of shape (2,), finite
    steps : int, 0 to 10,000

    Returns
    -------
    ndarray of shape (steps + 1, 2)
        Row 0 is ``start``, row k the weights after k updates. Once an update
        overflows (the walk diverged) the remaining rows are NaN.
    """
    check_surface(surface)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    start = np.asarray(start, dtype=float)
    if start.shape != (2,) or not np.all(np.isfinite(start)):
        raise ValueError(f"start must be two finite numbers (x, y), got {start.tolist()!r}")
    if not (isinstance(steps, int | np.integer) and 0 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be a whole number from 0 to {MAX_STEPS}, got {steps!r}")
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a number above 0, got {learning_rate!r}")

    lr = as_float32(learning_rate)
    momentum_32, beta_1_32, beta_2_32 = as_float32(momentum), as_float32(beta_1), as_float32(beta_2)
    path = np.full((steps + 1, 2), np.nan)
    w = [float(start[0]), float(start[1])]
    path[0] = w
    m = [0.0, 0.0]  # first slot: momentum (SGD) or first moment (Adam)
    v = [0.0, 0.0]  # second slot: RMSProp's or Adam's mean of squared gradients
    for step in range(1, steps + 1):
        g = _gradient(surface, w[0], w[1])
        if not (math.isfinite(g[0]) and math.isfinite(g[1])):
            break
        for i in (0, 1):
            if optimizer == "sgd":
                w[i] = w[i] - g[i] * lr
            elif optimizer == "momentum":
                m[i] = m[i] * momentum_32 - g[i] * lr
                w[i] = w[i] + m[i]
            elif optimizer == "rmsprop":
                v[i] = rho * v[i] + (1 - rho) * (g[i] * g[i])
                w[i] = w[i] - (lr * g[i]) / math.sqrt(v[i] + epsilon)
            else:
                alpha = lr * math.sqrt(1 - beta_2_32**step) / (1 - beta_1_32**step)
                m[i] = m[i] + (g[i] - m[i]) * (1 - beta_1)
                v[i] = v[i] + (g[i] * g[i] - v[i]) * (1 - beta_2)
                w[i] = w[i] - (m[i] * alpha) / (math.sqrt(v[i]) + epsilon)
        if not (math.isfinite(w[0]) and math.isfinite(w[1])):
            break
        path[step] = w
    return path


def diverged_at(path: np.ndarray) -> int | None:
    """The first step whose weights are no longer numbers, or None if the walk stayed finite."""
    bad = np.flatnonzero(~np.all(np.isfinite(path), axis=1))
    return int(bad[0]) if bad.size else None
