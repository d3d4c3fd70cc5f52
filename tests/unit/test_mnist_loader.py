import shutil

import numpy as np
import pytest

from mnist_core.data.mnist import BUNDLED_DIR, DATA_DIR_VARIABLE, load_mnist, split_validation


def test_same_contract_as_keras_load_data():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (60000, 28, 28),
        (60000,),
        (10000, 28, 28),
        (10000,),
    )
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    # Class counts from the data set's README.
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]


def test_shared_arrays_are_read_only():
    (x_train, _), _ = load_mnist()
    with pytest.raises(ValueError, match="read-only"):
        x_train[0, 0, 0] = 1


def test_environment_variable_names_another_folder(tmp_path, monkeypatch):
    for path in BUNDLED_DIR.glob("*.gz"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    (_, y_train), _ = load_mnist()
    assert len(y_train) == 60000


def test_a_corrupt_file_in_the_folder_is_named(tmp_path):
    for path in BUNDLED_DIR.glob("*.gz"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz"):
        load_mnist(tmp_path)


def test_a_missing_file_says_what_the_folder_needs(tmp_path):
    with pytest.raises(ValueError, match="must hold the four MNIST IDX files"):
        load_mnist(tmp_path)


def test_validation_split_is_disjoint_and_seeded():
    train_a, val_a = split_validation(100, 20, seed=1)
    train_b, val_b = split_validation(100, 20, seed=1)
    assert len(val_a) == 20 and len(train_a) == 80
    assert not set(train_a) & set(val_a)
    np.testing.assert_array_equal(val_a, val_b)
    assert not np.array_equal(val_a, split_validation(100, 20, seed=2)[1])
    with pytest.raises(ValueError, match="validation_size must be between 1 and 99"):
        split_validation(100, 100, seed=1)
