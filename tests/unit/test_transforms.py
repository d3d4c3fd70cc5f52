import keras
import numpy as np
import pytest

from mnist_core.data.mnist import flatten, invert, one_hot, scale, unflatten


def test_one_hot_matches_keras():
    labels = np.array([5, 0, 9, 3])
    np.testing.assert_array_equal(one_hot(labels), keras.utils.to_categorical(labels, 10))
    assert one_hot(np.array([5]))[0].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]


def test_one_hot_rejects_labels_outside_the_classes():
    with pytest.raises(ValueError, match="from 0 to 9"):
        one_hot(np.array([10]))


def test_scale_maps_0_255_to_0_1_without_losing_the_picture():
    images = np.array([[[0, 128, 255]]], dtype=np.uint8)
    scaled = scale(images)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled, [[[0, 128 / 255, 1]]])
    np.testing.assert_array_equal(np.round(scaled * 255).astype(np.uint8), images)


def test_flatten_is_row_after_row_and_unflatten_undoes_it():
    images = np.arange(2 * 28 * 28).reshape(2, 28, 28)
    vectors = flatten(images)
    assert vectors.shape == (2, 784)
    assert vectors[0, 28 * 3 + 5] == images[0, 3, 5]
    np.testing.assert_array_equal(unflatten(vectors), images)


def test_transforms_never_mutate_their_input():
    images = np.full((1, 28, 28), 7, dtype=np.uint8)
    for transform in (scale, flatten, invert):
        transform(images)
    assert (images == 7).all()
    assert invert(images)[0, 0, 0] == 248
