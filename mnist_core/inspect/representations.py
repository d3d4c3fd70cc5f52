"""Lesson 2's last bullet, measured: each layer "uncrumples" the folded manifold of digits a little more.

A trained network turns every digit into a new vector at every layer: 784 pixels, then each hidden
layer's activations, then the 10 probabilities. ``layer_representations`` collects those vectors for
many digits (the model's own numbers, from a Keras sub-model), ``layer_maps`` flattens each layer to
2-D with PCA and measures how well the classes are separated there with a k-nearest-neighbour vote,
and ``tensor_shapes`` follows one image's tensors through a convnet, (batch, height, width, channels).

Everything here returns plain arrays and dataclasses, so it runs in a worker process: the page asks
for ``sample_uncrumpling``, ``history_uncrumpling``, ``tsne_of_sample`` (a long job) and
``tensor_shapes`` on a ``ModelRef`` and the worker reads the test digits itself. Keras is imported
only inside the functions that run a model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mnist_core.data.projections import (
    PcaResult,
    as_unit_vectors,
    pca_of_vectors,
    subset_indices,
    tsne_of_vectors,
)
from mnist_core.i18n import integer, tr
from mnist_core.inspect.evaluation import nearest_neighbours
from mnist_core.inspect.trace import ACTIVATION_LAYERS
from mnist_core.jobs.model_jobs import LayerDescription

REPRESENTING_LAYERS = ("Dense", "Conv2D", "MaxPooling2D", "AveragePooling2D")  # layers that make a new vector
MAX_FEATURES = (
    8192  # wider layers (a convnet's 21,632 values before pooling) are left out: too big for 2,000 digits
)
NEIGHBOURS = 5  # k of the k-nearest-neighbour vote
BATCH = 500  # digits per forward pass: memory stays small even for the convnet's layers
SAMPLE = 2000  # test digits the page measures: the first half votes, the second half is named by the vote
DRAWN = slice(SAMPLE // 2, None)  # the digits drawn (and mapped by t-SNE): those the vote names
SAMPLE_SEED = 0


@dataclass(frozen=True)
class Representation:
    """Many digits as one layer sees them.

    Attributes
    ----------
    name : str
        "pixels" for the input, else the Keras layer's name.
    kind : str
        "Input", "Dense", "Conv2D", ...
    shape : tuple of int
        One digit's tensor in this layer, without the batch axis: (784,), (32,), (13, 13, 32).
    values : ndarray of shape (n_digits, prod(shape)), float32
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    values: np.ndarray

    @property
    def n_features(self) -> int:
        return self.values.shape[1]


def _kind_and_shape(layer) -> tuple[str, tuple]:
    """A Keras layer's or a ``LayerDescription``'s kind and output shape (without the batch axis)."""
    if isinstance(layer, LayerDescription):
        return layer.kind, layer.output_shape
    return type(layer).__name__, tuple(layer.output.shape[1:])


def representation_layers(model) -> tuple[list, list[str]]:
    """The layers whose outputs are new representations, and the ones left out for their size.

    A Dense, Conv2D or pooling layer makes a new vector; an activation layer right after one
    replaces it (the activations are what the next layer reads). Flatten, Dropout and scaling
    layers only reshape or pass values on.

    Parameters
    ----------
    model : keras.Model, or its ``ModelDescription`` (the server reads the left-out layers from it)

    Returns
    -------
    layers : list of keras layers (or LayerDescriptions), in order
    too_wide : list of str, "name (n values)" (in the current language) for layers with more than
        MAX_FEATURES values
    """
    chosen, too_wide = [], []
    after_representing = False  # the previous layer made a representation we kept
    for layer in model.layers:
        kind, shape = _kind_and_shape(layer)
        if kind in ACTIVATION_LAYERS and after_representing:
            chosen[-1] = layer
        elif kind in REPRESENTING_LAYERS:
            size = int(np.prod(shape))
            after_representing = size <= MAX_FEATURES
            if after_representing:
                chosen.append(layer)
            else:
                too_wide.append(tr("{name} ({n} values)").format(name=layer.name, n=integer(size)))
        elif kind not in ("Dropout", "Identity"):  # these change nothing once training is over
            after_representing = False
    return chosen, too_wide


def layer_representations(model, images: np.ndarray, weights: list | None = None) -> list[Representation]:
    """Every digit of ``images`` as the pixels and as each representing layer's output.

    Parameters
    ----------
    model : keras.Model
        A trained MNIST model (Dense or convnet).
    images : array of shape (n_digits, 28, 28) or (n_digits, 784), pixels 0-255
    weights : list of arrays, optional
        Weights shaped as ``model.get_weights()`` (one snapshot of a weight history) to use instead
        of the model's own; the model itself is not changed.

    Returns
    -------
    list of Representation
        First the pixels scaled to 0-1, then one per layer of ``representation_layers(model)``;
        the last is the output layer (the probabilities).
    """
    import keras

    from mnist_core.engine.models import to_model_inputs

    images = np.asarray(images)
    if weights is not None:
        expected = [w.shape for w in model.get_weights()]
        if [np.shape(w) for w in weights] != expected:
            raise ValueError(f"these weights do not fit the model: it needs arrays shaped {expected}")
        copy = keras.models.clone_model(model)
        copy.set_weights(weights)
        model = copy
    layers, _ = representation_layers(model)
    upto = keras.Model(model.inputs[0], [layer.output for layer in layers])
    inputs = to_model_inputs(model, images)
    parts = [[] for _ in layers]
    for start in range(0, len(inputs), BATCH):
        outputs = upto(inputs[start : start + BATCH], training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        for part, output in zip(parts, outputs):
            output = np.asarray(output, dtype=np.float32)
            part.append(output.reshape(len(output), -1))
    found = [Representation("pixels", "Input", (images[0].size,), as_unit_vectors(images))]
    for layer, part in zip(layers, parts):
        shape = tuple(int(d) for d in layer.output.shape[1:])
        found.append(Representation(layer.name, type(layer).__name__, shape, np.concatenate(part)))
    return found


def knn_accuracy(features: np.ndarray, labels: np.ndarray, k: int = NEIGHBOURS) -> float:
    """How often the ``k`` nearest digits of the first half, by a majority vote, name a digit of the second half.

    Distances are Euclidean in the full layer space (not in a 2-D picture of it). A tie between
    classes goes to the smaller digit.

    Parameters
    ----------
    features : array of shape (n_digits, n_features); the first n_digits // 2 are the voters
    labels : int array of shape (n_digits,)
    k : int, at least 1 and at most n_digits // 2

    Returns
    -------
    float in 0-1: the share of the second half classified right
    """
    features = np.asarray(features, dtype=np.float64)
    labels = np.asarray(labels)
    half = len(features) // 2
    if not 1 <= k <= half:
        raise ValueError(f"k must be between 1 and half the digits ({half}), got {k}")
    nearest, _ = nearest_neighbours(features[half:], features[:half], k, chunk=max(half, 1))
    votes = np.zeros((len(nearest), int(labels.max()) + 1), dtype=np.int64)
    np.add.at(votes, (np.arange(len(nearest))[:, None], labels[:half][nearest]), 1)
    return float((votes.argmax(axis=1) == labels[half:]).mean())


@dataclass(frozen=True)
class LayerMap:
    """One layer's digits flattened to 2-D, and how well its classes are separated.

    Attributes
    ----------
    name, kind, shape : as in Representation
    pca : PcaResult
        ``coordinates`` of shape (n_digits, 2); ``components`` and ``mean`` place another digit on the map.
    knn_accuracy : float
        ``knn_accuracy`` in the layer's full space.
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    pca: PcaResult
    knn_accuracy: float

    @property
    def coordinates(self) -> np.ndarray:
        return self.pca.coordinates

    def place(self, values: np.ndarray) -> np.ndarray:
        """Where vectors of this layer (shape (n, n_features)) fall on the map: shape (n, 2)."""
        return (np.asarray(values, dtype=np.float64) - self.pca.mean) @ self.pca.components.T


def layer_maps(representations: list[Representation], labels: np.ndarray) -> list[LayerMap]:
    """PCA to 2-D and the k-nearest-neighbour accuracy of every representation."""
    return [
        LayerMap(
            r.name, r.kind, r.shape, pca_of_vectors(r.values, 2), knn_accuracy(r.values, np.asarray(labels))
        )
        for r in representations
    ]


def uncrumpling(model, images: np.ndarray, labels: np.ndarray, weights: list | None = None) -> list[LayerMap]:
    """``layer_maps(layer_representations(model, images, weights), labels)``: the whole view, one call.

    Parameters
    ----------
    model : keras.Model
    images : array of shape (n_digits, 28, 28), pixels 0-255
    labels : int array of shape (n_digits,)
    weights : one snapshot of a weight history, optional (see ``layer_representations``)
    """
    return layer_maps(layer_representations(model, images, weights), labels)


def sample_digits(size: int = SAMPLE, seed: int = SAMPLE_SEED) -> tuple[np.ndarray, np.ndarray]:
    """The page's test digits, the same for every model and epoch: (images (size, 28, 28), labels)."""
    from mnist_core.data.mnist import load_mnist

    _, (x_test, y_test) = load_mnist()
    indices = subset_indices(len(y_test), size, seed)
    return x_test[indices], y_test[indices]


def sample_uncrumpling(model, weights: list | None = None) -> list[LayerMap]:
    """``uncrumpling`` of the page's ``sample_digits``: a job, ``on_model(sample_uncrumpling, ref)``."""
    return uncrumpling(model, *sample_digits(), weights)


def history_uncrumpling(model, history: list) -> list[list[LayerMap]]:
    """``sample_uncrumpling`` at every snapshot of a weight history (before training, after each epoch).

    One job for the whole epoch-by-epoch chart: the digits are read once, the model travels once.
    """
    images, labels = sample_digits()
    return [uncrumpling(model, images, labels, weights) for weights in history]


def tsne_maps(
    model, images: np.ndarray, seed: int = 0, on_progress: Callable[[float, str], None] | None = None
) -> dict[str, np.ndarray]:
    """A t-SNE map of the digits in every layer: ``{name: coordinates of shape (n_digits, 2)}``.

    Parameters
    ----------
    model : keras.Model
    images : array of shape (n_digits, 28, 28), pixels 0-255
    seed : int
    on_progress : callable, optional
        ``on_progress(fraction of all layers, message)``; raise in it to stop. The messages are in the
        current language: run it in ``i18n.in_language`` off the page.
    """
    found = layer_representations(model, images)
    maps = {}
    for done, representation in enumerate(found):

        def layer_progress(fraction: float, message: str, done=done, name=representation.name) -> None:
            if on_progress is not None:
                on_progress(
                    (done + fraction) / len(found),
                    tr("Layer {number} of {count} ({name}): {message}").format(
                        number=done + 1, count=len(found), name=name, message=message
                    ),
                )

        maps[representation.name] = tsne_of_vectors(
            representation.values, seed=seed, on_progress=layer_progress
        )
    return maps


def tsne_of_sample(model, control) -> dict[str, np.ndarray]:
    """``tsne_maps`` of the drawn half of ``sample_digits``: a long job that reports and honours stop.

    Run it as ``ModelCall(tsne_of_sample, ref, pass_control=True)``.
    """

    def on_progress(fraction: float, message: str) -> None:
        control.checkpoint()
        control.report(fraction, message)

    images, _ = sample_digits()
    return tsne_maps(model, images[DRAWN], SAMPLE_SEED, on_progress)


# --- One image's tensors through the network ---


@dataclass(frozen=True)
class LayerTensor:
    """One layer's output for one image: the tensor, batch axis included."""

    name: str
    kind: str
    values: np.ndarray  # e.g. (1, 26, 26, 32) after a Conv2D

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    @property
    def size(self) -> int:
        return int(self.values.size)

    def maps(self) -> np.ndarray:
        """The channels of a 4-D tensor as images: shape (channels, height, width)."""
        if self.values.ndim != 4:
            raise ValueError(f"{self.name}'s output has shape {self.shape}: it holds no 2-D feature maps")
        return np.ascontiguousarray(np.moveaxis(self.values[0], -1, 0))


def tensor_shapes(model, image: np.ndarray) -> list[LayerTensor]:
    """Run one image through ``model`` and keep every layer's output, in order.

    Parameters
    ----------
    model : keras.Model
    image : array of shape (28, 28), pixels 0-255

    Returns
    -------
    list of LayerTensor
        The input first (as the model receives it, batch of 1), then each layer of ``model.layers``.
    """
    import keras

    from mnist_core.engine.models import to_model_inputs

    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    upto = keras.Model(model.inputs[0], [layer.output for layer in layers])
    inputs = to_model_inputs(model, np.asarray(image)[None])
    outputs = upto(inputs, training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    found = [LayerTensor("input", "Input", inputs)]
    for layer, output in zip(layers, outputs):
        found.append(LayerTensor(layer.name, type(layer).__name__, np.asarray(output, dtype=np.float32)))
    return found
