"""Turn a drawing or a photo of a digit into an MNIST-style 28 x 28 image, step by step.

MNIST's digits were prepared this way: light ink on a dark background, the ink
fitted into a 20 x 20 box keeping its aspect ratio, then placed in a 28 x 28
field so that its centre of mass sits at the centre. A network trained on
MNIST only knows digits that look like that, so a new digit must go through the
same steps. ``preprocess`` returns every intermediate image so a page can show
each one; ``skip_preprocessing`` is what you get without them.

Every function is pure: it returns new arrays and never mutates its input.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np

from mnist_core.data.mnist import IMAGE_SIDE
from mnist_core.i18n import integer, number, tr

BOX_SIDE = 20  # MNIST fitted each digit into 20 x 20 pixels, centred by mass in 28 x 28
INK_THRESHOLD = 50  # after inversion and stretching, pixels above this (of 255) count as ink
MIN_CONTRAST = 40  # brightest minus background below this (of 255): no ink at all
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 4000 * 4000  # decoding more than this could exhaust the server's memory
MAX_DECODED_SIDE = 1024  # larger pictures are shrunk while decoding: the digit ends up 20 pixels tall anyway
MIN_INK_SIDE = 4  # an ink box smaller than this, in pixels of the picture, is a speck, not a digit
MIN_LENGTH_PER_THICKNESS = 1.3  # ink not even 1.3 times longer than its stroke is thick is a dot
ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")


@dataclass(frozen=True)
class PreprocessSteps:
    """Every intermediate image of ``preprocess``, in order.

    Attributes
    ----------
    grayscale : ndarray of shape (h, w), uint8
        The input as one brightness channel.
    inverted : bool
        True when the input was dark ink on a light background and was flipped.
    light_on_dark : ndarray of shape (h, w), uint8
        Light ink on a black background, stretched so the background is 0 and
        the brightest ink 255.
    box : (top, bottom, left, right)
        The ink's bounding box in ``light_on_dark`` (bottom and right exclusive).
    cropped : ndarray of shape (box height, box width), uint8
    fitted : ndarray of shape (20, k) or (k, 20) with k <= 20, uint8
        The crop resized so its longer side is 20 pixels.
    centered : ndarray of shape (28, 28), uint8
        The fitted digit placed so its centre of mass is at (13.5, 13.5).
    center_of_mass : (row, col)
        Where the centre of mass of ``centered`` landed.
    scaled : ndarray of shape (28, 28), float32
        ``centered / 255``: the 0-1 values the network's first layer sees.
    """

    grayscale: np.ndarray
    inverted: bool
    light_on_dark: np.ndarray
    box: tuple[int, int, int, int]
    cropped: np.ndarray
    fitted: np.ndarray
    centered: np.ndarray
    center_of_mass: tuple[float, float]
    scaled: np.ndarray

    @property
    def digit(self) -> np.ndarray:
        """The result as uint8 pixels of shape (28, 28), ready for ``to_model_inputs``."""
        return self.centered


def decode_image(data: bytes, filename: str | None = None) -> np.ndarray:
    """Decode an uploaded image file safely into a grayscale array.

    Parameters
    ----------
    data : bytes
        The file's content: PNG, JPEG, GIF, BMP or WebP, at most 5 MB and 16 megapixels.
    filename : str, optional
        Used in error messages; None: "the file", in the viewer's language.

    Returns
    -------
    ndarray of shape (h, w), uint8

    Raises
    ------
    ValueError
        With a message saying what to do: empty, too large, not an image,
        an unsupported format, or a corrupt or truncated file.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    filename = tr("the file") if filename is None else filename
    if not data:
        raise ValueError(
            tr("{filename} is empty: choose a PNG or JPEG picture of a digit").format(filename=filename)
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(
            tr(
                "{filename} is {size} MB; pictures up to {limit} MB are accepted. A small crop around the "
                "digit is all the network needs."
            ).format(
                filename=filename, size=number(len(data) / 2**20, 1), limit=integer(MAX_UPLOAD_BYTES // 2**20)
            )
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValueError(
                    tr(
                        "{filename} is {width} x {height} pixels; pictures up to {limit} megapixels are "
                        "accepted. Crop or shrink it first."
                    ).format(
                        filename=filename, width=width, height=height, limit=integer(MAX_IMAGE_PIXELS / 1e6)
                    )
                )
            if image.format not in ACCEPTED_FORMATS:
                raise ValueError(
                    tr("{filename} is a {format} image; upload a PNG or JPEG (also GIF, BMP, WebP)").format(
                        filename=filename, format=image.format
                    )
                )
            # Shrink while decoding (JPEG's draft mode decodes at 1/2, 1/4 or 1/8 size): a 16-megapixel
            # photo would otherwise cost hundreds of MB of server memory for a 28 x 28 result.
            image.thumbnail((MAX_DECODED_SIDE, MAX_DECODED_SIDE))
            image = ImageOps.exif_transpose(image)  # photos from phones are often stored sideways
            return _to_grayscale(image)
    except UnidentifiedImageError as error:
        raise ValueError(
            tr("{filename} is not a picture that can be opened: upload a PNG or JPEG of a digit").format(
                filename=filename
            )
        ) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValueError(
            tr("{filename} is too large to decode safely: crop or shrink it first").format(filename=filename)
        ) from error
    except (OSError, SyntaxError, EOFError) as error:
        raise ValueError(
            tr(
                "{filename} looks like a picture but is corrupt or cut short ({error}); save it again and retry"
            ).format(filename=filename, error=error)
        ) from error


def _to_grayscale(image) -> np.ndarray:
    """A PIL image as (h, w) uint8 brightness; transparent areas become the background."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        return to_grayscale(np.asarray(image.convert("RGBA")))
    if image.mode.startswith(("I", "F")):  # 16- or 32-bit gray: convert("L") would clip it all to white
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(values.max()), 255.0)
        return np.rint(np.clip(values, 0, top) / top * 255).astype(np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8).copy()


def to_grayscale(pixels: np.ndarray) -> np.ndarray:
    """Step 1: one brightness channel from a gray, RGB or RGBA array.

    Transparent pixels (alpha 0) are treated as background: they are painted
    in the brightness opposite to the ink's, so the ink stays visible whether
    it is dark or light.

    Parameters
    ----------
    pixels : array-like of shape (h, w), (h, w, 3) or (h, w, 4)
        Values 0-255 (integers or floats).

    Returns
    -------
    ndarray of shape (h, w), uint8
    """
    pixels = np.asarray(pixels)
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] not in (1, 3, 4)):
        raise ValueError(
            f"an image must have shape (height, width) or (height, width, 3 or 4), got {pixels.shape}"
        )
    if pixels.size == 0:
        raise ValueError(tr("the image has no pixels"))
    values = pixels.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(tr("the image holds values that are not numbers"))
    values = np.clip(values, 0, 255)
    if values.ndim == 2:
        return np.rint(values).astype(np.uint8)
    if values.shape[2] == 1:
        return np.rint(values[:, :, 0]).astype(np.uint8)
    rgb = values[:, :, :3]
    brightness = rgb @ np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma, as PIL's convert("L")
    if values.shape[2] == 4:
        alpha = values[:, :, 3] / 255.0
        if alpha.max() == 0:
            raise ValueError(tr("the image is fully transparent: there is no digit to read"))
        ink = brightness[alpha > 0.5] if (alpha > 0.5).any() else brightness
        background = 255.0 if ink.mean() < 128 else 0.0
        brightness = alpha * brightness + (1 - alpha) * background
    return np.rint(brightness).astype(np.uint8)


def to_light_on_dark(grayscale: np.ndarray) -> tuple[np.ndarray, bool]:
    """Step 2: invert dark-on-light images and stretch the contrast, as in MNIST.

    The background is the median brightness (a digit covers less than half of
    a picture). If it is light, the picture is inverted. Then the background is
    mapped to 0 and the brightest ink to 255.

    Returns
    -------
    light_on_dark : ndarray of shape (h, w), uint8
    inverted : bool

    Raises
    ------
    ValueError
        When the picture is one flat colour: there is no ink.
    """
    values = np.asarray(grayscale, dtype=np.float64)
    background = float(np.median(values))
    inverted = background > 127
    if inverted:
        values = 255.0 - values
        background = 255.0 - background
    brightest = float(values.max())
    if brightest - background < MIN_CONTRAST:
        raise ValueError(
            tr(
                "no ink found: the picture is blank or almost one flat colour. Draw a digit, or upload a "
                "picture with a clearly darker (or lighter) digit on a plain background."
            )
        )
    stretched = np.clip((values - background) / (brightest - background), 0, 1) * 255
    return np.rint(stretched).astype(np.uint8), inverted


def ink_box(light_on_dark: np.ndarray, threshold: int = INK_THRESHOLD) -> tuple[int, int, int, int]:
    """The bounding box (top, bottom, left, right) of pixels brighter than ``threshold``."""
    ink = np.asarray(light_on_dark) > threshold
    if not ink.any():
        raise ValueError(tr("no ink found: draw a bigger or bolder digit"))
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def crop_to_ink(light_on_dark: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Step 3: cut the picture down to the ink's bounding box; returns (crop, box)."""
    top, bottom, left, right = box = ink_box(light_on_dark)
    return np.array(light_on_dark[top:bottom, left:right], dtype=np.uint8), box


def check_enough_ink(light_on_dark: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Raise ValueError when the ink is a speck or a single dot: too little to be a digit.

    A dot is about as long as its stroke is thick. Every digit, even a short 1, is a
    stroke several times longer than it is thick. The thickness is twice the radius of
    the largest disc that fits inside the ink.
    """
    from scipy.ndimage import distance_transform_edt

    top, bottom, left, right = box
    longest = max(bottom - top, right - left)
    ink = np.pad(np.asarray(light_on_dark)[top:bottom, left:right] > INK_THRESHOLD, 1)
    thickness = 2 * float(distance_transform_edt(ink).max())
    if longest < MIN_INK_SIDE or longest < MIN_LENGTH_PER_THICKNESS * thickness:
        raise ValueError(
            tr(
                "too little ink to be a digit: only a dot of {width} x {height} pixels. "
                "Draw the whole digit, large, filling most of the box."
            ).format(width=right - left, height=bottom - top)
        )


def fit_in_box(cropped: np.ndarray, side: int = BOX_SIDE) -> np.ndarray:
    """Step 4: resize so the longer side is ``side`` pixels, keeping the aspect ratio.

    Returns
    -------
    ndarray of shape (side, k) or (k, side) with 1 <= k <= side, uint8
    """
    from PIL import Image

    height, width = cropped.shape
    ratio = side / max(height, width)
    new_size = (max(1, round(width * ratio)), max(1, round(height * ratio)))  # PIL wants (w, h)
    resized = Image.fromarray(np.asarray(cropped, dtype=np.uint8)).resize(new_size, Image.Resampling.LANCZOS)
    return np.asarray(resized, dtype=np.uint8).copy()


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """The brightness-weighted mean (row, col) of an image."""
    weights = np.asarray(image, dtype=np.float64)
    total = weights.sum()
    if total == 0:
        raise ValueError(tr("no ink found: the image is all black"))
    rows, cols = np.indices(weights.shape)
    return float((rows * weights).sum() / total), float((cols * weights).sum() / total)


def center_digit(fitted: np.ndarray, side: int = IMAGE_SIDE) -> np.ndarray:
    """Step 5: place ``fitted`` in a side x side field with its centre of mass at the centre.

    The shift is a whole number of pixels, and the digit is never pushed over
    the edge, so the centre of mass lands within half a pixel of (13.5, 13.5)
    unless the ink is very lopsided.

    Returns
    -------
    ndarray of shape (28, 28), uint8
    """
    height, width = fitted.shape
    mass_row, mass_col = center_of_mass(fitted)
    middle = (side - 1) / 2
    top = int(np.clip(round(middle - mass_row), 0, side - height))
    left = int(np.clip(round(middle - mass_col), 0, side - width))
    field = np.zeros((side, side), dtype=np.uint8)
    field[top : top + height, left : left + width] = fitted
    return field


def preprocess(pixels: np.ndarray) -> PreprocessSteps:
    """Run every MNIST preparation step on a drawing or picture of one digit.

    Parameters
    ----------
    pixels : array-like of shape (h, w), (h, w, 3) or (h, w, 4), values 0-255
        A canvas's RGBA data or a decoded upload.

    Returns
    -------
    PreprocessSteps
        ``.digit`` is the (28, 28) uint8 result.

    Raises
    ------
    ValueError
        When the picture has no ink, too little to be a digit, or is not an image array.
    """
    grayscale = to_grayscale(pixels)
    light_on_dark, inverted = to_light_on_dark(grayscale)
    cropped, box = crop_to_ink(light_on_dark)
    check_enough_ink(light_on_dark, box)
    fitted = fit_in_box(cropped)
    centered = center_digit(fitted)
    return PreprocessSteps(
        grayscale=grayscale,
        inverted=inverted,
        light_on_dark=light_on_dark,
        box=box,
        cropped=cropped,
        fitted=fitted,
        centered=centered,
        center_of_mass=center_of_mass(centered),
        scaled=centered.astype(np.float32) / 255.0,
    )


def skip_preprocessing(pixels: np.ndarray) -> np.ndarray:
    """What a network sees without the steps: the whole picture squeezed to 28 x 28 gray pixels.

    Returns
    -------
    ndarray of shape (28, 28), uint8
        No inversion, no crop, no centring.
    """
    from PIL import Image

    grayscale = to_grayscale(pixels)
    squeezed = Image.fromarray(grayscale).resize((IMAGE_SIDE, IMAGE_SIDE), Image.Resampling.BOX)
    return np.asarray(squeezed, dtype=np.uint8).copy()


def has_ink(pixels: np.ndarray | None) -> bool:
    """True when a canvas or picture holds something that could be a digit."""
    if pixels is None:
        return False
    try:
        to_light_on_dark(to_grayscale(pixels))
    except ValueError:
        return False
    return True
