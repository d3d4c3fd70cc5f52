"""Where a network looks: which pixels of one image move its answer for a class.

Two independent ways to ask. The **saliency map** is the gradient of the class's score (its logit,
before softmax) with respect to each pixel: how much the score changes when one pixel gets a little
more ink. The **occlusion map** covers one patch of the image at a time with grey and measures how
much the class's probability drops: no calculus, just experiments. Both return (28, 28) arrays.
"""

from __future__ import annotations

import numpy as np

from mnist_core.data.mnist import IMAGE_SIDE

GREY = 128  # the occluding patch: neither ink (255) nor paper (0)


def saliency(model, image: np.ndarray, digit: int, layers: list | None = None) -> np.ndarray:
    """The gradient of class ``digit``'s score with respect to each pixel of ``image``.

    Parameters
    ----------
    model : keras.Model
        A chain of layers ending in a Dense output (``layer_chain.chain``).
    image : array-like of shape (28, 28), values 0-255
    digit : int, 0-9
    layers : list, optional
        ``layer_chain.chain(model)``, when the caller keeps it (checking a chain costs a forward pass).

    Returns
    -------
    ndarray of shape (28, 28), float64
        d score / d pixel, with the pixel measured from 0 (paper) to 1 (full ink): positive where more
        ink would raise the score, negative where it would lower it.
    """
    import tensorflow as tf

    from mnist_core.inspect.layer_chain import chain, scores

    _check_digit(digit)
    layers = chain(model) if layers is None else layers
    pixels = tf.convert_to_tensor(np.asarray(image, dtype=np.float32).reshape(1, IMAGE_SIDE, IMAGE_SIDE))
    with tf.GradientTape() as tape:
        tape.watch(pixels)
        score = scores(model, layers, pixels)[0, digit]
    gradient = tape.gradient(score, pixels).numpy()[0]
    return gradient.astype(np.float64) * 255.0  # per 0-1 unit of ink, not per 1/255


def occlusion_images(image: np.ndarray, patch: int, stride: int, fill: int = GREY):
    """Every copy of ``image`` with one ``patch`` x ``patch`` square set to ``fill``.

    Returns
    -------
    images : ndarray of shape (k, 28, 28), uint8
    corners : ndarray of shape (k, 2), int
        The (row, column) of each square's top left corner.
    """
    image = np.asarray(image, dtype=np.uint8).reshape(IMAGE_SIDE, IMAGE_SIDE)
    if not 1 <= patch <= IMAGE_SIDE or stride < 1:
        raise ValueError(f"patch must be 1-28 pixels and stride at least 1, got {patch} and {stride}")
    starts = list(range(0, IMAGE_SIDE - patch + 1, stride))
    if starts[-1] != IMAGE_SIDE - patch:
        starts.append(IMAGE_SIDE - patch)  # the last row and column are covered too
    corners = np.array([(row, col) for row in starts for col in starts])
    images = np.repeat(image[None], len(corners), axis=0)
    for copy, (row, col) in zip(images, corners):
        copy[row : row + patch, col : col + patch] = fill
    return images, corners


def occlusion(
    model, image: np.ndarray, digit: int, patch: int = 6, stride: int = 2, fill: int = GREY
) -> np.ndarray:
    """How much class ``digit``'s probability drops when each part of ``image`` is covered.

    Parameters
    ----------
    image : array-like of shape (28, 28), values 0-255
    patch, stride : int
        The side of the covering square and how far it moves each time, in pixels.
    fill : int
        The square's value: 128 grey, 0 erases the ink.

    Returns
    -------
    ndarray of shape (28, 28), float64
        For each pixel, the mean over the squares covering it of (probability of ``digit`` as given)
        minus (probability with the square covered): positive where covering hurts the answer.
    """
    _check_digit(digit)
    images, corners = occlusion_images(image, patch, stride, fill)
    probabilities = _probabilities(model, np.concatenate([np.asarray(image, np.uint8)[None], images]))
    original, covered = probabilities[0, digit], probabilities[1:, digit]
    total = np.zeros((IMAGE_SIDE, IMAGE_SIDE))
    count = np.zeros((IMAGE_SIDE, IMAGE_SIDE))
    for drop, (row, col) in zip(original - covered, corners):
        total[row : row + patch, col : col + patch] += drop
        count[row : row + patch, col : col + patch] += 1
    return total / count


def _probabilities(model, images: np.ndarray) -> np.ndarray:
    """Softmax outputs by a direct call (no ``predict`` pipeline: a few ms for a hundred images)."""
    from mnist_core.engine.models import to_model_inputs

    return np.asarray(model(to_model_inputs(model, images), training=False), dtype=np.float64)


def _check_digit(digit: int) -> None:
    if not 0 <= int(digit) <= 9:
        raise ValueError(f"digit must be 0-9, got {digit}")
