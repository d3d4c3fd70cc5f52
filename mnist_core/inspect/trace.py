"""Follow one input through a trained network, number by number (lessons 3 and 7).

A Dense layer computes y = activation(dot(x, w) + b). ``trace_dense`` redoes
that computation in NumPy with the model's own weights, layer by layer, and
keeps every intermediate vector, so a page can show the products w_i * x_i
for one unit, their sum, the bias, the activation and the softmax, and every
number is the one Keras computes (the tests compare with ``model.predict``).

The server traces without Keras: a worker sends the model's ``TracePlan`` (its layers' settings)
and ``ModelDescription`` (its weights) once, and ``trace_described`` does the arithmetic in NumPy.
The functions that read only weights take a keras.Model or its description.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mnist_core.data.mnist import IMAGE_SIDE, N_PIXELS
from mnist_core.jobs.model_jobs import ModelDescription, describe_model


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax along the last axis; subtracting the largest value first keeps ``exp`` from overflowing."""
    exponentials = np.exp(z - z.max(axis=-1, keepdims=True))
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # exp(-z) overflowing to inf gives the right 0
        return 1.0 / (1.0 + np.exp(-z))


ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": softmax,
}  # each as Keras computes it, in the dtype it is given
PASS_THROUGH_LAYERS = ("InputLayer", "Dropout", "Identity")  # Dropout does nothing once training is over
ACTIVATION_LAYERS = (
    "Activation",
    "ReLU",
    "Softmax",
    "LeakyReLU",
    "ELU",
    "PReLU",
)  # folded into the Dense before
TRACEABLE_LAYERS = (*PASS_THROUGH_LAYERS, "Rescaling", "Flatten", "Dense", *ACTIVATION_LAYERS)


@dataclass(frozen=True)
class DenseStep:
    """One Dense layer of a trace: y = activation(x @ weights + bias).

    Attributes
    ----------
    name : str
    inputs : ndarray of shape (n_in,)
    weights : ndarray of shape (n_in, n_out)
    bias : ndarray of shape (n_out,)
    pre_activation : ndarray of shape (n_out,)
        x @ weights + bias, before the activation (the logits for the output layer).
    activation : str
    outputs : ndarray of shape (n_out,)
    """

    name: str
    inputs: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    pre_activation: np.ndarray
    activation: str
    outputs: np.ndarray

    @property
    def units(self) -> int:
        return len(self.bias)


@dataclass(frozen=True)
class UnitStep:
    """How one unit turns its inputs into its output."""

    layer: str
    unit: int
    inputs: np.ndarray  # (n_in,) x_i
    weights: np.ndarray  # (n_in,) w_i
    products: np.ndarray  # (n_in,) w_i * x_i
    total: float  # sum of the products: dot(w, x)
    bias: float
    pre_activation: float  # total + bias
    activation: str
    output: float


@dataclass(frozen=True)
class DenseTrace:
    """One input's way through a Dense network.

    Attributes
    ----------
    pixels : ndarray of shape (784,)
        The raw 0-255 pixel values of the input.
    scale : float or None
        The factor the model's Rescaling layer applies (1/255), None if it has none.
    steps : list of DenseStep
        The hidden layers, then the output layer.
    """

    pixels: np.ndarray
    scale: float | None
    steps: list[DenseStep]

    @property
    def hidden(self) -> list[DenseStep]:
        return self.steps[:-1]

    @property
    def output(self) -> DenseStep:
        return self.steps[-1]

    @property
    def logits(self) -> np.ndarray:
        """The output layer's pre-activation: the scores softmax turns into probabilities."""
        return self.output.pre_activation

    @property
    def probabilities(self) -> np.ndarray:
        return self.output.outputs

    def unit(self, layer_index: int, unit: int) -> UnitStep:
        """The products, sum, bias and activation of ``unit`` in ``steps[layer_index]``."""
        step = self.steps[layer_index]
        if not 0 <= unit < step.units:
            raise ValueError(f"{step.name} has units 0 to {step.units - 1}, got {unit}")
        weights = step.weights[:, unit]
        products = weights * step.inputs
        total = float(products.sum())
        pre_activation = total + float(step.bias[unit])
        return UnitStep(
            layer=step.name,
            unit=unit,
            inputs=step.inputs,
            weights=weights,
            products=products,
            total=total,
            bias=float(step.bias[unit]),
            pre_activation=pre_activation,
            activation=step.activation,
            output=float(step.outputs[unit]),
        )


def _activation_name(layer) -> str:
    """The activation's name: 'relu', 'elu', ... or, for an activation layer, its kind ('leaky_relu')."""
    kind = type(layer).__name__
    if kind == "Dense" or kind == "Activation":
        activation = getattr(layer, "activation", None)
        return getattr(activation, "__name__", None) or type(activation).__name__
    return {"ReLU": "relu", "Softmax": "softmax", "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu"}[
        kind
    ]


def _keras_activation(layer, z: np.ndarray) -> np.ndarray:
    """Keras's own activation of ``layer`` on the numbers ``z``: any activation a model can use."""
    import keras

    function = layer.activation if type(layer).__name__ in ("Dense", "Activation") else layer
    output = function(keras.ops.convert_to_tensor(z[None].astype(np.float32)))
    return np.asarray(keras.ops.convert_to_numpy(output), dtype=np.float64)[0]


def _plain_relu(layer) -> bool:
    """A ReLU layer without a slope, a cap or a threshold: max(z, 0)."""
    return not (getattr(layer, "negative_slope", 0) or getattr(layer, "threshold", 0)) and (
        getattr(layer, "max_value", None) is None
    )


def _described(model) -> ModelDescription:
    """``model`` as plain data: a ``ModelDescription`` as it is, a ``keras.Model`` described."""
    return model if isinstance(model, ModelDescription) else describe_model(model)


def is_dense_network(model) -> bool:
    """True when ``model`` (a keras.Model or its ModelDescription) is only Dense layers (plus scaling,
    flattening and dropout)."""
    try:
        _check_traceable(_described(model))
    except ValueError:
        return False
    return True


def untraceable_layers(model) -> list[str]:
    """The layers the number-by-number trace cannot follow, as 'name (Kind)'; empty for a Dense network.

    ``model`` is a keras.Model or its ModelDescription.
    """
    return [
        f"{layer.name} ({layer.kind})"
        for layer in _described(model).layers
        if layer.kind not in TRACEABLE_LAYERS
    ]


def _check_traceable(description: ModelDescription) -> None:
    unknown = untraceable_layers(description)
    if unknown:
        raise ValueError(
            f"the number-by-number trace follows Dense layers only, and cannot follow {', '.join(unknown)}. "
            "Pick the first network, or a run you trained without Conv2D."
        )
    if not any(layer.kind == "Dense" for layer in description.layers):
        raise ValueError("this model has no Dense layer to trace")


@dataclass(frozen=True)
class TraceLayer:
    """What the trace needs of one layer beyond its weights, as plain data.

    Attributes
    ----------
    name, kind : str
    activation : str or None
        For a Dense, Activation or activation layer: 'relu', 'softmax', 'leaky_relu', ...
    numpy_exact : bool
        True when NumPy computes this layer as Keras does (``ACTIVATIONS``); False for an activation
        only Keras's own function computes (elu, gelu, a ReLU with a slope, ...).
    scale, offset : float or None
        A Rescaling layer's x * scale + offset.
    """

    name: str
    kind: str
    activation: str | None = None
    numpy_exact: bool = True
    scale: float | None = None
    offset: float | None = None


@dataclass(frozen=True)
class TracePlan:
    """How to trace a model in NumPy: its layers' settings, and whether it takes raw 0-255 pixels.

    With the weights of a ``ModelDescription`` it traces a digit without Keras (``trace_described``).
    """

    layers: tuple[TraceLayer, ...]
    raw_pixels: bool

    @property
    def numpy_only(self) -> bool:
        """True when every number of the trace can be computed in NumPy, with no Keras at all."""
        return all(layer.numpy_exact for layer in self.layers)


def trace_plan(model) -> TracePlan:
    """The ``TracePlan`` of a keras.Model (run it where Keras is: ``on_model(trace_plan, ref)``)."""
    from mnist_core.engine.models import expects_raw_pixels

    layers = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Rescaling":
            layers.append(
                TraceLayer(
                    layer.name,
                    kind,
                    scale=float(np.asarray(layer.scale)),
                    offset=float(np.asarray(layer.offset)),
                )
            )
        elif kind == "Dense" or kind in ACTIVATION_LAYERS:
            name = _activation_name(layer)
            plain = kind in ("Dense", "Activation", "Softmax") or (kind == "ReLU" and _plain_relu(layer))
            layers.append(TraceLayer(layer.name, kind, name, numpy_exact=plain and name in ACTIVATIONS))
        else:
            layers.append(TraceLayer(layer.name, kind))
    return TracePlan(tuple(layers), expects_raw_pixels(model))


def dense_forward(
    weights: list[np.ndarray],
    inputs: np.ndarray | None,
    activations: list[str],
    first_pre_activation: np.ndarray | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The forward pass of a stack of Dense layers in NumPy, in the dtype of its arrays.

    Parameters
    ----------
    weights : list of ndarray
        As ``model.get_weights()`` gives them for Dense layers: kernel (fan_in, units), bias (units,), ...
    inputs : array of shape (n, fan_in) or (fan_in,)
        What the first Dense layer receives (already rescaled and flattened).
    activations : list of str
        One name of ``ACTIVATIONS`` per Dense layer ("linear" for the last keeps the logits alone).
    first_pre_activation : array of shape (n, units of the first layer), optional
        The first layer's ``inputs @ kernel + bias`` when the caller has it already (the loss surface
        gets it as a sum of precomputed planes); ``inputs`` is then not read.

    Returns
    -------
    list of (z, a) per Dense layer
        z = a_before @ kernel + bias, a = activation(z); the last a is the network's output.
    """
    kernels, biases = weights[0::2], weights[1::2]
    if not len(kernels) == len(biases) == len(activations):
        raise ValueError(f"{len(activations)} activations for {len(kernels)} Dense layers")
    a = inputs
    steps = []
    for number, (kernel, bias, activation) in enumerate(zip(kernels, biases, activations)):
        z = first_pre_activation if number == 0 and first_pre_activation is not None else a @ kernel + bias
        a = ACTIVATIONS[activation](z)
        steps.append((z, a))
    return steps


def _trace(
    plan: TracePlan,
    weights: dict[str, tuple],
    image: np.ndarray,
    activate: Callable[[int, np.ndarray], np.ndarray],
) -> DenseTrace:
    """The trace of ``image``: ``weights`` by Dense layer name, ``activate(layer index, z)`` per activation."""
    pixels = np.asarray(image, dtype=np.float64).reshape(-1)
    if pixels.size != N_PIXELS:
        raise ValueError(f"an MNIST image has {N_PIXELS} pixels, got {pixels.size}")
    x = pixels if plan.raw_pixels else pixels / 255.0
    scale = None
    steps: list[DenseStep] = []
    for index, layer in enumerate(plan.layers):
        if layer.kind in PASS_THROUGH_LAYERS:
            continue
        if layer.kind == "Rescaling":
            scale = layer.scale
            x = x * scale + layer.offset
        elif layer.kind == "Flatten":
            x = x.reshape(-1)
        elif layer.kind == "Dense":
            kernel, bias = (np.asarray(w, dtype=np.float64) for w in weights[layer.name])
            z = x @ kernel + bias
            steps.append(DenseStep(layer.name, x, kernel, bias, z, layer.activation, activate(index, z)))
            x = steps[-1].outputs
        else:  # a separate activation layer: fold it into the Dense layer before it
            if not steps:
                raise ValueError(f"layer {layer.name} comes before any Dense layer: cannot trace it")
            last = steps[-1]
            steps[-1] = DenseStep(
                last.name,
                last.inputs,
                last.weights,
                last.bias,
                last.pre_activation,
                layer.activation,
                activate(index, x),
            )
            x = steps[-1].outputs
    return DenseTrace(pixels=pixels, scale=scale, steps=steps)


def trace_dense(model, image: np.ndarray) -> DenseTrace:
    """Recompute ``model``'s forward pass for one image in NumPy, keeping every step.

    Parameters
    ----------
    model : keras.Model
        Dense layers, optionally with Rescaling, Flatten, Dropout and Activation layers. An
        activation NumPy does not spell out (elu, gelu, ...) is Keras's own function on the numbers.
    image : array-like of shape (28, 28) or (784,), values 0-255

    Returns
    -------
    DenseTrace
        ``trace.probabilities`` equals ``model.predict`` for the same input to
        about 1e-6.
    """
    _check_traceable(describe_model(model))
    plan = trace_plan(model)

    def activate(index: int, z: np.ndarray) -> np.ndarray:
        if plan.layers[index].numpy_exact:
            return ACTIVATIONS[plan.layers[index].activation](z)
        return _keras_activation(model.layers[index], z)

    weights = {layer.name: layer.get_weights() for layer in model.layers if type(layer).__name__ == "Dense"}
    return _trace(plan, weights, image, activate)


def trace_described(plan: TracePlan, description: ModelDescription, image: np.ndarray) -> DenseTrace:
    """``trace_dense`` without Keras: the model's ``trace_plan`` and the weights of its description.

    The server traces a digit with it in NumPy alone, from what the workers sent once per model.

    Raises
    ------
    ValueError
        When the model is not a Dense network, or an activation needs Keras (``plan.numpy_only`` is
        False: trace it where Keras is, ``on_model(trace_dense, ref, image)``).
    """
    _check_traceable(description)
    if not plan.numpy_only:
        raise ValueError("this model has an activation only Keras computes: trace it with trace_dense")
    weights = {layer.name: layer.weights for layer in description.layers if layer.kind == "Dense"}
    return _trace(plan, weights, image, lambda index, z: ACTIVATIONS[plan.layers[index].activation](z))


@dataclass(frozen=True)
class SoftmaxSteps:
    """Softmax done by hand, each step kept: divide by T, subtract the max, exponentiate, divide by the sum.

    All arrays have shape (10,).
    """

    logits: np.ndarray
    temperature: float
    tempered: np.ndarray  # logits / T
    shifted: np.ndarray  # tempered - max(tempered): the largest becomes 0, so exp never overflows
    exponentials: np.ndarray  # exp(shifted), each between 0 and 1
    total: float  # sum of the exponentials
    probabilities: np.ndarray  # exponentials / total: positive, summing to 1


def softmax_steps(logits: np.ndarray, temperature: float = 1.0) -> SoftmaxSteps:
    """Softmax of ``logits / temperature``, step by step.

    A temperature above 1 flattens the probabilities, below 1 sharpens them;
    the argmax never changes. At 1 it is the model's own softmax.
    """
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a number above 0, got {temperature}")
    logits = np.asarray(logits, dtype=np.float64)
    tempered = logits / temperature
    shifted = tempered - tempered.max()
    exponentials = np.exp(shifted)
    total = float(exponentials.sum())
    return SoftmaxSteps(
        logits, float(temperature), tempered, shifted, exponentials, total, exponentials / total
    )


# --- What the weights look like ---


def first_dense_layer(model):
    """The first Dense layer (a ``LayerDescription``) of ``model``, the one that reads the 784 pixels.

    ``model`` is a keras.Model or its ModelDescription, here and in the functions below that read
    only weights: the server calls them with the description a worker sent, without Keras.
    """
    for layer in _described(model).layers:
        if layer.kind == "Dense":
            return layer
    raise ValueError("this model has no Dense layer")


def first_layer_weight_images(model) -> np.ndarray:
    """Each first-layer unit's 784 weights wrapped into a 28 x 28 image: what the unit 'looks for'.

    Returns
    -------
    ndarray of shape (units, 28, 28), float32
        Positive weights: pixels whose ink raises the unit's output; negative: lowers it.
    """
    weights = first_dense_layer(model).weights[0]
    if weights.shape[0] != N_PIXELS:
        raise ValueError(
            f"the first Dense layer reads {weights.shape[0]} values, not the 784 pixels: "
            "its weights are not images"
        )
    return np.ascontiguousarray(weights.T.reshape(-1, IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32)


@dataclass(frozen=True)
class LayerWeights:
    """One layer's learned parameters, flattened for a histogram."""

    name: str
    kind: str
    shape: tuple[int, ...]
    weights: np.ndarray  # (n,) every weight of the layer's kernel
    biases: np.ndarray  # (units,)


def layer_weights(model) -> list[LayerWeights]:
    """The kernel and bias of every Dense and Conv2D layer, in order."""
    found = []
    for layer in _described(model).layers:
        if layer.kind in ("Dense", "Conv2D"):
            kernel, bias = layer.weights[:2]
            found.append(
                LayerWeights(layer.name, layer.kind, tuple(kernel.shape), kernel.reshape(-1), bias.copy())
            )
    return found


def conv_layer(model):
    """The first Conv2D layer (a ``LayerDescription``) of ``model``, or None."""
    return next((layer for layer in _described(model).layers if layer.kind == "Conv2D"), None)


def conv_filters(model) -> np.ndarray:
    """The first Conv2D layer's filters for a one-channel image.

    Returns
    -------
    ndarray of shape (filters, height, width), float32; (32, 3, 3) for the lessons' convnet
    """
    layer = conv_layer(model)
    if layer is None:
        raise ValueError("this model has no Conv2D layer: pick a convnet to see filters")
    kernel = layer.weights[0]  # (height, width, channels in, filters)
    if kernel.shape[2] != 1:
        raise ValueError(f"filters over {kernel.shape[2]} input channels cannot be drawn as one image")
    return np.ascontiguousarray(np.moveaxis(kernel[:, :, 0, :], -1, 0), dtype=np.float32)


def feature_maps(model, image: np.ndarray) -> np.ndarray:
    """The first Conv2D layer's output for one image: one map per filter, after its activation.

    Parameters
    ----------
    image : array-like of shape (28, 28), values 0-255

    Returns
    -------
    ndarray of shape (filters, 26, 26), float32 for 3 x 3 filters with 'valid' padding
    """
    import keras

    from mnist_core.engine.models import to_model_inputs

    layer = next((layer for layer in model.layers if type(layer).__name__ == "Conv2D"), None)
    if layer is None:
        raise ValueError("this model has no Conv2D layer: pick a convnet to see feature maps")
    # A sub-model that stops at the convolution: the numbers are Keras's own.
    upto_conv = keras.Model(model.inputs[0], layer.output)
    output = np.asarray(upto_conv(to_model_inputs(model, np.asarray(image)[None]), training=False))
    return np.ascontiguousarray(np.moveaxis(output[0], -1, 0), dtype=np.float32)


@dataclass(frozen=True)
class KerasOutputs:
    """What Keras itself computes for one digit: what the trace page compares with and shows.

    Attributes
    ----------
    probabilities : ndarray of shape (10,), float32
        ``predict_probabilities`` of the model.
    feature_maps : ndarray of shape (filters, height, width), float32, or None
        The first Conv2D layer's maps (``feature_maps``), for a convnet only.
    """

    probabilities: np.ndarray
    feature_maps: np.ndarray | None


def keras_outputs(model, image: np.ndarray) -> KerasOutputs:
    """One digit through a keras.Model: its probabilities and, for a convnet, its feature maps.

    One worker call (``on_model(keras_outputs, ref, image)``) answers all a new digit needs.
    """
    from mnist_core.inspect.evaluation import predict_probabilities

    probabilities = predict_probabilities(model, np.asarray(image)[None])[0]
    has_conv = any(type(layer).__name__ == "Conv2D" for layer in model.layers)
    return KerasOutputs(probabilities, feature_maps(model, image) if has_conv else None)
