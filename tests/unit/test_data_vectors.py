"""Unrolling index maths of "Pixels as vectors", checked against numpy's own ravel and reshape."""

import numpy as np
import pytest

from mnist_core.data import vectors
from mnist_core.data.mnist import flatten, load_mnist


@pytest.fixture(scope="module")
def digit():
    (x_train, _), _ = load_mnist()
    return np.array(x_train[0])


@pytest.mark.parametrize("row, col", [(0, 0), (0, 27), (1, 0), (14, 14), (27, 27)])
def test_pixel_index_matches_numpy_ravel_and_back(row, col):
    index = vectors.pixel_index(row, col)
    assert index == 28 * row + col == np.ravel_multi_index((row, col), (28, 28))
    assert vectors.pixel_position(index) == (row, col)


def test_pixel_index_rejects_positions_outside_the_image():
    with pytest.raises(ValueError, match="between 0 and 27"):
        vectors.pixel_index(28, 0)
    with pytest.raises(ValueError, match="between 0 and 783"):
        vectors.pixel_position(784)


def test_the_value_at_a_pixel_is_the_value_at_its_index(digit):
    vector = flatten(digit[None])[0]
    for row, col in [(5, 12), (14, 14), (20, 7)]:
        assert vector[vectors.pixel_index(row, col)] == digit[row, col]


def test_unrolling_all_rows_is_flattening_and_none_leaves_the_image(digit):
    grid, vector = vectors.unroll_partially(digit, 28)
    assert np.isnan(grid).all()
    assert (vector == digit.reshape(784)).all()
    grid, vector = vectors.unroll_partially(digit, 0)
    assert (grid == digit).all() and np.isnan(vector).all()


def test_partial_unrolling_moves_whole_rows(digit):
    grid, vector = vectors.unroll_partially(digit, 10)
    assert np.isnan(grid[:10]).all() and (grid[10:] == digit[10:]).all()
    assert (vector[:280] == digit[:10].reshape(-1)).all() and np.isnan(vector[280:]).all()
    with pytest.raises(ValueError, match="rows_done"):
        vectors.unroll_partially(digit, 29)


def test_wrapping_back_is_reshape(digit):
    vector = digit.reshape(-1)
    assert (vectors.reshape_partially(vector, 28) == vector.reshape((28, 28))).all()
    partial = vectors.reshape_partially(vector, 5)
    assert (partial[:5] == digit[:5]).all() and np.isnan(partial[5:]).all()
    with pytest.raises(ValueError, match="784 entries"):
        vectors.reshape_partially(vector[:100], 1)


def test_colourise_makes_a_three_channel_image_following_the_ink(digit):
    colour = vectors.colourise(digit, colour=(255, 0, 0))
    assert colour.shape == (28, 28, 3) and colour.dtype == np.uint8
    ink = digit == 255
    assert (colour[ink] == [255, 0, 0]).all()
    assert (colour[digit == 0] == [10, 20, 90]).all()


@pytest.mark.parametrize("layout", vectors.CHANNEL_LAYOUTS)
def test_colour_unrolling_has_2352_entries_where_the_formula_says(digit, layout):
    colour = vectors.colourise(digit)
    vector = vectors.unroll_colour(colour, layout)
    assert vector.shape == (2352,)
    oracle = colour.reshape(-1) if layout == vectors.CHANNELS_LAST else colour.transpose(2, 0, 1).reshape(-1)
    assert (vector == oracle).all()
    for row, col, channel in [(0, 0, 0), (14, 14, 1), (27, 27, 2), (3, 20, 2)]:
        assert vector[vectors.colour_index(row, col, channel, layout)] == colour[row, col, channel]


def test_colour_index_matches_numpy_ravel_for_both_layouts():
    assert vectors.colour_index(14, 14, 1, vectors.CHANNELS_LAST) == np.ravel_multi_index(
        (14, 14, 1), (28, 28, 3)
    )
    assert vectors.colour_index(14, 14, 1, vectors.CHANNELS_FIRST) == np.ravel_multi_index(
        (1, 14, 14), (3, 28, 28)
    )
    with pytest.raises(ValueError, match="layout"):
        vectors.colour_index(0, 0, 0, "planar")
    with pytest.raises(ValueError, match="channel"):
        vectors.colour_index(0, 0, 3)
    with pytest.raises(ValueError, match="height, width, 3"):
        vectors.unroll_colour(np.zeros((28, 28)))


def test_network_io_sizes_are_one_input_per_number_and_one_output_per_class():
    assert vectors.network_io_sizes() == (784, 10)
    assert vectors.network_io_sizes((28, 28, 3)) == (2352, 10)
