"""A trained network as a chain of layers, so a view can stop inside it, change a layer's output or read
the scores before softmax.

Every model this app builds (and most uploads) is a chain: each layer reads the previous layer's
output. ``chain`` returns those layers, checked against the model's own output, and ``run`` passes
inputs through them with an optional mask on one layer's output (switching units off). The
gradients of ``attribution`` and ``adversarial`` go through ``scores``, TensorFlow's tape on the
same layers (the app runs Keras on TensorFlow).
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

from mnist_core.data.mnist import IMAGE_SIDE
from mnist_core.i18n import tr

SKIPPED_LAYERS = ("InputLayer",)
CHAIN_TOLERANCE = 1e-4  # the chain's probabilities may differ from the model's by float32 rounding only


def chain(model) -> list:
    """The model's layers in order, without its input layer.

    Raises
    ------
    ValueError
        When running the layers one after another does not give the model's own output (a model with
        branches or skip connections): the views that stop inside a network need a chain.
    """
    layers = [layer for layer in model.layers if type(layer).__name__ not in SKIPPED_LAYERS]
    probe = np.linspace(0, 255, IMAGE_SIDE * IMAGE_SIDE, dtype=np.float32).reshape(1, -1)
    inputs = probe.reshape((1, *model.input_shape[1:]))
    own = np.asarray(model(inputs, training=False))
    try:
        ours = np.asarray(run(layers, inputs))
    except (ValueError, TypeError) as error:
        raise ValueError(
            tr("this model is not a plain chain of layers ({error})").format(error=error)
        ) from error
    if ours.shape != own.shape or not np.allclose(ours, own, atol=CHAIN_TOLERANCE):
        raise ValueError(
            tr(
                "this model is not a plain chain of layers (it has branches or skip connections): "
                "pick a model built on Build & Train or a shipped one"
            )
        )
    return layers


def run(layers: list, inputs, after: int | None = None, mask=None, start: int = 0):
    """Pass ``inputs`` through ``layers[start:]``, multiplying the output of ``layers[after]`` by ``mask``.

    Parameters
    ----------
    inputs : array or tensor of shape (n, *input shape of layers[start])
    after : int, optional
        Index in ``layers`` of the layer whose output is masked.
    mask : array of shape (units,), optional
        1 keeps a unit, 0 switches it off; broadcast over the last axis (a Conv2D's filters).

    Returns
    -------
    tensor of shape (n, *output shape)
    """
    x = inputs
    for index in range(start, len(layers)):
        x = layers[index](x, training=False)
        if index == after and mask is not None:
            x = x * np.asarray(mask, dtype=np.float32)
    return x


def pixels_to_inputs(model, pixels):
    """0-255 pixels of shape (n, 28, 28), a NumPy array or a tensor being watched, as the model's inputs."""
    from mnist_core.engine.models import expects_raw_pixels

    scale = 1.0 if expects_raw_pixels(model) else 1.0 / 255.0
    import keras

    return keras.ops.reshape(pixels * scale, (-1, *model.input_shape[1:]))


def scores(model, layers: list, pixels):
    """The ten class scores before softmax (the logits) for 0-255 pixels of shape (n, 28, 28).

    The last layer must be a Dense layer with a softmax (every model of this app), or a Softmax /
    softmax Activation layer, which is then left out.
    """
    import keras

    last = layers[-1]
    kind = type(last).__name__
    x = pixels_to_inputs(model, pixels)
    if kind in ("Softmax", "Activation"):
        return run(layers[:-1], x)
    if kind != "Dense":
        raise ValueError(
            tr("the last layer is a {kind}: the class scores need a Dense output layer").format(kind=kind)
        )
    hidden = run(layers[:-1], x)
    kernel, bias = last.kernel, last.bias
    return keras.ops.matmul(hidden, kernel) + (bias if bias is not None else 0.0)


COMPILED_BATCH = 250  # images per compiled call: measured 2x faster than 1,000 for the convnet (cache-sized)
_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_compiled_lock = threading.Lock()


def predicted_digits(model, images: np.ndarray) -> np.ndarray:
    """The digit ``model`` predicts for each of many 0-255 images, through one compiled function per model.

    A ``tf.function`` of the model's call, kept while the model lives, runs about twice as fast as
    eager calls on thousands of images (the curves of ``robustness``) and is traced once per model.

    Returns
    -------
    ndarray of shape (n,), int64
    """
    import tensorflow as tf

    from mnist_core.engine.models import to_model_inputs

    with _compiled_lock:
        call = _compiled.get(model)
        if call is None:
            owner = weakref.ref(model)  # the function must not keep its model alive: the cache is weak
            call = _compiled[model] = tf.function(lambda x: owner()(x, training=False), reduce_retracing=True)
    digits = [
        np.asarray(call(to_model_inputs(model, images[start : start + COMPILED_BATCH]))).argmax(axis=1)
        for start in range(0, len(images), COMPILED_BATCH)
    ]
    return np.concatenate(digits).astype(np.int64)
