"""Evaluate a model on the test set and look at what it gets right and wrong (lesson 5).

The model's probabilities for the 10,000 test images are computed once; the
loss, the counts, the confusion matrix and the sample pictures all come from
them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnist_core.data.mnist import N_CLASSES
from mnist_core.engine.models import to_model_inputs

EPSILON = 1e-7  # Keras clips probabilities to [1e-7, 1 - 1e-7] before taking the log
NEIGHBOUR_CHUNK = 8_192  # training images projected per step: ~25 MB of float32 at a time
PROJECTION_DIMENSIONS = 48  # principal components kept per image for the lower bounds (12 MB for 60,000)
EXACT_BLOCK = 256  # candidates compared pixel by pixel per step
BOUND_SLACK = 1e-4  # shrink the bounds a little so float32 rounding never makes one too high


def predict_probabilities(model, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """The model's softmax output for uint8 images.

    Parameters
    ----------
    images : array-like of shape (n, 28, 28) or (n, 784), values 0-255

    Returns
    -------
    ndarray of shape (n, 10), float32
    """
    inputs = to_model_inputs(model, images)
    if len(inputs) <= 32:
        # A direct call skips predict()'s data pipeline: a few ms instead of tens for a drawing.
        return np.asarray(model(inputs, training=False), dtype=np.float32)
    return np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0), dtype=np.float32)


def cross_entropy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Mean categorical cross-entropy: the average of -log(probability given to the true digit).

    Parameters
    ----------
    probabilities : array-like of shape (n, 10)
    labels : array-like of shape (n,), integers 0-9
    """
    probabilities = np.asarray(probabilities)
    chosen = probabilities[np.arange(len(labels)), np.asarray(labels, dtype=np.int64)]
    # Clipped in the probabilities' own dtype, as Keras clips its float32 outputs; the log in float64.
    clipped = np.clip(chosen, EPSILON, 1 - EPSILON)
    return float(-np.log(clipped.astype(np.float64)).mean())


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    """Count how often each true digit (row) was predicted as each digit (column).

    Returns
    -------
    ndarray of shape (10, 10), int64
        The diagonal holds the correct predictions.
    """
    labels, predicted = np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    return np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes
    )


@dataclass(frozen=True)
class Scores:
    """A model's loss, accuracy and confusion matrix (rows: true digit) on a set of images."""

    loss: float
    accuracy: float
    confusion: np.ndarray


def scores(probabilities: np.ndarray, labels: np.ndarray) -> Scores:
    """Categorical cross-entropy, accuracy and confusion matrix of softmax outputs, as Keras computes them.

    Parameters
    ----------
    probabilities : array-like of shape (n, 10)
    labels : array-like of shape (n,), integers 0-9
    """
    labels = np.asarray(labels, dtype=np.int64)
    predicted = np.argmax(probabilities, axis=1)
    return Scores(
        loss=cross_entropy(probabilities, labels),
        accuracy=float((predicted == labels).mean()),
        confusion=confusion_matrix(labels, predicted),
    )


@dataclass(frozen=True)
class Evaluation:
    """A model's results on a labelled set of images.

    Attributes
    ----------
    probabilities : ndarray of shape (n, 10), float32
    predicted : ndarray of shape (n,), int64
        argmax of the probabilities: the predicted digit.
    labels : ndarray of shape (n,), int64
        The true digits (integers, never one-hot: see lesson 5's bug).
    loss : float
        Mean categorical cross-entropy.
    confusion : ndarray of shape (10, 10), int64
    """

    probabilities: np.ndarray
    predicted: np.ndarray
    labels: np.ndarray
    loss: float
    confusion: np.ndarray

    @property
    def correct(self) -> int:
        return int((self.predicted == self.labels).sum())

    @property
    def incorrect(self) -> int:
        return len(self.labels) - self.correct

    @property
    def accuracy(self) -> float:
        return self.correct / len(self.labels)

    def indices(self, correct: bool) -> np.ndarray:
        """Indices of the correctly (or incorrectly) classified images."""
        return np.flatnonzero((self.predicted == self.labels) == correct)

    def cell(self, true_digit: int, predicted_digit: int) -> np.ndarray:
        """Indices of the images of ``true_digit`` that were predicted as ``predicted_digit``."""
        return np.flatnonzero((self.labels == true_digit) & (self.predicted == predicted_digit))

    def most_confused(self) -> tuple[int, int]:
        """The (true, predicted) pair of the largest off-diagonal cell of the confusion matrix."""
        off_diagonal = self.confusion - np.diag(np.diag(self.confusion))
        true_digit, predicted_digit = np.unravel_index(int(off_diagonal.argmax()), off_diagonal.shape)
        return int(true_digit), int(predicted_digit)


def evaluate(model, images: np.ndarray, labels: np.ndarray, batch_size: int = 1000) -> Evaluation:
    """Predict every image and score the predictions against the labels.

    Parameters
    ----------
    model : keras.Model
    images : array-like of shape (n, 28, 28), uint8
    labels : array-like of shape (n,), integers 0-9

    Returns
    -------
    Evaluation
    """
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = predict_probabilities(model, images, batch_size)
    scored = scores(probabilities, labels)
    return Evaluation(
        probabilities=probabilities,
        predicted=probabilities.argmax(axis=1),
        labels=labels,
        loss=scored.loss,
        confusion=scored.confusion,
    )


def evaluate_test_set(model, data_source: str | None = None) -> Evaluation:
    """``evaluate`` on the 10,000 MNIST test images, read where the job runs (a worker's own copy).

    Parameters
    ----------
    model : keras.Model
    data_source : str, optional
        As ``mnist_core.data.mnist.load_mnist``'s ``source``; the default source when None.

    Returns
    -------
    Evaluation
    """
    from mnist_core.data.mnist import load_mnist

    _, (x_test, y_test) = load_mnist(data_source)
    return evaluate(model, x_test, y_test)


def sample(indices: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Up to ``count`` of ``indices`` drawn at random without repeats, the same for the same seed."""
    indices = np.asarray(indices)
    if len(indices) <= count:
        return indices.copy()
    return np.sort(np.random.default_rng(seed).choice(indices, size=count, replace=False))


def principal_axes(flat: np.ndarray, dimensions: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Approximate principal axes of pixel vectors, by randomized subspace iteration.

    Parameters
    ----------
    flat : array-like of shape (n, 784), uint8

    Returns
    -------
    mean : ndarray of shape (784,), float32
        The mean image, on 0-1 pixels.
    axes : ndarray of shape (784, dimensions), float32
        Orthonormal columns (exactly, whatever the approximation), the most
        varied directions first.
    """
    rng = np.random.default_rng(seed)
    sample = flat[rng.choice(len(flat), min(2000, len(flat)), replace=False)].astype(np.float32) / 255.0
    mean = sample.mean(axis=0)
    centred = sample - mean
    basis = rng.standard_normal((centred.shape[1], dimensions + 16)).astype(np.float32)
    for _ in range(4):  # multiplying by the covariance turns random directions towards the principal ones
        basis, _ = np.linalg.qr(centred.T @ (centred @ basis))
    projected = centred @ basis
    _, rotation = np.linalg.eigh(projected.T @ projected)  # sort the directions by variance
    axes = basis @ rotation[:, ::-1][:, :dimensions]
    return mean.astype(np.float32), np.ascontiguousarray(axes, dtype=np.float32)


def keep_nearest(indices: np.ndarray, squared: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` smallest of ``squared`` (along the last axis) with their ``indices``: nearest first,
    and of equal distances the smaller index, so every search agrees on ties."""
    keep = np.lexsort((indices, squared), axis=-1)[..., :k]
    return np.take_along_axis(indices, keep, axis=-1), np.take_along_axis(squared, keep, axis=-1)


def nearest_neighbours(
    queries: np.ndarray, reference: np.ndarray, k: int = 1, chunk: int = NEIGHBOUR_CHUNK
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` reference vectors nearest to each query (Euclidean), by brute force over chunks.

    Parameters
    ----------
    queries : float array of shape (n_queries, n_features)
        The arithmetic runs in its dtype (float32 for pixels, float64 for a layer's features).
    reference : array of shape (n_reference, n_features)
        Converted to the queries' dtype ``chunk`` rows at a time, so memory stays small even
        against all 60,000 training images (uint8 stays uint8 until then).
    k : int
        At least 1 and at most ``n_reference``.

    Returns
    -------
    indices : int64 array of shape (n_queries, k)
        Nearest first; of equal distances, the smaller index.
    squared : array of shape (n_queries, k)
        The squared distances, as |q|^2 + |r|^2 - 2 q.r (may be a rounding error below 0).
    """
    queries = np.asarray(queries)
    if queries.shape[1] != reference.shape[1]:
        raise ValueError(
            f"queries have {queries.shape[1]} values each but reference vectors {reference.shape[1]}"
        )
    if not 1 <= k <= len(reference):
        raise ValueError(f"k must be between 1 and {len(reference)}, got {k}")
    rows = np.arange(len(queries))[:, None]
    q_squared = np.einsum("ij,ij->i", queries, queries)
    best_indices = np.empty((len(queries), 0), dtype=np.int64)
    best_squared = np.empty((len(queries), 0), dtype=queries.dtype)
    # one BLAS thread, set once per process (jobs.config.limit_native_threads)
    for start in range(0, len(reference), chunk):
        block = reference[start : start + chunk].astype(queries.dtype, copy=False)
        # |q - r|^2 = |q|^2 + |r|^2 - 2 q.r: one matrix product per chunk of the reference
        squared = (
            q_squared[:, None] + np.einsum("ij,ij->i", block, block)[None, :] - 2.0 * (queries @ block.T)
        )
        if k == 1:
            candidates = np.argmin(squared, axis=1)[:, None]  # the first of equal minima
        else:
            candidates = np.argpartition(squared, min(k, len(block)) - 1, axis=1)[:, :k]
        best_indices, best_squared = keep_nearest(
            np.concatenate([best_indices, candidates + start], axis=1),
            np.concatenate([best_squared, squared[rows, candidates]], axis=1),
            k,
        )
    return best_indices, best_squared


class PixelNeighbours:
    """Find the training images nearest to a new one in pixel space (Euclidean distance on 0-1 pixels).

    The search is exact but avoids comparing all 60,000 images pixel by pixel.
    Every image is also stored as its first ``PROJECTION_DIMENSIONS`` principal
    components (12 MB). The distance between two projections is never more than
    the true distance (a projection onto orthonormal axes only shortens), so it
    is a lower bound: candidates are checked exactly in order of their bound,
    and the search stops once the k-th best exact distance is below the next
    bound. Usually a few hundred exact comparisons suffice.

    Parameters
    ----------
    candidates : array-like of shape (n, 28, 28), uint8
        Kept as they are (no float copy).
    """

    def __init__(self, candidates: np.ndarray, dimensions: int = PROJECTION_DIMENSIONS, seed: int = 0):
        self.candidates = np.asarray(candidates)
        self._flat = self.candidates.reshape(len(self.candidates), -1)
        self._mean, self._axes = principal_axes(self._flat, dimensions, seed)
        self._projected = np.empty((len(self._flat), self._axes.shape[1]), dtype=np.float32)
        for start in range(0, len(self._flat), NEIGHBOUR_CHUNK):
            block = self._flat[start : start + NEIGHBOUR_CHUNK].astype(np.float32) / 255.0
            self._projected[start : start + NEIGHBOUR_CHUNK] = (block - self._mean) @ self._axes

    def _exact_squared(self, indices: np.ndarray, query: np.ndarray) -> np.ndarray:
        block = self._flat[indices].astype(np.float32) / 255.0
        difference = block - query
        return np.einsum("ij,ij->i", difference, difference).astype(np.float64)

    def nearest(self, image: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` candidates closest to ``image``.

        Parameters
        ----------
        image : array-like of shape (28, 28) or (784,), values 0-255

        Returns
        -------
        indices : ndarray of shape (k,), int64
            Nearest first.
        distances : ndarray of shape (k,), float64
            sqrt(sum((a - b)^2)) with pixels scaled to 0-1; at most sqrt(784) = 28.
        """
        query = np.asarray(image, dtype=np.float32).reshape(-1) / 255.0
        if query.size != self._flat.shape[1]:
            raise ValueError(f"image has {query.size} pixels but the candidates have {self._flat.shape[1]}")
        k = min(k, len(self._flat))
        offsets = self._projected - (query - self._mean) @ self._axes
        bounds = np.einsum("ij,ij->i", offsets, offsets) * (1 - BOUND_SLACK)  # float32 rounding margin
        order = np.argsort(bounds, kind="stable")
        best_indices = np.empty(0, dtype=np.int64)
        best_squared = np.empty(0, dtype=np.float64)
        for start in range(0, len(order), EXACT_BLOCK):
            batch = order[start : start + EXACT_BLOCK]
            best_indices, best_squared = keep_nearest(
                np.concatenate([best_indices, batch]),
                np.concatenate([best_squared, self._exact_squared(batch, query)]),
                k,
            )
            following = start + EXACT_BLOCK
            if len(best_squared) == k and (
                following >= len(order) or best_squared[-1] <= bounds[order[following]]
            ):
                break
        return best_indices.astype(np.int64), np.sqrt(np.maximum(best_squared, 0.0))
