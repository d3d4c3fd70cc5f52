"""Lesson 2: unrolling an image into a vector, row after row, and wrapping it back.

A 28 x 28 image becomes 784 numbers: pixel (row i, column j) lands at index 28 * i + j
(rows and columns counted from 0, as numpy does). ``reshape((28, 28))`` undoes it.
A colour image unrolls the same way, its channels flattened into the same vector.
"""

from __future__ import annotations

import numpy as np

from mnist_core.data.mnist import IMAGE_SIDE, N_CLASSES, N_PIXELS
from mnist_core.i18n import N_

CHANNELS_LAST = "channels_last"  # (28, 28, 3): R, G, B of pixel 0, then of pixel 1, ...
CHANNELS_FIRST = "channels_first"  # (3, 28, 28): every red value, then every green, then every blue
CHANNEL_LAYOUTS = (CHANNELS_LAST, CHANNELS_FIRST)
CHANNEL_NAMES = (N_("red"), N_("green"), N_("blue"))  # in English: tr(CHANNEL_NAMES[c]) where shown


def pixel_index(row: int, col: int, side: int = IMAGE_SIDE) -> int:
    """Where pixel (row, col) of a side x side image lands in its unrolled vector: side * row + col."""
    if not (0 <= row < side and 0 <= col < side):
        raise ValueError(f"row and column must be between 0 and {side - 1}, got ({row}, {col})")
    return side * row + col


def pixel_position(index: int, side: int = IMAGE_SIDE) -> tuple[int, int]:
    """The (row, col) of vector entry ``index``: the inverse of ``pixel_index``."""
    if not 0 <= index < side * side:
        raise ValueError(f"index must be between 0 and {side * side - 1}, got {index}")
    return divmod(index, side)


def unroll_partially(image: np.ndarray, rows_done: int) -> tuple[np.ndarray, np.ndarray]:
    """The state of the unrolling after ``rows_done`` rows have moved from the grid into the vector.

    Parameters
    ----------
    image : array of shape (28, 28)
    rows_done : int, 0-28

    Returns
    -------
    grid : float array of shape (28, 28)
        The rows not yet unrolled; rows already moved are NaN (shown empty).
    vector : float array of shape (784,)
        The first ``28 * rows_done`` entries filled, the rest NaN.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.shape != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"image must have shape (28, 28), got {image.shape}")
    if not 0 <= rows_done <= IMAGE_SIDE:
        raise ValueError(f"rows_done must be between 0 and {IMAGE_SIDE}, got {rows_done}")
    grid = image.copy()
    grid[:rows_done] = np.nan
    vector = np.full(N_PIXELS, np.nan)
    vector[: IMAGE_SIDE * rows_done] = image[:rows_done].reshape(-1)
    return grid, vector


def reshape_partially(vector: np.ndarray, rows_done: int) -> np.ndarray:
    """The image rebuilt by ``reshape((28, 28))`` after wrapping the first ``rows_done`` rows of 28 values.

    Returns
    -------
    float array of shape (28, 28); rows not yet wrapped are NaN.
    """
    vector = np.asarray(vector, dtype=np.float64)
    if vector.shape != (N_PIXELS,):
        raise ValueError(f"vector must have 784 entries, got shape {vector.shape}")
    if not 0 <= rows_done <= IMAGE_SIDE:
        raise ValueError(f"rows_done must be between 0 and {IMAGE_SIDE}, got {rows_done}")
    grid = np.full((IMAGE_SIDE, IMAGE_SIDE), np.nan)
    grid[:rows_done] = vector[: IMAGE_SIDE * rows_done].reshape(rows_done, IMAGE_SIDE)
    return grid


def colourise(image: np.ndarray, colour: tuple[int, int, int] = (255, 140, 0)) -> np.ndarray:
    """Make a colour example from a grayscale digit: ink of ``colour`` on a dark-blue background.

    Parameters
    ----------
    image : uint8 array of shape (28, 28)
    colour : (r, g, b), each 0-255

    Returns
    -------
    uint8 array of shape (28, 28, 3), channels last
    """
    ink = np.asarray(image, dtype=np.float64)[..., None] / 255.0
    background = np.array([10.0, 20.0, 90.0])
    return np.rint(background * (1 - ink) + np.asarray(colour, dtype=np.float64) * ink).astype(np.uint8)


def unroll_colour(image: np.ndarray, layout: str = CHANNELS_LAST) -> np.ndarray:
    """Unroll a colour image of shape (28, 28, 3) into 2,352 numbers.

    Parameters
    ----------
    image : array of shape (h, w, 3)
    layout : {"channels_last", "channels_first"}
        ``channels_last`` flattens the (h, w, 3) array as it is (R, G, B of each pixel side by side);
        ``channels_first`` first moves channels to the front, (3, h, w), so each channel is one block.

    Returns
    -------
    array of shape (h * w * 3,)
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"a colour image has shape (height, width, 3), got {image.shape}")
    if layout == CHANNELS_LAST:
        return image.reshape(-1).copy()
    if layout == CHANNELS_FIRST:
        return np.moveaxis(image, 2, 0).reshape(-1).copy()
    raise ValueError(f"layout must be one of {CHANNEL_LAYOUTS}, got {layout!r}")


def colour_index(
    row: int, col: int, channel: int, layout: str = CHANNELS_LAST, side: int = IMAGE_SIDE
) -> int:
    """Where channel ``channel`` (0 red, 1 green, 2 blue) of pixel (row, col) lands in the colour vector."""
    if not 0 <= channel < 3:
        raise ValueError(f"channel must be 0, 1 or 2, got {channel}")
    pixel = pixel_index(row, col, side)
    if layout == CHANNELS_LAST:
        return 3 * pixel + channel
    if layout == CHANNELS_FIRST:
        return channel * side * side + pixel
    raise ValueError(f"layout must be one of {CHANNEL_LAYOUTS}, got {layout!r}")


def network_io_sizes(image_shape: tuple[int, ...] = (IMAGE_SIDE, IMAGE_SIDE), n_classes: int = N_CLASSES):
    """(input neurons, output neurons) of a dense network: one input per number in the image, one output per class."""
    return int(np.prod(image_shape)), n_classes
