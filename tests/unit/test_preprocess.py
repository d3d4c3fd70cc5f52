"""MNIST-style preprocessing: known inputs to known outputs, and clear errors for bad pictures."""

import io

import numpy as np
import pytest
from PIL import Image

from mnist_core.data.mnist import load_mnist
from mnist_core.data.preprocess import (
    BOX_SIDE,
    MAX_UPLOAD_BYTES,
    center_digit,
    center_of_mass,
    crop_to_ink,
    decode_image,
    fit_in_box,
    has_ink,
    preprocess,
    skip_preprocessing,
    to_grayscale,
    to_light_on_dark,
)


def png_bytes(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def bar_picture(dark_on_light: bool) -> np.ndarray:
    """A 100 x 80 picture with a 40 x 10 vertical bar of ink whose top-left corner is (10, 5)."""
    picture = np.zeros((100, 80), dtype=np.uint8)
    picture[10:50, 5:15] = 255
    return 255 - picture if dark_on_light else picture


def test_grayscale_uses_luma_weights_like_pil():
    rgb = np.random.default_rng(0).integers(0, 256, size=(7, 9, 3), dtype=np.uint8)
    expected = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.int16)
    assert np.abs(to_grayscale(rgb).astype(np.int16) - expected).max() <= 1


def test_transparent_background_becomes_the_opposite_of_the_ink():
    rgba = np.zeros((10, 10, 4), dtype=np.uint8)  # transparent everywhere...
    rgba[2:8, 4:6] = [0, 0, 0, 255]  # ... except a black stroke
    gray = to_grayscale(rgba)
    assert gray[5, 5] == 0 and gray[0, 0] == 255  # the paper is painted white behind black ink


def test_dark_on_light_is_inverted_and_light_on_dark_is_not():
    light, inverted = to_light_on_dark(bar_picture(dark_on_light=True))
    assert inverted
    same, not_inverted = to_light_on_dark(bar_picture(dark_on_light=False))
    assert not not_inverted
    np.testing.assert_array_equal(light, same)
    assert light[20, 10] == 255 and light[80, 60] == 0


def test_contrast_is_stretched_from_background_to_brightest_ink():
    gray = np.full((20, 20), 30, dtype=np.uint8)
    gray[5:10, 5:10] = 130
    stretched, _ = to_light_on_dark(gray)
    assert stretched.min() == 0 and stretched.max() == 255


def test_crop_finds_the_ink_bounding_box():
    light, _ = to_light_on_dark(bar_picture(dark_on_light=True))
    cropped, box = crop_to_ink(light)
    assert box == (10, 50, 5, 15)
    assert cropped.shape == (40, 10)


def test_fit_keeps_the_aspect_ratio_with_the_longer_side_20():
    assert fit_in_box(np.full((40, 10), 255, np.uint8)).shape == (BOX_SIDE, 5)
    assert fit_in_box(np.full((3, 12), 255, np.uint8)).shape == (5, BOX_SIDE)
    assert fit_in_box(np.full((1, 1), 255, np.uint8)).shape == (BOX_SIDE, BOX_SIDE)


def test_centre_of_mass_lands_at_the_centre():
    lopsided = np.zeros((20, 12), dtype=np.uint8)
    lopsided[:, :3] = 255  # all the mass on the left edge of the box
    lopsided[15:, :] = 255  # and more at the bottom
    centred = center_digit(lopsided)
    assert centred.shape == (28, 28)
    row, col = center_of_mass(centred)
    assert abs(row - 13.5) <= 0.5 and abs(col - 13.5) <= 0.5
    assert centred.sum() == lopsided.astype(np.int64).sum()  # nothing pushed off the edge


def test_preprocess_a_small_off_centre_picture():
    steps = preprocess(bar_picture(dark_on_light=True))
    assert steps.inverted
    assert steps.fitted.shape == (20, 5)
    assert steps.digit.shape == (28, 28) and steps.digit.dtype == np.uint8
    row, col = steps.center_of_mass
    assert abs(row - 13.5) <= 0.5 and abs(col - 13.5) <= 0.5
    np.testing.assert_allclose(steps.scaled, steps.digit / 255.0, atol=1e-7)
    assert steps.scaled.dtype == np.float32


def test_mnist_digits_come_out_close_to_themselves():
    """MNIST images were made by this recipe, so redoing it changes them only a little."""
    _, (x_test, _) = load_mnist()
    for image in x_test[:20]:
        steps = preprocess(image)
        assert not steps.inverted
        assert max(steps.fitted.shape) == BOX_SIDE
        difference = np.abs(steps.digit.astype(float) - image.astype(float)).mean()
        assert difference < 40, difference


def test_preprocess_does_not_mutate_its_input():
    picture = bar_picture(dark_on_light=True)
    before = picture.copy()
    preprocess(picture)
    np.testing.assert_array_equal(picture, before)


def test_skip_preprocessing_squeezes_the_whole_picture():
    squeezed = skip_preprocessing(bar_picture(dark_on_light=True))
    assert squeezed.shape == (28, 28)
    assert squeezed[27, 27] == 255  # white paper stays white: no inversion


@pytest.mark.parametrize(
    "picture",
    [
        np.zeros((280, 280, 4), np.uint8),
        np.full((50, 50), 255, np.uint8),
        np.full((50, 50, 3), 128, np.uint8),
    ],
    ids=["empty transparent canvas", "white paper", "flat gray"],
)
def test_no_ink_gets_a_clear_message(picture):
    with pytest.raises(ValueError, match="no ink found|fully transparent"):
        preprocess(picture)
    assert not has_ink(picture)


def test_an_empty_black_canvas_has_no_ink():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    assert not has_ink(canvas)
    assert not has_ink(None)
    canvas[100:200, 130:150, :3] = 255
    assert has_ink(canvas)


def test_wrong_array_shapes_are_rejected():
    with pytest.raises(ValueError, match="an image must have shape"):
        to_grayscale(np.zeros((2, 3, 4, 5)))


def test_decode_a_png_upload():
    gray = decode_image(png_bytes(bar_picture(dark_on_light=True)), "bar.png")
    np.testing.assert_array_equal(gray, bar_picture(dark_on_light=True))


def test_decode_a_transparent_png():
    rgba = np.zeros((30, 30, 4), np.uint8)
    rgba[5:25, 10:15] = [20, 20, 20, 255]
    gray = decode_image(png_bytes(rgba, "RGBA"))
    assert gray[0, 0] == 255 and gray[10, 12] == 20


def test_a_text_file_named_png_is_not_an_image():
    with pytest.raises(ValueError, match="notes.png is not a picture that can be opened"):
        decode_image(b"hello, these are my notes\n" * 10, "notes.png")


def test_a_truncated_png_is_corrupt():
    data = png_bytes(np.random.default_rng(1).integers(0, 256, (64, 64), dtype=np.uint8))
    with pytest.raises(ValueError, match="corrupt or cut short"):
        decode_image(data[: len(data) // 2], "half.png")


def test_empty_and_oversized_files_are_refused():
    with pytest.raises(ValueError, match="is empty"):
        decode_image(b"", "nothing.png")
    with pytest.raises(ValueError, match="MB are accepted"):
        decode_image(b"\0" * (MAX_UPLOAD_BYTES + 1), "big.png")


def test_a_huge_image_is_refused_before_it_is_decoded():
    # A 5000 x 5000 PNG of one colour compresses to a few kB: the pixel count must be checked.
    buffer = io.BytesIO()
    Image.new("L", (5000, 5000), 255).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < MAX_UPLOAD_BYTES
    with pytest.raises(ValueError, match="5000 x 5000 pixels"):
        decode_image(buffer.getvalue(), "poster.png")


def test_a_tiff_is_refused_with_a_hint():
    buffer = io.BytesIO()
    Image.new("L", (10, 10)).save(buffer, format="TIFF")
    with pytest.raises(ValueError, match="TIFF image; upload a PNG or JPEG"):
        decode_image(buffer.getvalue(), "scan.tif")
