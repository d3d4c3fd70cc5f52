"""An adversarial nudge: the smallest fast-gradient-sign step that makes a network read another digit.

The gradient of the loss "this image is a ``target``" says, for every pixel, which way (more ink or
less) brings the answer closer to ``target``. The fast gradient sign method (Goodfellow et al. 2014)
moves every pixel by the same small amount ``step`` in that direction. ``nudge`` tries steps of 1, 2,
3, ... (in 0-255 pixel units) and keeps the smallest that works; when no single step does, it repeats
small steps, each along the new gradient. The change is never more than ``step`` on any pixel
(its L-infinity size), which to a person looks like faint noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnist_core.data.mnist import IMAGE_SIDE

MAX_STEP = 64  # 0-255 units: a quarter of full ink, beyond which the change is plainly visible
MAX_REPEATS = 64  # small steps tried when no single step flips the answer


@dataclass(frozen=True)
class Nudge:
    """The result of ``nudge``.

    Attributes
    ----------
    original, nudged : ndarray of shape (28, 28), uint8
    target : int
    step : int
        The largest change of any pixel, max |nudged - original|, in 0-255 units.
    repeats : int
        1 for a single fast-gradient-sign step; more when small steps were repeated.
    before, after : ndarray of shape (10,)
        The model's probabilities for ``original`` and ``nudged``.
    """

    original: np.ndarray
    nudged: np.ndarray
    target: int
    step: int
    repeats: int
    before: np.ndarray
    after: np.ndarray

    @property
    def flipped(self) -> bool:
        return int(self.after.argmax()) == self.target

    @property
    def change(self) -> np.ndarray:
        """nudged - original, as signed integers of shape (28, 28)."""
        return self.nudged.astype(np.int16) - self.original.astype(np.int16)


def _loss_sign(model, layers, pixels: np.ndarray, target: int) -> np.ndarray:
    """sign(d loss / d pixel) for the loss "the image is ``target``"; shape (28, 28)."""
    import tensorflow as tf

    from mnist_core.inspect.layer_chain import scores

    tensor = tf.convert_to_tensor(pixels.astype(np.float32).reshape(1, IMAGE_SIDE, IMAGE_SIDE))
    with tf.GradientTape() as tape:
        tape.watch(tensor)
        logits = scores(model, layers, tensor)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[target], logits=logits)
    return np.sign(tape.gradient(loss, tensor).numpy()[0])


def _probabilities(model, images: np.ndarray) -> np.ndarray:
    from mnist_core.engine.models import to_model_inputs

    return np.asarray(model(to_model_inputs(model, images), training=False), dtype=np.float64)


def nudge(
    model, image: np.ndarray, target: int, max_step: int = MAX_STEP, layers: list | None = None
) -> Nudge:
    """The smallest fast-gradient-sign change of ``image`` that ``model`` reads as ``target``.

    Parameters
    ----------
    model : keras.Model
        A chain of layers ending in a Dense output (``layer_chain.chain``).
    image : array-like of shape (28, 28), values 0-255
    target : int, 0-9
    max_step : int
        The largest change of a pixel allowed, in 0-255 units.
    layers : list, optional
        ``layer_chain.chain(model)``, when the caller keeps it (checking a chain costs a forward pass).

    Returns
    -------
    Nudge
        ``flipped`` is False when no change up to ``max_step`` worked; ``nudged`` is then the last tried.
    """
    from mnist_core.inspect.layer_chain import chain

    if not 0 <= int(target) <= 9:
        raise ValueError(f"target must be a digit 0-9, got {target}")
    if not 1 <= max_step <= 255:
        raise ValueError(f"max_step must be 1-255 pixel units, got {max_step}")
    layers = chain(model) if layers is None else layers
    original = np.asarray(image, dtype=np.uint8).reshape(IMAGE_SIDE, IMAGE_SIDE)
    pixels = original.astype(np.float64)
    before = _probabilities(model, original[None])[0]
    if int(before.argmax()) == target:
        return Nudge(original, original.copy(), target, 0, 0, before, before)
    # One step, of every size at once: the sign is the same for all of them.
    direction = -_loss_sign(model, layers, pixels, target)
    sizes = np.arange(1, max_step + 1, dtype=np.float64)
    tried = np.clip(pixels[None] + sizes[:, None, None] * direction[None], 0, 255).astype(np.uint8)
    probabilities = _probabilities(model, tried)
    works = np.flatnonzero(probabilities.argmax(axis=1) == target)
    if len(works):
        best = int(works[0])
        return _result(original, tried[best], target, 1, before, probabilities[best])
    # Repeated steps of 1, each along the gradient at the current image, staying within max_step.
    current, repeats = pixels, 0
    while repeats < MAX_REPEATS:
        repeats += 1
        direction = -_loss_sign(model, layers, current, target)
        current = np.clip(np.clip(current + direction, pixels - max_step, pixels + max_step), 0, 255)
        after = _probabilities(model, current.astype(np.uint8)[None])[0]
        if int(after.argmax()) == target:
            break
    return _result(original, current.astype(np.uint8), target, repeats, before, after)


def _result(original, nudged, target, repeats, before, after) -> Nudge:
    step = int(np.abs(nudged.astype(np.int16) - original.astype(np.int16)).max())
    return Nudge(original, nudged, int(target), step, repeats, before, np.asarray(after))
