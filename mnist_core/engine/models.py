"""Build, save and load the Keras models of the lessons.

Every model built here takes raw pixel values 0-255 and, when its spec says so,
scales them to 0-1 in its first layer (``scale_to_0_1``). Keeping the scaling
inside the model means the data stays uint8 in memory (47 MB, not 188 MB) and a
downloaded ``.keras`` file predicts from plain pixels. Models uploaded by a user
usually expect 0-1 inputs; ``to_model_inputs`` handles both.

Keras is imported lazily inside functions: importing this module is cheap.
"""

from __future__ import annotations

import random
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from mnist_core.data.mnist import IMAGE_SIDE, N_CLASSES, N_PIXELS
from mnist_core.engine.spec import ModelSpec
from mnist_core.i18n import integer, tr

SCALING_LAYER_NAME = "scale_to_0_1"
UNSCALED_LAYER_NAME = "unscaled_0_255"  # marks a model built to take raw pixels without scaling them
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a 784-1024x5-10 network is ~20 MB with optimizer state


def make_optimizer(name: str, learning_rate: float):
    """A Keras optimizer object: 'sgd', 'rmsprop' or 'adam' with the given learning rate."""
    import keras

    optimizers = {
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
        "adam": keras.optimizers.Adam,
    }
    return optimizers[name](learning_rate=learning_rate)


def build_model(spec: ModelSpec, steps_per_execution: int = 1, initial_seed: int | None = None):
    """Build and compile the network described by ``spec``.

    Parameters
    ----------
    spec : ModelSpec
    steps_per_execution : int
        Gradient updates Keras runs per call into TensorFlow; more is faster,
        with identical results.
    initial_seed : int, optional
        Give the layers the initial weights (and dropout seeds) that
        ``keras.utils.set_random_seed(initial_seed)`` before this call would give, without
        touching any process-wide random state: a page can show a run's starting weights
        while another thread trains. None: Keras draws them from the global state.

    Returns
    -------
    keras.Model
        Compiled with categorical cross-entropy and accuracy; input shape
        (None, 784) for the dense network, (None, 28, 28, 1) for the convnet.
    """
    import keras
    from keras import layers

    # Keras draws one seed per initializer and per Dropout layer, as it builds them, with Python's
    # random.randint(1, 1e9); set_random_seed seeds that generator. A private one replays the draws.
    draws = random.Random(initial_seed) if initial_seed is not None else None

    def seeded() -> dict:
        if draws is None:
            return {}
        return {"kernel_initializer": keras.initializers.GlorotUniform(seed=draws.randint(1, int(1e9)))}

    def dropout_seed() -> int | None:
        return None if draws is None else draws.randint(1, int(1e9))

    inputs = keras.Input(shape=spec.input_shape, name="pixels")
    x = inputs
    if spec.scale_inputs:
        x = layers.Rescaling(1.0 / 255, name=SCALING_LAYER_NAME)(x)
    else:  # an identity layer, so the model itself says it was trained on raw 0-255 pixels
        x = layers.Identity(name=UNSCALED_LAYER_NAME)(x)
    if spec.architecture == "convnet":
        x = layers.Conv2D(spec.conv_filters, (3, 3), activation="relu", name="conv", **seeded())(x)
        x = layers.MaxPooling2D((2, 2), name="pool")(x)
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(spec.conv_dense_units, activation="relu", name="hidden_1", **seeded())(x)
    else:
        for index, (units, rate) in enumerate(zip(spec.hidden_units, spec.dropout), start=1):
            x = layers.Dense(units, activation=spec.activation, name=f"hidden_{index}", **seeded())(x)
            if rate > 0:
                x = layers.Dropout(rate, name=f"dropout_{index}", seed=dropout_seed())(x)
    outputs = layers.Dense(N_CLASSES, activation="softmax", name="output", **seeded())(x)
    model = keras.Model(inputs, outputs, name=spec.architecture)
    model.compile(
        optimizer=make_optimizer(spec.optimizer, spec.learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model


def model_summary(model) -> str:
    """The text of ``model.summary()``."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)


def expects_raw_pixels(model) -> bool:
    """True when the model takes raw 0-255 pixels (built here, or with its own Rescaling(1/255)), False for 0-1."""
    return any(
        layer.name in (SCALING_LAYER_NAME, UNSCALED_LAYER_NAME) or _divides_by_255(layer)
        for layer in model.layers
    )


def _divides_by_255(layer) -> bool:
    """A Rescaling(1/255) layer: a user's model that scales the pixels itself (so it must not get 0-1 values)."""
    if type(layer).__name__ != "Rescaling":
        return False
    try:
        return bool(np.isclose(float(np.asarray(layer.scale)), 1 / 255))
    except (TypeError, ValueError):  # a per-channel scale: not the one-number /255
        return False


def to_model_inputs(model, images: np.ndarray) -> np.ndarray:
    """Reshape (and scale, if the model does not) uint8 images for ``model``.

    Parameters
    ----------
    images : array-like of shape (n, 28, 28) or (n, 784), values 0-255

    Returns
    -------
    ndarray of shape (n, *model input shape), float32
    """
    images = np.asarray(images)
    values = images.astype(np.float32)
    if not expects_raw_pixels(model):
        values = values / 255.0
    return values.reshape((len(images), *model.input_shape[1:]))


def check_mnist_model(model) -> None:
    """Raise ValueError unless ``model`` takes 28 x 28 (or 784) pixels and outputs 10 classes."""
    try:
        declared_input, declared_output = model.input_shape, model.output_shape
    except (AttributeError, ValueError) as error:  # a Sequential model saved before it was ever built
        raise ValueError(
            tr(
                "this model has no input shape: it was saved before it was built, so it holds no trained "
                "weights. Start it with keras.Input(shape=(784,)) (or (28, 28, 1)), train it, then save it."
            )
        ) from error
    input_shape = tuple(declared_input[1:]) if not isinstance(declared_input, list) else None
    accepted = {(N_PIXELS,), (IMAGE_SIDE, IMAGE_SIDE), (IMAGE_SIDE, IMAGE_SIDE, 1)}
    if input_shape not in accepted:
        raise ValueError(
            tr(
                "this model takes inputs of shape {shape}; an MNIST model must take "
                "784-long vectors or 28 x 28 (x 1) images"
            ).format(shape=declared_input)
        )
    if isinstance(declared_output, list) or tuple(declared_output[1:]) != (N_CLASSES,):
        raise ValueError(
            tr("this model outputs shape {shape}; an MNIST model must output 10 class scores").format(
                shape=declared_output
            )
        )


def load_model_bytes(data: bytes, filename: str = "model.keras"):
    """Load a user's ``.keras`` file with Keras safe mode and check it is an MNIST model.

    Raises
    ------
    ValueError
        With a message that says what to do: too large, not a .keras archive,
        unreadable by Keras, or not shaped for MNIST.
    """
    import keras

    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(
            tr("{filename} is {size} MB; models up to {most} MB are accepted").format(
                filename=filename,
                size=integer(round(len(data) / 1e6)),
                most=integer(MAX_UPLOAD_BYTES // 2**20),
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.keras"
        path.write_bytes(data)
        if not zipfile.is_zipfile(path):
            raise ValueError(
                tr(
                    "{filename} is not a .keras model file (those are zip archives saved by model.save)"
                ).format(filename=filename)
            )
        try:
            model = keras.models.load_model(path, safe_mode=True)
        except Exception as error:  # noqa: BLE001 - Keras raises many types for bad files
            raise ValueError(
                tr("Keras could not load {filename}: {error}").format(
                    filename=filename, error=f"{type(error).__name__}: {str(error)[:300]}"
                )
            ) from error
    check_mnist_model(model)
    return model


def non_finite_weights(model) -> int:
    """How many of ``model``'s weights are NaN or infinite (0 for a model that can be trusted)."""
    return sum(int(np.size(w) - np.isfinite(w).sum()) for w in model.get_weights())


def model_to_bytes(model) -> bytes:
    """The ``.keras`` file of ``model`` (architecture, weights, optimizer state) as bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()
