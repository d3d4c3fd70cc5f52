"""Streamlit helpers for the three data pages: server-wide caches and the two background jobs
(CSV export and t-SNE, in worker processes), so a lecture re-open is instant and long work never
blocks a page."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from mnist_core.data import dataset_views, projections
from mnist_core.data.mnist import BUNDLED_DIR, default_source
from mnist_core.figures.data_figures import braille_sketches
from mnist_core.i18n import N_, NP_, integer, tr
from mnist_core.jobs.config import workers_share_disk
from mnist_core.jobs.tasks import TaskState
from ui.resources import background_slots, mnist
from ui.results import data_source, finished, keep, server_result
from ui.tasks import get_task, start_task

SPLITS = ("train", "test")
# The splits' labels, as in ui/links.py: capitalised where a split is chosen alone, as themselves elsewhere.
SPLIT_TITLES = {"train": NP_("data split", "Train"), "test": N_("Test")}  # not the Train button
SPLIT_NAMES = {"train": N_("train"), "test": N_("test")}


def split_arrays(split: str) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) of ``"train"`` or ``"test"``, shared read-only by every session."""
    (x_train, y_train), (x_test, y_test) = mnist()
    return (x_train, y_train) if split == "train" else (x_test, y_test)


@server_result("data.class_counts")
def class_counts(split: str) -> np.ndarray:
    return dataset_views.class_counts(split_arrays(split)[1])


@server_result("data.class_means")
def class_means(split: str) -> np.ndarray:
    return dataset_views.class_means(*split_arrays(split))


OVERVIEW_WIDTH = 1460  # st.image never shows more pixels than this; a wider PNG would be shrunk on every run


def _montage(split: str, by_class: bool) -> tuple[np.ndarray, np.ndarray]:
    """The whole split tiled in one picture, and the order of the images in it."""
    images, labels = split_arrays(split)
    order = dataset_views.class_order(labels) if by_class else np.arange(len(labels))
    return dataset_views.montage(images[order]), order


# The spinners' texts are the viewer's language, so they are shown here rather than by the cache
# decorators, whose text is fixed at import. Streamlit shows a spinner only after half a second.


def montage_png(split: str, by_class: bool) -> tuple[bytes, int, np.ndarray]:
    """The whole split tiled in one picture, shrunk to fit the screen: (PNG, images per row, order of the
    images)."""
    with st.spinner(tr("Tiling every image into one picture (only the first time)…")):
        return _montage_png(split, by_class)


@server_result("data.montage_png")
def _montage_png(split: str, by_class: bool) -> tuple[bytes, int, np.ndarray]:
    picture, order = _montage(split, by_class)
    columns = picture.shape[1] // split_arrays(split)[0].shape[2]
    return dataset_views.png_bytes(picture, OVERVIEW_WIDTH), columns, order


@server_result("data.full_montage_png")
def full_montage_png(split: str, by_class: bool) -> bytes:
    """The same picture at full size (about 11 MB for the training set), made only when downloaded."""
    return dataset_views.png_bytes(_montage(split, by_class)[0])


@server_result("data.idx_facts")
def idx_facts() -> list[dataset_views.IdxFileFacts]:
    source = default_source()
    return dataset_views.idx_file_facts(BUNDLED_DIR if source == "keras" else source)


# --- The 784-dimensional space ---


@server_result("data.subset")
def subset(n: int, seed: int) -> np.ndarray:
    """Indices of ``n`` training digits chosen with ``seed`` (read-only)."""
    indices = projections.subset_indices(len(split_arrays("train")[1]), n, seed)
    indices.flags.writeable = False
    return indices


@server_result("data.sketches")
def sketches(n: int, seed: int) -> list[str]:
    """Hover pictures of the digits of ``subset(n, seed)``."""
    images, _ = split_arrays("train")
    return braille_sketches(images[subset(n, seed)])


def pca(n: int, seed: int, n_components: int = 10) -> projections.PcaResult:
    with st.spinner(tr("Computing PCA…")):
        return _pca(n, seed, n_components)


@server_result("data.pca")
def _pca(n: int, seed: int, n_components: int) -> projections.PcaResult:
    images, _ = split_arrays("train")
    return projections.pca(images[subset(n, seed)], n_components)


def nearest_training_distances(kind: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points, distance to the nearest training digit, index of it) for random or real test points."""
    with st.spinner(
        tr("Measuring distances to all {count} training digits…").format(
            count=integer(len(split_arrays("train")[1]))
        )
    ):
        return _nearest_training_distances(kind, n, seed)


@server_result("data.nearest_training_distances")
def _nearest_training_distances(kind: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    train_images, _ = split_arrays("train")
    if kind == "random":
        points = projections.random_cube_points(n, seed)
    else:
        test_images, _ = split_arrays("test")
        points = test_images[projections.subset_indices(len(test_images), n, seed)]
    distances, nearest = projections.nearest_distances(points, train_images)
    return points, distances, nearest


@server_result("data.walk")
def walk(start_digit: int, end_digit: int, which: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """A straight walk between the ``which``-th test examples of two digits, and each step's distance
    to the nearest training digit: (frames of shape (steps, 28, 28), distances of shape (steps,))."""
    test_images, test_labels = split_arrays("test")
    start = test_images[dataset_views.samples_of_class(test_labels, start_digit)[which]]
    end = test_images[dataset_views.samples_of_class(test_labels, end_digit)[which]]
    frames = projections.interpolate(start, end, steps)
    distances, _ = projections.nearest_distances(np.rint(frames), split_arrays("train")[0])
    return frames, distances


def tsne_result(n: int, dims: int, seed: int, key: str | None = None) -> np.ndarray | None:
    """The map for (n, dims, seed), kept for every session once the task under ``key`` finished it."""
    task = get_task(key) if key is not None else None
    wanted = (n, dims, seed)
    kept = finished("data.tsne", data_source(), *wanted)
    if kept is None and task is not None and st.session_state.get(f"{key}_for") == wanted:
        snapshot = task.snapshot()
        if snapshot.state == TaskState.FINISHED:
            kept = snapshot.result
            keep("data.tsne", data_source(), *wanted, result=kept)
    return kept


def start_tsne(key: str, n: int, dims: int, seed: int) -> None:
    """Compute a t-SNE map in a worker process, where a Stop ends even its neighbour stage."""
    st.session_state[f"{key}_for"] = (n, dims, seed)
    name = tr("t-SNE of {count} digits in {dims}-D").format(count=integer(n), dims=dims)
    work = functools.partial(projections.tsne_of_training_digits, n, dims, seed)
    start_task(key, work, name=name, slots=background_slots(), in_worker=True)


# --- CSV export, streamed to a file on disk ---


@st.cache_resource
def _export_folder() -> Path:
    """A temporary folder for generated CSV files, named by their settings (the workers write there)."""
    return Path(tempfile.mkdtemp(prefix="mnist-csv-"))


def export_name(split: str, n_rows: int, style: str, label_last: bool) -> str:
    order = "label-last" if label_last else "label-first"
    return f"mnist_{split}_{n_rows}_{style}_{order}.csv"


def finished_export(split: str, n_rows: int, style: str, label_last: bool) -> Path | None:
    """The CSV for these settings, once written (a job renames its partial file only when complete)."""
    path = _export_folder() / export_name(split, n_rows, style, label_last)
    return path if path.is_file() else None


def start_export(key: str, split: str, n_rows: int, style: str, label_last: bool) -> None:
    """Write the first ``n_rows`` samples of ``split`` as CSV in a worker, chunk by chunk."""
    final = _export_folder() / export_name(split, n_rows, style, label_last)
    work = functools.partial(dataset_views.export_csv_job, split, n_rows, style, label_last, str(final))
    name = {"train": tr("CSV of {count} train samples"), "test": tr("CSV of {count} test samples")}[split]
    # NumPy alone writes it; on Ray a worker's disk may be another machine's, so the server writes it there.
    start_task(
        key,
        work,
        name=name.format(count=integer(n_rows)),
        slots=background_slots(),
        in_worker=workers_share_disk(),
    )
