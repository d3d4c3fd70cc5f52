"""Plot builders of the data pages: what a student hovers and clicks is what the data says."""

import numpy as np

from mnist_core.figures import data_figures as figures


def test_digit_heatmap_shows_raw_values_and_the_scaling_on_hover():
    image = np.arange(784).reshape(28, 28) % 256
    raw = figures.digit_heatmap(image)
    assert raw.data[0].zmax == 255 and (np.asarray(raw.data[0].z) == image).all()
    scaled = figures.digit_heatmap(image, scaled=True)
    np.testing.assert_allclose(scaled.data[0].z, image / 255)
    assert "/ 255" in scaled.data[0].hovertemplate


def test_clickable_heatmap_points_carry_their_vector_index():
    image = np.random.default_rng(0).integers(0, 256, (28, 28))
    figure = figures.digit_heatmap(image, clickable=True, highlight=(2, 3))
    points = figure.data[1]
    for k in (0, 59, 783):
        assert points.customdata[k][0] == k
        assert points.x[k] == k % 28 and points.y[k] == k // 28
        assert points.customdata[k][1] == image[k // 28, k % 28]
    box = figure.layout.shapes[0]
    assert (box.x0, box.y0) == (2.5, 1.5)


def test_vector_strip_magnifies_the_window_around_the_highlight():
    vector = np.arange(784) % 256
    figure = figures.vector_strip(vector, highlight=406, clickable=True)
    magnified = figure.data[1]
    assert list(magnified.x) == list(range(392, 420))
    assert list(magnified.z[0]) == list(vector[392:420])
    assert figures.vector_strip(vector, window_start=10000).data[1].x[-1] == 783


def test_braille_sketch_sets_the_dots_of_inked_pixels():
    image = np.zeros((28, 28))
    assert figures.braille_sketch(image).replace("<br>", "") == chr(0x2800) * 98
    image[0, 0] = 255  # top-left dot of the first character: bit 1
    image[3, 1] = 255  # bottom-right dot of the first character: bit 128
    first_line = figures.braille_sketch(image).split("<br>")[0]
    assert first_line[0] == chr(0x2800 + 1 + 128) and len(first_line) == 14


def test_class_scatter_has_one_trace_per_present_digit_with_indices():
    coordinates = np.random.default_rng(0).normal(size=(30, 2))
    labels = np.repeat([1, 4, 7], 10)
    figure = figures.class_scatter(coordinates, labels, ["x"] * 30)
    assert [trace.name for trace in figure.data] == ["1", "4", "7"]
    assert list(figure.data[1].customdata) == list(range(10, 20))
    assert figures.class_scatter(np.zeros((30, 3)), labels).data[0].type == "scatter3d"


def test_colour_vector_figure_marks_the_chosen_entry():
    image = np.zeros((28, 28, 3), dtype=np.uint8)
    vector = image.reshape(-1)
    channels = np.tile(np.arange(3), 784)
    figure = figures.colour_vector_figure(image, vector, channels, highlight=1218)
    bars = figure.data[1]
    assert 1218 in list(bars.x)
    assert bars.marker.line.width[list(bars.x).index(1218)] == 4


def test_montage_zoom_puts_a_hover_point_on_every_tile():
    images = np.zeros((6, 28, 28), dtype=np.uint8)
    figure = figures.montage_zoom(images, np.arange(6), np.arange(100, 106), columns=3)
    hover = figure.data[1]
    assert list(hover.x) == [14, 42, 70, 14, 42, 70] and list(hover.y) == [14, 14, 14, 42, 42, 42]
    assert hover.customdata[4][0] == 104


def test_image_grid_tiles_images_with_gaps_and_titles():
    images = np.stack([np.full((28, 28), k * 10.0) for k in range(7)])
    figure = figures.image_grid(images, titles=[f"#{k}" for k in range(7)], columns=3, gap=2)
    canvas = np.asarray(figure.data[0].z, dtype=float)
    assert canvas.shape == (3 * 35 - 7, 3 * 30 - 2)  # rows 7 apart: room for a title above each image
    assert (canvas[35:63, 30:58] == 40).all()  # image 4: second row, second column
    assert np.isnan(canvas[28:35]).all()  # the gap between rows
    assert np.isnan(canvas[70:, 30:]).all()  # no image 7 or 8
    assert figure.data[0].customdata[36][62].tolist() == [5, 1, 2]  # image 5, row 1, column 2
    assert [a.text for a in figure.layout.annotations] == [f"#{k}" for k in range(7)]


def test_braille_sketches_of_a_batch_match_one_by_one():
    images = np.random.default_rng(1).integers(0, 256, (5, 28, 28))
    assert figures.braille_sketches(images) == [figures.braille_sketch(image) for image in images]


def test_selected_positions_map_trace_points_back_to_samples():
    labels = np.array([4, 1, 4, 7, 1, 4])
    figure = figures.class_scatter(np.zeros((6, 2)), labels)
    assert [trace.name for trace in figure.data] == ["1", "4", "7"]
    points = [{"curve_number": 1, "point_index": 2}, {"curve_number": 0, "point_index": 0}, {"x": 3}]
    assert figures.selected_positions(labels, points) == [5, 1]  # the third 4, the first 1
    assert figures.selected_positions(labels, [{"curve_number": 2, "point_index": 5}]) == []


def test_tile_lays_images_out_row_by_row_with_gaps():
    images = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    grid = figures.tile(images, columns=2, gap=1, row_gap=2)
    assert grid.shape == (3 * (2 + 2), 2 * (3 + 1) - 1)
    # The oracle: each image padded with its gaps (NaN) left of the next column and above its row.
    padded = [np.pad(image, ((2, 0), (0, 1)), constant_values=np.nan) for image in images]
    padded.append(np.full_like(padded[0], np.nan))  # the empty sixth place
    expected = np.block([[padded[0], padded[1]], [padded[2], padded[3]], [padded[4], padded[5]]])[:, :-1]
    np.testing.assert_array_equal(grid, expected)


def test_the_image_grid_names_each_pixel_it_shows():
    images = np.arange(3 * 4 * 4, dtype=float).reshape(3, 4, 4)
    heatmap = figures.image_grid(images, titles=["a", "b", "c"], columns=2, gap=1).data[0]
    z, where = np.asarray(heatmap.z, dtype=float), np.asarray(heatmap.customdata)
    shown = ~np.isnan(z)
    assert shown.sum() == images.size and (where[~shown] == -1).all()
    picked = where[shown]
    np.testing.assert_array_equal(z[shown], images[picked[:, 0], picked[:, 1], picked[:, 2]])
