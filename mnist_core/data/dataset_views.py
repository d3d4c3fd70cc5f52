"""Views of the MNIST data set for lesson 1: counts, CSV rows, IDX headers, montages, mean digits.

Everything here is a pure function of the arrays returned by ``mnist_core.data.mnist.load_mnist``.
The CSV writer streams: it encodes a few thousand rows at a time straight into a file, so
the whole CSV never sits in memory.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_core.data.idx import IdxHeader, read_idx_header
from mnist_core.data.mnist import IDX_FILES, IMAGE_SIDE, N_CLASSES, N_PIXELS, idx_path
from mnist_core.i18n import N_, tr

# --- Class counts ---


def class_counts(labels: np.ndarray) -> np.ndarray:
    """How many samples of each digit.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Integer labels 0-9.

    Returns
    -------
    ndarray of shape (10,)
        ``counts[d]`` is the number of samples labelled ``d``.
    """
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=N_CLASSES)


def samples_of_class(labels: np.ndarray, digit: int) -> np.ndarray:
    """Indices of every sample labelled ``digit``, in data-set order."""
    if not 0 <= digit < N_CLASSES:
        raise ValueError(f"digit must be between 0 and 9, got {digit}")
    return np.flatnonzero(np.asarray(labels) == digit)


# --- The CSV format of lesson 1 ---

LESSON_STYLE = "lesson"  # pixel11, pixel12, ... pixel2828: 1-based row then column, no separator
UNAMBIGUOUS_STYLE = "unambiguous"  # pixel1x1, pixel1x2, ... pixel28x28
COLUMN_STYLES = (LESSON_STYLE, UNAMBIGUOUS_STYLE)


def pixel_column_names(style: str = LESSON_STYLE) -> list[str]:
    """The 784 pixel column names, row after row, with 1-based row and column numbers.

    Parameters
    ----------
    style : {"lesson", "unambiguous"}
        ``"lesson"`` glues row and column together as in the original write-up
        (``pixel11`` ... ``pixel2828``); ``"unambiguous"`` puts an ``x`` between them.

    Returns
    -------
    list of 784 str
    """
    if style not in COLUMN_STYLES:
        raise ValueError(f"style must be one of {COLUMN_STYLES}, got {style!r}")
    separator = "" if style == LESSON_STYLE else "x"
    return [
        f"pixel{row}{separator}{col}" for row in range(1, IMAGE_SIDE + 1) for col in range(1, IMAGE_SIDE + 1)
    ]


def repeated_names(names: list[str]) -> dict[str, int]:
    """Names that occur more than once, with how often (``pixel111`` is row 1 col 11 and row 11 col 1)."""
    return {name: count for name, count in Counter(names).items() if count > 1}


def csv_header(style: str = LESSON_STYLE, label_last: bool = False) -> list[str]:
    """Column names of the CSV: ``label`` first (as the converter writes it) or last (the usual convention)."""
    pixels = pixel_column_names(style)
    return pixels + ["label"] if label_last else ["label"] + pixels


def _number_table() -> tuple[np.ndarray, np.ndarray]:
    """For every byte value 0-255: its digits and a comma, padded to 4 bytes, and how many digits."""
    text = np.zeros((256, 4), dtype=np.uint8)
    length = np.zeros(256, dtype=np.int64)
    for value in range(256):
        cell = f"{value},".encode()
        text[value, : len(cell)] = np.frombuffer(cell, dtype=np.uint8)
        length[value] = len(cell) - 1
    return text, length


_CELLS, _LENGTHS = _number_table()
_KEEP = np.arange(4)[None, :] < (_LENGTHS[:, None] + 1)  # (256, 4): the digits plus one separator


def encode_csv_rows(images: np.ndarray, labels: np.ndarray, label_last: bool = False) -> bytes:
    """Encode samples as CSV lines, one per sample, vectorised (no Python loop per value).

    Parameters
    ----------
    images : uint8 array of shape (n_samples, 28, 28)
    labels : int array of shape (n_samples,)
    label_last : bool
        Put the label after the 784 pixels instead of before them.

    Returns
    -------
    bytes
        ``n_samples`` lines ending in ``\\n``, values separated by commas.
    """
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"images must have shape (n, 28, 28), got {images.shape}")
    if len(labels) != len(images):
        raise ValueError(f"{len(labels)} labels for {len(images)} images")
    pixels = images.reshape(len(images), N_PIXELS).astype(np.uint8, copy=False)
    label_column = np.asarray(labels, dtype=np.uint8)[:, None]
    values = np.hstack([pixels, label_column] if label_last else [label_column, pixels])
    n_rows = len(values)
    cells = _CELLS[values]  # (n_rows, n_columns, 4)
    keep = _KEEP[values]
    # The separator after the last value of a row is a newline; it sits right after that value's digits.
    last = values[:, -1]
    cells[np.arange(n_rows), -1, _LENGTHS[last]] = ord("\n")
    return cells[keep].tobytes()


def csv_row(image: np.ndarray, label: int, style: str = LESSON_STYLE, label_last: bool = False) -> dict:
    """One sample as a table row, ``{column name: [value]}`` in CSV column order.

    A repeated name gets ``.1`` appended the second time, as ``pandas.read_csv`` does, so no value is lost.
    """
    pixels = [int(v) for v in np.asarray(image).reshape(-1)]
    values = pixels + [int(label)] if label_last else [int(label), *pixels]
    seen: Counter = Counter()
    row = {}
    for name, value in zip(csv_header(style, label_last), values):
        row[f"{name}.{seen[name]}" if seen[name] else name] = [value]
        seen[name] += 1
    return row


def csv_text(
    images: np.ndarray, labels: np.ndarray, style: str = LESSON_STYLE, label_last: bool = False
) -> str:
    """A small CSV (header and rows) as text, for showing a few samples on screen."""
    header = ",".join(csv_header(style, label_last)) + "\n"
    return header + encode_csv_rows(images, labels, label_last).decode()


def iter_csv_chunks(
    images: np.ndarray,
    labels: np.ndarray,
    style: str = LESSON_STYLE,
    label_last: bool = False,
    chunk_rows: int = 2000,
) -> Iterator[tuple[int, bytes]]:
    """Yield ``(rows_done, chunk)`` pairs: the header first (rows_done 0), then ``chunk_rows`` rows at a time."""
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    yield 0, (",".join(csv_header(style, label_last)) + "\n").encode()
    for start in range(0, len(images), chunk_rows):
        stop = min(start + chunk_rows, len(images))
        yield stop, encode_csv_rows(images[start:stop], labels[start:stop], label_last)


def write_csv(
    path: str | Path,
    images: np.ndarray,
    labels: np.ndarray,
    style: str = LESSON_STYLE,
    label_last: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    chunk_rows: int = 2000,
) -> int:
    """Stream samples into a CSV file; return its size in bytes.

    Parameters
    ----------
    path : str or Path
        Where to write. Only one chunk of rows is ever in memory.
    images : uint8 array of shape (n_samples, 28, 28)
    labels : int array of shape (n_samples,)
    on_progress : callable, optional
        ``on_progress(rows_done, n_samples)`` after every chunk; it may raise to abort.
    """
    written = 0
    with open(path, "wb") as file:
        for rows_done, chunk in iter_csv_chunks(images, labels, style, label_last, chunk_rows):
            file.write(chunk)
            written += len(chunk)
            if on_progress is not None:
                on_progress(rows_done, len(images))
    return written


def export_csv_job(
    split: str, n_rows: int, style: str, label_last: bool, final_path: str, control=None
) -> Path:
    """Write the first ``n_rows`` samples of ``split`` ("train" or "test") as CSV to ``final_path``.

    A job for a worker: it reads MNIST where it runs and writes a partial file first, renamed
    when complete, so a page never offers half a file. Reports "N of M rows written" and honours
    stop after every chunk. Returns the written file's ``Path``.
    """
    import uuid

    from mnist_core.data.mnist import load_mnist
    from mnist_core.i18n import integer

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    train, test = load_mnist()
    images, labels = train if split == "train" else test
    final = Path(final_path)
    partial = final.with_name(f"{final.name}.{uuid.uuid4().hex}.part")  # two students, two partial files

    def on_progress(rows_done: int, total: int) -> None:
        if control is not None:
            control.checkpoint()
            message = tr("{done} of {total} rows written").format(
                done=integer(rows_done), total=integer(total)
            )
            control.report(rows_done / total, message)

    try:
        write_csv(partial, images[:n_rows], labels[:n_rows], style, label_last, on_progress)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(final)
    return final


# --- The raw IDX files ---


@dataclass(frozen=True)
class IdxFileFacts:
    """One shipped IDX file: its name, sizes on disk and in memory, and its parsed header."""

    key: str  # e.g. "train_images"
    file_name: str
    compressed_bytes: int
    header: IdxHeader

    @property
    def data_bytes(self) -> int:
        return int(np.prod(self.header.dims, dtype=np.int64))  # one byte per value (type 0x08)


def idx_file_facts(directory: str | Path) -> list[IdxFileFacts]:
    """Read the header of each of the four MNIST IDX files in ``directory``."""
    facts = []
    for key, stem in IDX_FILES.items():
        path = idx_path(Path(directory), stem)
        facts.append(IdxFileFacts(key, path.name, path.stat().st_size, read_idx_header(path)))
    return facts


def explain_header(header: IdxHeader) -> list[dict]:
    """The header of an IDX file field by field: byte offsets, raw bytes in hex, value and meaning.

    Returns
    -------
    list of dict with keys ``bytes``, ``hex``, ``field``, ``value``, ``meaning``
        (``field`` and ``meaning`` in the current language; the keys stay as they are)
    """
    magic = header.magic.to_bytes(4, "big")
    rows = [
        {
            "bytes": "0-1",
            "hex": magic[:2].hex(" ").upper(),
            "field": tr("magic: zero bytes"),
            "value": 0,
            "meaning": tr("every IDX file starts with two zero bytes"),
        },
        {
            "bytes": "2",
            "hex": f"{header.type_code:02X}",
            "field": tr("magic: type code"),
            "value": header.type_code,
            "meaning": tr("each value is an {type}: 0-255 for pixels, 0-9 for labels").format(
                type=tr(header.type_name)
            ),
        },
        {
            "bytes": "3",
            "hex": f"{len(header.dims):02X}",
            "field": tr("magic: dimensions"),
            "value": len(header.dims),
            "meaning": tr("how many size fields follow"),
        },
    ]
    sizes_of = [N_("number of samples"), N_("number of rows per image"), N_("number of columns per image")]
    for position, size in enumerate(header.dims):
        start = 4 + 4 * position
        rows.append(
            {
                "bytes": f"{start}-{start + 3}",
                "hex": size.to_bytes(4, "big").hex(" ").upper(),
                "field": tr("size of dimension {number}").format(number=position + 1),
                "value": size,
                "meaning": tr(sizes_of[position] if position < 3 else N_("number of entries")),
            }
        )
    return rows


# --- Pictures of the whole data set ---


def class_order(labels: np.ndarray) -> np.ndarray:
    """Indices that sort samples by class, keeping data-set order within a class (stable)."""
    return np.argsort(np.asarray(labels), kind="stable")


def montage(images: np.ndarray, columns: int | None = None, fill: int = 0) -> np.ndarray:
    """Tile images into one big picture, row after row.

    Parameters
    ----------
    images : array of shape (n_images, h, w)
    columns : int, optional
        Images per row; defaults to ceil(sqrt(n_images)) for a near-square picture.
    fill : int
        Value of the empty cells after the last image.

    Returns
    -------
    ndarray of shape (n_rows * h, columns * w), same dtype as ``images``
    """
    images = np.asarray(images)
    n_images, height, width = images.shape
    if n_images == 0:
        raise ValueError("montage needs at least one image")
    columns = columns or int(np.ceil(np.sqrt(n_images)))
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}")
    n_rows = -(-n_images // columns)
    grid = np.full((n_rows * columns, height, width), fill, dtype=images.dtype)
    grid[:n_images] = images
    return (
        grid.reshape(n_rows, columns, height, width).swapaxes(1, 2).reshape(n_rows * height, columns * width)
    )


def montage_cell(position_row: int, position_col: int, columns: int) -> int:
    """Which image sits in tile (row, col) of a montage with ``columns`` images per row."""
    return position_row * columns + position_col


def montage_window(n_images: int, columns: int, top: int, left: int, size: int) -> tuple[np.ndarray, int]:
    """The tiles of a montage in a ``size`` x ``size`` window whose top-left tile is (top, left).

    Returns
    -------
    cells : int array
        Positions (in montage order) of the images in the window, row after row; empty tiles are left out.
    across : int
        How many tiles each row of the window holds (fewer than ``size`` at the right edge).
    """
    n_rows = -(-n_images // columns)
    across = max(0, min(size, columns - left))
    rows = np.arange(top, min(top + size, n_rows))
    cells = (rows[:, None] * columns + np.arange(left, left + across)[None, :]).reshape(-1)
    return cells[cells < n_images], across


def png_bytes(picture: np.ndarray, width: int | None = None) -> bytes:
    """Encode a uint8 grayscale picture of shape (h, w) as PNG, shrunk to ``width`` pixels wide if given.

    Shrinking averages whole blocks of pixels (PIL's box filter), so every image still contributes.
    """
    from PIL import Image

    image = Image.fromarray(np.asarray(picture, dtype=np.uint8))
    if width is not None and width < image.width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.BOX)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def class_means(images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The average image of each digit.

    Parameters
    ----------
    images : array of shape (n_samples, 28, 28), pixels 0-255
    labels : int array of shape (n_samples,)

    Returns
    -------
    float64 array of shape (10, 28, 28)
        ``means[d]`` is the pixel-wise mean of every image labelled ``d`` (zeros for an absent class).
    """
    labels = np.asarray(labels, dtype=np.int64)
    flat = np.asarray(images).reshape(len(labels), -1)
    means = np.zeros((N_CLASSES, flat.shape[1]), dtype=np.float64)
    for digit in range(N_CLASSES):
        members = flat[labels == digit]
        if len(members):
            means[digit] = members.mean(axis=0, dtype=np.float64)
    return means.reshape(N_CLASSES, *np.asarray(images).shape[1:])
