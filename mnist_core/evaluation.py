"""Evaluate a model on the test set and look at what it gets right and wrong (lesson 5).

The model's probabilities for the 10,000 test images are computed once; the
loss, the counts, the confusion matrix and the sample pictures all come from
them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from mnist_core.data import N_CLASSES
from mnist_core.models import to_model_inputs

EPSILON = 1e-7  # Keras clips probabilities to [1e-7, 1 - 1e-7] before taking the log
NEIGHBOUR_CHUNK = 8_192  # training images compared per step: ~25 MB of float32 at a time


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
    probabilities = np.asarray(probabilities, dtype=np.float64)
    chosen = probabilities[np.arange(len(labels)), np.asarray(labels, dtype=np.int64)]
    return float(-np.log(np.clip(chosen, EPSILON, 1 - EPSILON)).mean())


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
    predicted = probabilities.argmax(axis=1)
    return Evaluation(
        probabilities=probabilities,
        predicted=predicted,
        labels=labels,
        loss=cross_entropy(probabilities, labels),
        confusion=confusion_matrix(labels, predicted),
    )


def sample(indices: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Up to ``count`` of ``indices`` drawn at random without repeats, the same for the same seed."""
    indices = np.asarray(indices)
    if len(indices) <= count:
        return indices.copy()
    return np.sort(np.random.default_rng(seed).choice(indices, size=count, replace=False))


class PixelNeighbours:
    """Find the images nearest to a new one in pixel space (Euclidean distance on 0-1 pixels).

    Parameters
    ----------
    candidates : array-like of shape (n, 28, 28), uint8
        Usually the 60,000 training images. They stay uint8; only their squared
        lengths (n floats) are stored, and a chunk at a time is converted to
        float32 for each query, so no 188 MB float copy is ever made.
    """

    def __init__(self, candidates: np.ndarray, chunk: int = NEIGHBOUR_CHUNK):
        self.candidates = np.asarray(candidates)
        self._flat = self.candidates.reshape(len(self.candidates), -1)
        self._chunk = chunk
        self._lock = threading.Lock()  # the buffer is shared: one query at a time per instance
        self._buffer = np.empty((min(chunk, len(self._flat)), self._flat.shape[1]), dtype=np.float32)
        self._squared_norms = np.empty(len(self._flat), dtype=np.float64)
        for start in range(0, len(self._flat), chunk):
            block = self._flat[start : start + chunk].astype(np.int64)
            self._squared_norms[start : start + chunk] = (block * block).sum(axis=1) / 255.0**2

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
        dots = np.empty(len(self._flat), dtype=np.float64)
        with self._lock:
            self._fill_dots(query, dots)
        # |a - b|^2 = |a|^2 - 2 a.b + |b|^2, with a.b on 0-255 candidates, hence the / 255
        squared = float(query @ query) - 2 * dots / 255.0 + self._squared_norms
        k = min(k, len(squared))
        nearest = np.argpartition(squared, k - 1)[:k]
        nearest = nearest[np.argsort(squared[nearest], kind="stable")]
        return nearest.astype(np.int64), np.sqrt(np.maximum(squared[nearest], 0.0))

    def _fill_dots(self, query: np.ndarray, dots: np.ndarray) -> None:
        for start in range(0, len(self._flat), self._chunk):
            part = self._flat[start : start + self._chunk]
            block = self._buffer[: len(part)]
            np.copyto(block, part)  # uint8 -> float32 into a reused buffer: no allocation per query
            dots[start : start + len(part)] = block @ query
