import gzip
import hashlib

import numpy as np
import pytest

from mnist_core.data.idx import read_idx, read_idx_header, write_idx
from mnist_core.data.mnist import BUNDLED_DIR

# SHA-256 of the uncompressed originals, from the data set's README.
ORIGINAL_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


@pytest.mark.parametrize("name", sorted(ORIGINAL_SHA256))
def test_bundled_files_are_the_originals(name):
    data = gzip.decompress((BUNDLED_DIR / name).read_bytes())
    assert hashlib.sha256(data).hexdigest() == ORIGINAL_SHA256[name]


def test_header_fields_of_the_training_images():
    header = read_idx_header(BUNDLED_DIR / "train-images-idx3-ubyte.gz")
    assert header.magic_hex == "0x00000803"
    assert header.type_name == "unsigned byte"
    assert header.dims == (60000, 28, 28)
    assert header.header_bytes == 16


def test_round_trip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    for name in ("a.idx", "a.idx.gz"):
        write_idx(tmp_path / name, array)
        np.testing.assert_array_equal(read_idx(tmp_path / name), array)


def test_truncated_file_names_the_file_and_the_shortfall(tmp_path):
    write_idx(tmp_path / "images.idx", np.zeros((10, 28, 28), dtype=np.uint8))
    data = (tmp_path / "images.idx").read_bytes()
    (tmp_path / "images.idx").write_bytes(data[:-100])
    with pytest.raises(ValueError, match=r"images\.idx: truncated"):
        read_idx(tmp_path / "images.idx")


def test_trailing_bytes_are_corruption(tmp_path):
    write_idx(tmp_path / "labels.idx", np.zeros(10, dtype=np.uint8))
    (tmp_path / "labels.idx").write_bytes((tmp_path / "labels.idx").read_bytes() + b"xx")
    with pytest.raises(ValueError, match="unexpected bytes"):
        read_idx(tmp_path / "labels.idx")


def test_wrong_magic_number(tmp_path):
    (tmp_path / "notes.idx").write_bytes(b"hello, this is text")
    with pytest.raises(ValueError, match=r"notes\.idx: bad magic number"):
        read_idx(tmp_path / "notes.idx")


def test_corrupt_gzip(tmp_path):
    (tmp_path / "images.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ValueError, match=r"images\.gz: not a valid gzip file"):
        read_idx(tmp_path / "images.gz")


def test_truncated_header(tmp_path):
    (tmp_path / "short.idx").write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(ValueError, match="truncated header"):
        read_idx(tmp_path / "short.idx")


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="file not found"):
        read_idx(tmp_path / "nothing.idx")
