"""The MNIST data set: loading it, and the preparation steps of lesson 1 and 3.

``load_mnist`` has the same contract as ``keras.datasets.mnist.load_data()``
but reads the four IDX files shipped inside this package, so it works offline.
Every transform is a pure function: it returns a new array and never mutates
its input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from mnist_core.data.idx import read_idx
from mnist_core.i18n import N_, integer, tr

BUNDLED_DIR = Path(__file__).parents[1] / "assets" / "mnist"
DATA_DIR_VARIABLE = "MNIST_DATA_DIR"  # names a folder of the four IDX files (.gz or not)

IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

N_CLASSES = 10
MNIST_SIZES = {"train": 60_000, "test": 10_000}
IMAGE_SIDE = 28
N_PIXELS = IMAGE_SIDE * IMAGE_SIDE  # 784 input neurons: one per pixel


@dataclass(frozen=True)
class MnistFacts:
    """What a student should know about the data set before touching it."""

    n_train: int = 60_000
    n_test: int = 10_000
    image_side: int = IMAGE_SIDE
    n_classes: int = N_CLASSES
    # In English: translate where shown, tr(facts.writers_train).
    writers_train: str = N_("250 people: half US Census Bureau employees, half high-school students")
    writers_test: str = N_("a different 250 people, split the same way")


def idx_path(directory: Path, stem: str) -> Path:
    """The file for ``stem`` in ``directory``: gzip'd if present, else plain."""
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.is_file():
            return candidate
    raise ValueError(
        tr("{folder}: no {file}(.gz) file; the folder must hold the four MNIST IDX files").format(
            folder=directory, file=stem
        )
    )


def default_source() -> str:
    """``$MNIST_DATA_DIR`` if it is set, else the bundled copy."""
    return os.environ.get(DATA_DIR_VARIABLE) or str(BUNDLED_DIR)


def source_for_workers() -> str | None:
    """The source a job should name: ``$MNIST_DATA_DIR`` if set, else None (the bundled copy).

    None lets each worker read its own bundled copy, wherever the project is installed on its
    machine: a Ray node's path to it is not the server's.
    """
    return os.environ.get(DATA_DIR_VARIABLE) or None


def load_mnist(
    source: str | Path | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as uint8 arrays.

    Parameters
    ----------
    source : str or Path, optional
        A folder holding the four IDX files, or ``"keras"`` to use Keras's own
        downloader (needs a network). Defaults to ``$MNIST_DATA_DIR`` or the
        copy bundled with this package.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        uint8 arrays of shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).
        The arrays are read-only: they are shared by every caller.

    Raises
    ------
    ValueError
        When a file is missing, corrupt or does not fit the others.
    """
    source = str(source) if source is not None else default_source()
    if source == "keras":
        return _load_with_keras()
    return _load_from_directory(str(Path(source).resolve()))


@lru_cache(maxsize=4)
def _load_from_directory(directory: str):
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(tr("{folder}: there is no such folder").format(folder=folder))
    arrays = {key: read_idx(idx_path(folder, stem)) for key, stem in IDX_FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
            raise ValueError(
                tr("{file}: expected images of 28 x 28, got shape {shape}").format(
                    file=IDX_FILES[split + "_images"], shape=images.shape
                )
            )
        if labels.ndim != 1 or len(labels) != len(images):
            raise ValueError(
                tr("{file}: {shape} labels do not match {count} images").format(
                    file=IDX_FILES[split + "_labels"], shape=labels.shape, count=integer(len(images))
                )
            )
        if labels.size and labels.max() >= N_CLASSES:
            raise ValueError(
                tr("{file}: label {label} is not a digit 0-9").format(
                    file=IDX_FILES[split + "_labels"], label=labels.max()
                )
            )
        if len(images) != MNIST_SIZES[split]:  # every page, limit and text is written for the whole set
            message = {
                "train": N_(
                    "{file}: {count} images, but MNIST has {expected} train images: this is not the "
                    "whole data set"
                ),
                "test": N_(
                    "{file}: {count} images, but MNIST has {expected} test images: this is not the "
                    "whole data set"
                ),
            }[split]
            raise ValueError(
                tr(message).format(
                    file=IDX_FILES[split + "_images"],
                    count=integer(len(images)),
                    expected=integer(MNIST_SIZES[split]),
                )
            )
    for array in arrays.values():
        array.flags.writeable = False
    return (arrays["train_images"], arrays["train_labels"]), (
        arrays["test_images"],
        arrays["test_labels"],
    )


def data_problem_advice(source: str | Path | None = None) -> str:
    """What to do when ``load_mnist(source)`` failed: fix the folder, or go back to the bundled copy."""
    source = str(source) if source is not None else default_source()
    files = ", ".join(f"{stem}(.gz)" for stem in IDX_FILES.values())
    if os.environ.get(DATA_DIR_VARIABLE) and source == os.environ[DATA_DIR_VARIABLE]:
        return tr(
            "{variable} is set to {folder}. Either fix that folder (it must hold the four MNIST IDX files, "
            "whole: {files}): it is read again when the page reloads. Or unset {variable} and restart the app "
            "to use the copy bundled with it."
        ).format(variable=DATA_DIR_VARIABLE, folder=source, files=files)
    if source == "keras":
        return tr("Keras's downloader needs a network connection; without one, use the bundled copy.")
    return tr(
        "The bundled copy in {folder} is damaged: reinstall the app (or copy the four files back)."
    ).format(folder=BUNDLED_DIR)


def _load_with_keras():
    import keras  # only for users who are online and ask for it

    try:
        return keras.datasets.mnist.load_data()
    except Exception as error:  # noqa: BLE001 - offline, a proxy, a full disk: each raises its own type
        raise ValueError(
            tr("Keras could not download MNIST: {error}").format(
                error=f"{type(error).__name__}: {str(error)[:200]}"
            )
        ) from error


# --- Preparation steps (lessons 1 and 3). Each returns a new array. ---


def scale(images: np.ndarray) -> np.ndarray:
    """Map pixel values 0-255 to 0-1 as float32 (lesson 1: no fidelity lost)."""
    return np.asarray(images, dtype=np.float32) / 255.0


def flatten(images: np.ndarray) -> np.ndarray:
    """Unroll images of shape (n, 28, 28) into vectors of shape (n, 784), row after row."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).copy()


def unflatten(vectors: np.ndarray) -> np.ndarray:
    """Wrap vectors of shape (n, 784) back into images of shape (n, 28, 28)."""
    vectors = np.asarray(vectors)
    return vectors.reshape(len(vectors), IMAGE_SIDE, IMAGE_SIDE).copy()


def one_hot(labels: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    """Encode integer labels as one-hot float32 rows: 5 -> [0,0,0,0,0,1,0,0,0,0]."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must be integers from 0 to {n_classes - 1}")
    encoded = np.zeros((len(labels), n_classes), dtype=np.float32)
    encoded[np.arange(len(labels)), labels.astype(np.int64)] = 1.0
    return encoded


def invert(images: np.ndarray) -> np.ndarray:
    """Swap foreground and background: light digits on dark become dark on light."""
    return (255 - np.asarray(images, dtype=np.uint8)).astype(np.uint8)


def split_validation(n_train: int, validation_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split indices 0..n_train-1 into (training, validation) index arrays.

    Parameters
    ----------
    n_train : int
        Number of training samples available.
    validation_size : int
        How many of them to hold out for validation.
    seed : int
        The split is the same for the same seed.

    Returns
    -------
    train_indices, validation_indices : int arrays, sorted
    """
    if not 0 < validation_size < n_train:
        raise ValueError(f"validation_size must be between 1 and {n_train - 1}, got {validation_size}")
    order = np.random.default_rng(seed).permutation(n_train)
    return np.sort(order[validation_size:]), np.sort(order[:validation_size])
