"""When a network fails: the digits changed a little (noise, rotation, shift, stroke thickness), the test
accuracy as each change grows, and a model that says "I don't know" below a confidence threshold.

The transforms are pure NumPy on whole batches (the curves push thousands of images through them) and
return new uint8 arrays; the tests compare them with scipy.ndimage.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mnist_core.i18n import number, tr

ROTATION_ANGLES = tuple(range(-90, 91, 15))  # degrees, counter-clockwise
NOISE_LEVELS = tuple(range(0, 161, 20))  # standard deviation of the added noise, in 0-255 pixel units
CURVE_IMAGES = 1_000  # test images per point of a curve
MAX_SHIFT = 8
MAX_THICKNESS = 3


@dataclass(frozen=True)
class Change:
    """How a digit is changed, in the order it is applied: thickness, rotation, shift, then noise."""

    noise: float = 0.0  # standard deviation, 0-255 pixel units
    rotation: float = 0.0  # degrees, counter-clockwise
    shift_right: int = 0  # pixels; negative moves left
    shift_down: int = 0  # pixels; negative moves up
    thickness: int = 0  # pixels of stroke added on each side; negative thins it
    seed: int = 0  # the noise's random seed

    def __post_init__(self):
        if not 0 <= self.noise <= 255:
            raise ValueError(f"noise must be between 0 and 255, got {self.noise}")
        if max(abs(self.shift_right), abs(self.shift_down)) > MAX_SHIFT:
            raise ValueError(f"a shift must be between -{MAX_SHIFT} and {MAX_SHIFT} pixels")
        if abs(self.thickness) > MAX_THICKNESS:
            raise ValueError(f"thickness must be between -{MAX_THICKNESS} and {MAX_THICKNESS}")


def _batch(images: np.ndarray) -> tuple[np.ndarray, bool]:
    images = np.asarray(images)
    single = images.ndim == 2
    return (images[None] if single else images).astype(np.float64), single


def _result(values: np.ndarray, single: bool) -> np.ndarray:
    out = np.rint(np.clip(values, 0, 255)).astype(np.uint8)
    return out[0] if single else out


def rotate(images: np.ndarray, degrees: float) -> np.ndarray:
    """Turn each image ``degrees`` counter-clockwise about its centre, bilinear, paper (0) outside.

    Parameters
    ----------
    images : array-like of shape (28, 28) or (n, 28, 28), values 0-255

    Returns
    -------
    ndarray of the same shape, uint8
    """
    values, single = _batch(images)
    side = values.shape[-1]
    turned = values.reshape(len(values), -1) @ _rotation_matrix(float(degrees), side).T
    return _result(np.asarray(turned).reshape(values.shape), single)


@lru_cache(maxsize=64)
def _rotation_matrix(degrees: float, side: int):
    """The rotation as a sparse (side², side²) matrix: each output pixel mixes the 4 input pixels around
    the point the rotation carries onto it (bilinear weights), so a batch turns in one product."""
    from scipy.sparse import csr_matrix

    centre = (side - 1) / 2
    theta = np.deg2rad(degrees)
    rows, cols = np.indices((side, side), dtype=np.float64) - centre
    source_rows = (np.cos(theta) * rows + np.sin(theta) * cols + centre).ravel()
    source_cols = (-np.sin(theta) * rows + np.cos(theta) * cols + centre).ravel()
    top, left = np.floor(source_rows), np.floor(source_cols)
    down, right = source_rows - top, source_cols - left
    out = np.arange(side * side)
    entries = []
    for row_step, col_step, weight in (
        (0, 0, (1 - down) * (1 - right)),
        (0, 1, (1 - down) * right),
        (1, 0, down * (1 - right)),
        (1, 1, down * right),
    ):
        r, c = top + row_step, left + col_step
        inside = (r >= 0) & (r < side) & (c >= 0) & (c < side) & (weight > 0)  # outside is paper: 0
        entries.append((out[inside], (r[inside] * side + c[inside]).astype(np.int64), weight[inside]))
    targets, sources, weights = (np.concatenate(part) for part in zip(*entries))
    return csr_matrix((weights, (targets, sources)), shape=(side * side, side * side))


def shift(images: np.ndarray, right: int, down: int) -> np.ndarray:
    """Move each image by whole pixels, paper (0) coming in from the edge."""
    values, single = _batch(images)
    side = values.shape[-1]
    moved = np.zeros_like(values)
    rows_to, rows_from = slice(max(down, 0), side + min(down, 0)), slice(max(-down, 0), side + min(-down, 0))
    cols_to, cols_from = (
        slice(max(right, 0), side + min(right, 0)),
        slice(max(-right, 0), side + min(-right, 0)),
    )
    moved[:, rows_to, cols_to] = values[:, rows_from, cols_from]
    return _result(moved, single)


def thicken(images: np.ndarray, pixels: int) -> np.ndarray:
    """Grow the strokes by ``pixels`` on each side (grey dilation by a 3 x 3 cross, repeated); negative thins."""
    values, single = _batch(images)
    pick = np.maximum if pixels > 0 else np.minimum
    for _ in range(abs(pixels)):
        padded = np.pad(values, ((0, 0), (1, 1), (1, 1)))
        neighbours = [padded[:, 1:-1, 1:-1], padded[:, :-2, 1:-1], padded[:, 2:, 1:-1]]
        neighbours += [padded[:, 1:-1, :-2], padded[:, 1:-1, 2:]]
        values = pick.reduce(neighbours)
    return _result(values, single)


def add_noise(images: np.ndarray, std: float, seed: int = 0) -> np.ndarray:
    """Add Gaussian noise of standard deviation ``std`` (0-255 units) to every pixel, clipped to 0-255."""
    values, single = _batch(images)
    if std > 0:
        values = values + np.random.default_rng(seed).normal(0.0, std, values.shape)
    return _result(values, single)


def apply(images: np.ndarray, change: Change) -> np.ndarray:
    """``images`` (shape (28, 28) or (n, 28, 28), 0-255) changed by ``change``; a new uint8 array."""
    out = np.asarray(images, dtype=np.uint8)
    if change.thickness:
        out = thicken(out, change.thickness)
    if change.rotation:
        out = rotate(out, change.rotation)
    if change.shift_right or change.shift_down:
        out = shift(out, change.shift_right, change.shift_down)
    if change.noise:
        out = add_noise(out, change.noise, change.seed)
    return np.array(out, dtype=np.uint8)


@dataclass(frozen=True)
class RobustnessCurves:
    """Test accuracy as each change grows, over the same test images.

    Attributes
    ----------
    angles : ndarray of shape (a,), degrees
    rotation_accuracy : ndarray of shape (a,)
    noise_levels : ndarray of shape (b,), standard deviations in 0-255 units
    noise_accuracy : ndarray of shape (b,)
    images : int
        How many test images each point scores.
    """

    angles: np.ndarray
    rotation_accuracy: np.ndarray
    noise_levels: np.ndarray
    noise_accuracy: np.ndarray
    images: int


def robustness_curves(
    model,
    images: np.ndarray,
    labels: np.ndarray,
    angles=ROTATION_ANGLES,
    noise_levels=NOISE_LEVELS,
    control=None,
) -> RobustnessCurves:
    """Accuracy of ``model`` on ``images`` rotated by each angle, and with noise of each level.

    Parameters
    ----------
    images : array-like of shape (n, 28, 28), uint8
    labels : array-like of shape (n,)
    control : TaskControl-like, optional
        ``report(fraction, message)`` and ``checkpoint()`` between the levels: the curves can run as a
        background task.

    Returns
    -------
    RobustnessCurves
    """
    from mnist_core.inspect.layer_chain import predicted_digits

    labels = np.asarray(labels)
    steps = [("rotation", float(a)) for a in angles] + [("noise", float(s)) for s in noise_levels]
    # Progress in the current language: off the page, the caller sets it with ``i18n.in_language``.
    said = {"rotation": tr("rotation {level}°"), "noise": tr("noise {level}")}
    accuracy = []
    for done, (kind, level) in enumerate(steps):
        if control is not None:
            control.checkpoint()
            control.report(done / len(steps), said[kind].format(level=number(level)))
        changed = rotate(images, level) if kind == "rotation" else add_noise(images, level, seed=0)
        correct = int((predicted_digits(model, changed) == labels).sum())
        accuracy.append(correct / len(labels))
    if control is not None:
        control.report(1.0, tr("done"))
    split = len(angles)
    return RobustnessCurves(
        np.asarray(angles, dtype=np.float64),
        np.asarray(accuracy[:split]),
        np.asarray(noise_levels, dtype=np.float64),
        np.asarray(accuracy[split:]),
        len(labels),
    )


@dataclass(frozen=True)
class Abstention:
    """What happens when the model answers only above a confidence threshold.

    Attributes
    ----------
    thresholds : ndarray of shape (t,)
    answered : ndarray of shape (t,)
        The share of images whose top probability reaches the threshold.
    accuracy : ndarray of shape (t,)
        Accuracy on those images (NaN where none is answered).
    """

    thresholds: np.ndarray
    answered: np.ndarray
    accuracy: np.ndarray

    def at(self, threshold: float) -> tuple[float, float]:
        """(share answered, accuracy on them) at the threshold nearest ``threshold``."""
        index = int(np.abs(self.thresholds - threshold).argmin())
        return float(self.answered[index]), float(self.accuracy[index])


def abstention(probabilities: np.ndarray, labels: np.ndarray, thresholds=None) -> Abstention:
    """Share answered and accuracy on the answered images for each threshold on the top probability.

    Parameters
    ----------
    probabilities : array-like of shape (n, 10)
    labels : array-like of shape (n,)
    thresholds : array-like, optional
        Defaults to 0, 0.01, ..., 1.
    """
    probabilities = np.asarray(probabilities)
    thresholds = np.linspace(0, 1, 101) if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == np.asarray(labels)
    answered, accuracy = [], []
    for threshold in thresholds:
        kept = confidence >= threshold
        answered.append(kept.mean())
        accuracy.append(right[kept].mean() if kept.any() else np.nan)
    return Abstention(thresholds, np.asarray(answered), np.asarray(accuracy))


def answer(probabilities: np.ndarray, threshold: float) -> int | None:
    """The predicted digit, or None ("I don't know") when its probability is below ``threshold``."""
    probabilities = np.asarray(probabilities)
    best = int(probabilities.argmax())
    return best if probabilities[best] >= threshold else None


def curve_sample(n_test: int, count: int = CURVE_IMAGES, seed: int = 0) -> np.ndarray:
    """The indices of the test images every curve scores: ``count`` of them, the same for the same seed."""
    return np.sort(np.random.default_rng(seed).choice(n_test, size=min(count, n_test), replace=False))
