"""Gradient descent in one dimension: a walker on a curve with three valleys A, B and C.

Lesson 4's local minima, made touchable: the curve's slope at the walker is the
gradient, one step moves the walker by ``-learning_rate * slope``, and a walker
never climbs, so valley C (the lowest) is reached only from starts on its own
slopes, or by a learning rate so large it jumps the hills by accident.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mnist_core.i18n import tr

X_RANGE = (0.0, 10.0)  # the curve as drawn; a walker that leaves it has diverged
BOWL = 0.03  # a gentle bowl around x = 5 keeps the walker on the page
WELLS = (  # (centre, depth, width) of the three Gaussian valleys A, B, C
    (1.8, 1.0, 0.9),
    (4.9, 1.3, 0.8),
    (8.2, 2.2, 0.9),
)
VALLEYS = {"A": 1.8764, "B": 4.9014, "C": 8.1649}  # where the slope is zero, to 4 decimals
START_POSITIONS = {"1": 0.4, "2": 3.6}  # the lesson's starts: 1 settles in A, 2 in B
SETTLE_TOLERANCE = 1e-3  # a walker this close to a valley floor, barely moving, has settled
MAX_STEPS = 10_000


def curve(x) -> np.ndarray:
    """The loss at position ``x`` (array-like of any shape); same shape back."""
    x = np.asarray(x, dtype=float)
    value = BOWL * (x - 5.0) ** 2
    for centre, depth, width in WELLS:
        value = value - depth * np.exp(-(((x - centre) / width) ** 2))
    return value


def slope(x) -> np.ndarray:
    """The exact derivative of ``curve`` at ``x``: the gradient the walker follows."""
    x = np.asarray(x, dtype=float)
    value = 2 * BOWL * (x - 5.0)
    for centre, depth, width in WELLS:
        value = value + depth * 2 * (x - centre) / width**2 * np.exp(-(((x - centre) / width) ** 2))
    return value


def tangent(x: float, half_width: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Two points of the tangent line at ``x``: xs (2,), ys (2,)."""
    xs = np.array([x - half_width, x + half_width])
    return xs, curve(x) + slope(x) * (xs - x)


def steps(start: float, learning_rate: float, n_steps: int) -> np.ndarray:
    """Positions of a walker taking ``n_steps`` gradient-descent steps from ``start``.

    Each step is ``x <- x - learning_rate * slope(x)``.

    Returns
    -------
    ndarray of shape (n_steps + 1,)
        Row 0 is ``start``. A walker that leaves ``X_RANGE`` has diverged: that
        position is kept (to draw the jump) and the rest are NaN.
    """
    if not (isinstance(start, int | float | np.number) and math.isfinite(start)):
        raise ValueError(f"start must be a finite number, got {start!r}")
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a number above 0, got {learning_rate!r}")
    if not (isinstance(n_steps, int | np.integer) and 0 <= n_steps <= MAX_STEPS):
        raise ValueError(f"n_steps must be a whole number from 0 to {MAX_STEPS}, got {n_steps!r}")
    positions = np.full(n_steps + 1, np.nan)
    positions[0] = x = float(start)
    for step in range(1, n_steps + 1):
        if not X_RANGE[0] <= x <= X_RANGE[1]:
            break
        x = x - learning_rate * float(slope(x))
        positions[step] = x
    return positions


@dataclass(frozen=True)
class Outcome:
    """Where a walk ended up, in words a student reads next to the chart."""

    kind: str  # "settled", "moving", "bouncing" or "diverged"
    valley: str | None  # "A", "B" or "C": the valley it settled in or is nearest to
    sentence: str  # in the language of the page that asked


def nearest_valley(x: float) -> str:
    return min(VALLEYS, key=lambda name: abs(VALLEYS[name] - x))


def outcome(positions: np.ndarray) -> Outcome:
    """Classify a walk from ``steps``: settled in a valley, still moving, bouncing, or diverged."""
    finite = positions[np.isfinite(positions)]
    last = float(finite[-1])
    if not X_RANGE[0] <= last <= X_RANGE[1]:
        return Outcome(
            "diverged",
            None,
            tr("Diverged: a step so large it threw the walker off the curve. Each step overshot further."),
        )
    valley = nearest_valley(last)
    recent = np.diff(finite[-6:])
    if abs(last - VALLEYS[valley]) < SETTLE_TOLERANCE and (recent.size == 0 or np.abs(recent).max() < 1e-3):
        lower = [name for name in VALLEYS if curve(VALLEYS[name]) < curve(VALLEYS[valley]) - 1e-9]
        if lower:
            return Outcome(
                "settled",
                valley,
                tr(
                    "Settled in valley {valley}. Valley {lower} is lower, but getting there means "
                    "climbing first, and gradient descent never goes uphill."
                ).format(valley=valley, lower=lower[-1]),
            )
        return Outcome(
            "settled",
            valley,
            tr("Settled in valley {valley}, the lowest of the three.").format(valley=valley),
        )
    if recent.size >= 2 and np.any(recent[1:] * recent[:-1] < 0) and np.abs(recent).max() > 0.05:
        return Outcome(
            "bouncing",
            valley,
            tr(
                "Bouncing: the learning rate is so large that each step jumps across the valley floor "
                "instead of landing on it."
            ),
        )
    return Outcome(
        "moving",
        valley,
        tr("Still on its way, heading for valley {valley}: take more steps.").format(valley=valley),
    )
