"""Core of "The data" page: class counts, the CSV format, IDX headers, montages and mean digits."""

import csv
import gzip
import io

import numpy as np
import pytest

from mnist_core.data import dataset_views as dv
from mnist_core.data.mnist import BUNDLED_DIR, load_mnist


@pytest.fixture(scope="module")
def small():
    (x_train, y_train), _ = load_mnist()
    return np.array(x_train[:300]), np.array(y_train[:300])


def test_class_counts_match_numpy_unique(small):
    _, labels = small
    digits, counts = np.unique(labels, return_counts=True)
    expected = np.zeros(10, dtype=int)
    expected[digits] = counts
    assert dv.class_counts(labels).tolist() == expected.tolist()
    assert dv.class_counts(np.array([3, 3])).tolist() == [0, 0, 0, 2, 0, 0, 0, 0, 0, 0]


def test_samples_of_class_finds_every_member_and_rejects_non_digits(small):
    _, labels = small
    assert (labels[dv.samples_of_class(labels, 7)] == 7).all()
    assert len(dv.samples_of_class(labels, 7)) == (labels == 7).sum()
    with pytest.raises(ValueError, match="between 0 and 9"):
        dv.samples_of_class(labels, 10)


def test_lesson_column_names_are_one_based_row_then_column():
    names = dv.pixel_column_names("lesson")
    assert len(names) == 784
    assert names[:3] == ["pixel11", "pixel12", "pixel13"]
    assert names[28] == "pixel21" and names[-1] == "pixel2828"


def test_lesson_names_repeat_where_row_and_column_digits_run_together():
    names = dv.pixel_column_names("lesson")
    repeated = dv.repeated_names(names)
    # Independent count: names shared by two different (row, col) pairs.
    pairs_by_name = {}
    for row in range(1, 29):
        for col in range(1, 29):
            pairs_by_name.setdefault(f"pixel{row}{col}", []).append((row, col))
    assert repeated == {name: len(p) for name, p in pairs_by_name.items() if len(p) > 1}
    assert repeated["pixel111"] == 2  # row 1 col 11, and row 11 col 1
    assert dv.repeated_names(dv.pixel_column_names("unambiguous")) == {}


def test_header_puts_the_label_first_or_last():
    assert dv.csv_header()[0] == "label" and len(dv.csv_header()) == 785
    assert dv.csv_header("unambiguous", label_last=True)[-1] == "label"
    with pytest.raises(ValueError, match="style must be one of"):
        dv.csv_header("pixel0")


@pytest.mark.parametrize("label_last", [False, True])
def test_csv_rows_match_the_standard_csv_writer(small, label_last):
    images, labels = small
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for image, label in zip(images[:50], labels[:50]):
        pixels = image.reshape(-1).tolist()
        writer.writerow(pixels + [label] if label_last else [label, *pixels])
    assert dv.encode_csv_rows(images[:50], labels[:50], label_last).decode() == buffer.getvalue()


def test_csv_rows_reject_wrong_shapes(small):
    images, labels = small
    with pytest.raises(ValueError, match=r"shape \(n, 28, 28\)"):
        dv.encode_csv_rows(images.reshape(len(images), -1), labels)
    with pytest.raises(ValueError, match="labels for"):
        dv.encode_csv_rows(images[:3], labels[:2])


def test_write_csv_streams_chunks_that_read_back_to_the_same_arrays(small, tmp_path):
    images, labels = small
    progress = []
    size = dv.write_csv(
        tmp_path / "x.csv",
        images,
        labels,
        on_progress=lambda done, total: progress.append((done, total)),
        chunk_rows=64,
    )
    text = (tmp_path / "x.csv").read_text()
    assert size == len(text.encode())
    assert text == dv.csv_text(images, labels)  # chunking changes nothing
    assert [done for done, _ in progress] == [0, 64, 128, 192, 256, 300]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == dv.csv_header()
    table = np.array(rows[1:], dtype=int)
    assert (table[:, 0] == labels).all()
    assert (table[:, 1:].reshape(-1, 28, 28) == images).all()


def test_write_csv_can_be_aborted_by_the_progress_callback(small, tmp_path):
    images, labels = small

    def stop(done, total):
        if done >= 100:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        dv.write_csv(tmp_path / "x.csv", images, labels, on_progress=stop, chunk_rows=100)
    assert len((tmp_path / "x.csv").read_text().splitlines()) == 101  # header + one chunk, no more


def test_idx_facts_read_the_shipped_headers():
    facts = {f.key: f for f in dv.idx_file_facts(BUNDLED_DIR)}
    assert facts["train_images"].header.dims == (60000, 28, 28)
    assert facts["test_labels"].header.dims == (10000,)
    assert facts["train_images"].header.magic_hex == "0x00000803"
    assert facts["train_images"].data_bytes == 60000 * 784


def test_explained_header_shows_the_files_own_bytes():
    path = BUNDLED_DIR / "train-images-idx3-ubyte.gz"
    first_bytes = gzip.open(path).read(16)
    facts = {f.key: f for f in dv.idx_file_facts(BUNDLED_DIR)}
    rows = dv.explain_header(facts["train_images"].header)
    assert "".join(row["hex"].replace(" ", "") for row in rows) == first_bytes.hex().upper()
    assert [row["value"] for row in rows] == [0, 8, 3, 60000, 28, 28]


def test_montage_places_image_k_at_row_k_div_columns_and_column_k_mod_columns(small):
    images, _ = small
    picture = dv.montage(images[:23], columns=5)
    assert picture.shape == (5 * 28, 5 * 28)
    for k in (0, 4, 5, 22):
        row, col = divmod(k, 5)
        assert (picture[row * 28 : row * 28 + 28, col * 28 : col * 28 + 28] == images[k]).all()
        assert dv.montage_cell(row, col, 5) == k
    assert (picture[4 * 28 :, 3 * 28 :] == 0).all()  # two empty cells after the last image


def test_montage_defaults_to_a_near_square_and_rejects_empty(small):
    images, _ = small
    assert dv.montage(images[:10]).shape == (3 * 28, 4 * 28)
    with pytest.raises(ValueError, match="at least one image"):
        dv.montage(images[:0])


def test_class_order_is_stable_and_sorted(small):
    _, labels = small
    order = dv.class_order(labels)
    assert (np.diff(labels[order]) >= 0).all()
    sevens = order[labels[order] == 7]
    assert (np.diff(sevens) > 0).all()


def test_png_bytes_decode_to_the_same_picture(small):
    from PIL import Image

    picture = dv.montage(small[0][:9])
    decoded = np.array(Image.open(io.BytesIO(dv.png_bytes(picture))))
    assert (decoded == picture).all()


def test_class_means_match_masked_means(small):
    images, labels = small
    means = dv.class_means(images, labels)
    assert means.shape == (10, 28, 28)
    for digit in range(10):
        np.testing.assert_allclose(means[digit], images[labels == digit].astype(float).mean(axis=0))
    assert (dv.class_means(images[:1], labels[:1])[(labels[0] + 1) % 10] == 0).all()


@pytest.mark.parametrize("style", ["lesson", "unambiguous"])
def test_csv_row_names_and_values_match_what_pandas_reads(small, style, tmp_path):
    import pandas as pd

    images, labels = small
    (tmp_path / "one.csv").write_text(dv.csv_text(images[3:4], labels[3:4], style))
    expected = pd.read_csv(tmp_path / "one.csv")
    row = dv.csv_row(images[3], labels[3], style)
    assert list(row) == list(expected.columns)  # pandas renames a repeated name to name.1
    assert [v[0] for v in row.values()] == expected.iloc[0].tolist()


def test_montage_window_picks_the_tiles_in_view():
    cells, across = dv.montage_window(n_images=23, columns=5, top=3, left=2, size=3)
    assert across == 3 and cells.tolist() == [17, 18, 19, 22]  # row 4 ends at image 22
    cells, across = dv.montage_window(n_images=23, columns=5, top=0, left=4, size=3)
    assert across == 1 and cells.tolist() == [4, 9, 14]
    cells, _ = dv.montage_window(n_images=23, columns=5, top=4, left=4, size=2)
    assert cells.tolist() == []


def test_png_bytes_can_shrink_a_picture_to_a_width():
    from PIL import Image

    picture = np.zeros((280, 560), dtype=np.uint8)
    picture[:, :280] = 200
    shrunk = Image.open(io.BytesIO(dv.png_bytes(picture, width=140)))
    assert shrunk.size == (140, 70)
    assert np.array(shrunk)[:, :70].min() == 200 and np.array(shrunk)[:, 70:].max() == 0
