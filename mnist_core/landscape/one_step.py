"""One batch by numbers: the forward pass, the loss, one weight's gradient and its optimizer update.

The network is the student's own spec with its initial weights: built exactly as the training
engine builds it for the same seed, so this is the first gradient update of that run (on a batch
the student picks). Dropout is off here, so every number can be followed by hand; during fit it
drops a share of units at each update.

For a dense network the gradient is also computed by hand, in NumPy (float64): backpropagation,
layer by layer, which a test checks against ``tf.GradientTape`` and a finite difference. The
update is computed by the optimizer's formula and checked against what the Keras optimizer
really applied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mnist_core.engine.spec import ModelSpec
from mnist_core.inspect import trace

LOSS_EPSILON = 1e-7  # Keras clips probabilities to [1e-7, 1 - 1e-7] before the log
# Keras 3's defaults for the optimizers the app builds (make_optimizer passes only the learning rate)
HYPERPARAMETERS = {
    "sgd": {},
    "rmsprop": {"rho": 0.9, "epsilon": 1e-7},
    "adam": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}
UPDATE_FORMULAS = {  # LaTeX, in Keras's own form, for the first step (t = 1, m = v = 0 before it)
    "sgd": [r"w \leftarrow w - \eta\,g"],
    "rmsprop": [r"v \leftarrow \rho\,v + (1-\rho)\,g^2", r"w \leftarrow w - \frac{\eta\,g}{\sqrt{v + \epsilon}}"],
    "adam": [
        r"m \leftarrow \beta_1 m + (1-\beta_1)\,g",
        r"v \leftarrow \beta_2 v + (1-\beta_2)\,g^2",
        r"\hat\eta = \eta\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}",
        r"w \leftarrow w - \frac{\hat\eta\, m}{\sqrt{v}+\epsilon}",
    ],
}  # fmt: skip


def initial_model(spec: ModelSpec, seed: int):
    """``spec``'s network with the initial weights the training engine gives it for ``seed``.

    No process-wide random state is touched, so a run training in another thread keeps its own.
    """
    from mnist_core.engine.models import build_model

    return build_model(spec, initial_seed=seed)


@dataclass(frozen=True)
class WeightChoice:
    """One weight: the Dense (or Conv2D) layer and its index in that layer's kernel."""

    layer: int  # 0 = the first layer with weights
    index: tuple[int, ...]  # (input, unit) for a Dense kernel; (row, col, channel, filter) for Conv2D


def weighted_layers(model) -> list:
    """The model's layers that hold a kernel, in order (Dense and Conv2D)."""
    return [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]


@dataclass(frozen=True)
class UpdateStep:
    """The optimizer's update of one weight, number by number."""

    optimizer: str
    learning_rate: float
    hyperparameters: dict
    gradient: float
    lines: list[tuple[str, float]]  # (what, value): the intermediate numbers of the formula
    after_formula: float


def optimizer_update(optimizer: str, learning_rate: float, weight: float, gradient: float) -> UpdateStep:
    """The first update (t = 1, no history) of one weight by ``optimizer``'s formula, in float32 as Keras does."""
    f = np.float32
    lr, w, g = f(learning_rate), f(weight), f(gradient)
    params = HYPERPARAMETERS[optimizer]
    lines: list[tuple[str, float]] = []
    if optimizer == "sgd":
        step = lr * g
        lines.append(("η · g", float(step)))
    elif optimizer == "rmsprop":
        # Keras takes 1 - rho in Python (float64), then multiplies in float32: so does this.
        rho, eps = f(params["rho"]), f(params["epsilon"])
        v = rho * f(0) + f(1 - params["rho"]) * g * g
        step = lr * g / np.sqrt(v + eps)
        lines += [("v = (1 - ρ) g²", float(v)), ("η g / √(v + ε)", float(step))]
    elif optimizer == "adam":
        beta_1, beta_2, eps = f(params["beta_1"]), f(params["beta_2"]), f(params["epsilon"])
        # As Keras: 1 - beta in Python for m and v, but beta ** t in float32 for the corrected rate.
        m = f(0) + (g - f(0)) * f(1 - params["beta_1"])
        v = f(0) + (g * g - f(0)) * f(1 - params["beta_2"])
        alpha = lr * np.sqrt(f(1) - beta_2) / (f(1) - beta_1)
        step = m * alpha / (np.sqrt(v) + eps)
        lines += [
            ("m = (1 - β₁) g", float(m)),
            ("v = (1 - β₂) g²", float(v)),
            ("η̂ = η √(1 - β₂) / (1 - β₁)", float(alpha)),
            ("η̂ m / (√v + ε)", float(step)),
        ]
    else:
        raise ValueError(f"optimizer must be one of {tuple(HYPERPARAMETERS)}, got {optimizer!r}")
    return UpdateStep(optimizer, learning_rate, dict(params), float(g), lines, float(w - step))


@dataclass(frozen=True)
class OneStep:
    """One gradient update of the student's network on a small batch, every number kept."""

    labels: np.ndarray  # (n,) the batch's true digits
    probabilities: np.ndarray  # (n, 10) the softmax outputs, from Keras
    losses: np.ndarray  # (n,) -log(probability of the true class), from the logits as Keras does
    loss: float  # their mean: the batch's categorical cross-entropy, as Keras computes it
    layer_name: str
    weight: WeightChoice
    before: float
    gradient: float  # from tf.GradientTape
    hand_gradient: float | None  # by backpropagation in NumPy (dense networks only)
    terms: (
        np.ndarray | None
    )  # (n, 2): for each image, the input a_i into the weight and the error δ_j at its unit
    update: UpdateStep
    after: float  # what the Keras optimizer left in the weight
    unit_before: np.ndarray  # the chosen unit's incoming weights, flattened
    unit_after: np.ndarray
    unit_gradient: np.ndarray
    input_gradients: np.ndarray  # (units,) the gradient of the weight from the same input to every unit
    changed_weights: int  # how many of all the network's weights the step changed
    total_weights: int


def _activation_slope(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "sigmoid":
        return a * (1.0 - a)
    return 1.0 - a * a


def dense_forward(weights: list[np.ndarray], inputs: np.ndarray, activation: str) -> list[tuple]:
    """The forward pass of a dense network in float64: ``[(z, a), ...]`` per layer, the last a = softmax."""
    weights = [np.asarray(w, np.float64) for w in weights]
    activations = [activation] * (len(weights) // 2 - 1) + ["softmax"]
    return trace.dense_forward(weights, np.asarray(inputs, dtype=np.float64), activations)


def dense_loss(weights: list[np.ndarray], inputs: np.ndarray, labels: np.ndarray, activation: str) -> float:
    """Mean categorical cross-entropy of a dense network, in float64, from the logits (log-softmax)."""
    logits = dense_forward(weights, inputs, activation)[-1][0]
    top = logits.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    return float((log_sum - logits[np.arange(len(labels)), labels]).mean())


def dense_backprop(
    weights: list[np.ndarray],
    inputs: np.ndarray,
    labels: np.ndarray,
    activation: str,
    kernel_gradients: bool = True,
) -> tuple[list[np.ndarray] | None, list[np.ndarray], list[np.ndarray]]:
    """Backpropagation by hand: the gradient of the mean cross-entropy for every kernel.

    Returns
    -------
    kernel_gradients : list of arrays shaped as the kernels (None unless ``kernel_gradients``: for one
        weight, ``layer_inputs[l][:, i] @ deltas[l][:, j]`` is enough and much cheaper on a wide network)
    layer_inputs : list of (n, fan_in) arrays, the input a of each layer
    deltas : list of (n, units) arrays, dLoss/dz of each layer (already divided by n)
    """
    inputs = np.asarray(inputs, dtype=np.float64)
    forward = dense_forward(weights, inputs, activation)
    n = len(labels)
    targets = np.zeros((n, forward[-1][1].shape[1]))
    targets[np.arange(n), labels] = 1.0
    kernels = [np.asarray(k, np.float64) for k in weights[0::2]]
    layer_inputs = [inputs] + [a for _, a in forward[:-1]]
    delta = (forward[-1][1] - targets) / n  # softmax + cross-entropy: dLoss/dz = (p - y) / n
    deltas = [delta]
    for layer in range(len(kernels) - 1, 0, -1):
        z, a = forward[layer - 1]
        delta = (delta @ kernels[layer].T) * _activation_slope(activation, z, a)
        deltas.insert(0, delta)
    gradients = [x.T @ d for x, d in zip(layer_inputs, deltas)] if kernel_gradients else None
    return gradients, layer_inputs, deltas


def one_step(
    spec: ModelSpec, seed: int, images: np.ndarray, labels: np.ndarray, weight: WeightChoice
) -> OneStep:
    """Forward pass, loss, gradients (tf.GradientTape) and one optimizer update of ``spec``'s initial network.

    Parameters
    ----------
    spec : ModelSpec
    seed : int
        The training seed: the initial weights are the ones ``train`` starts from.
    images : uint8 array of shape (n, 28, 28)
    labels : int array of shape (n,)
    weight : WeightChoice
        The weight whose gradient and update are followed.

    Raises
    ------
    ValueError
        When ``weight`` is not a weight of this network.
    """
    import keras
    import tensorflow as tf

    from mnist_core.engine.models import to_model_inputs

    model = initial_model(spec, seed)
    layers = weighted_layers(model)
    if not 0 <= weight.layer < len(layers):
        raise ValueError(f"this network has {len(layers)} layers with weights, not {weight.layer + 1}")
    layer = layers[weight.layer]
    kernel_shape = tuple(layer.kernel.shape)
    if len(weight.index) != len(kernel_shape) or not all(
        0 <= i < s for i, s in zip(weight.index, kernel_shape)
    ):
        raise ValueError(
            f"{layer.name}'s kernel has shape {kernel_shape}; index {weight.index} is outside it"
        )
    labels = np.asarray(labels, dtype=np.int64)
    x = to_model_inputs(model, images)
    y = keras.utils.to_categorical(labels, 10).astype(np.float32)
    weights_before = model.get_weights()
    with tf.GradientTape() as tape:
        probabilities = model(x, training=False)  # dropout off: see the module's docstring
        # Per image, as Keras computes it: from the softmax's logits, so a saturated softmax still has a gradient.
        losses = keras.losses.CategoricalCrossentropy(reduction=None)(y, probabilities)
        loss = keras.ops.mean(losses)
    variables = model.trainable_variables
    gradients = tape.gradient(loss, variables)
    kernel_position = next(i for i, v in enumerate(variables) if v is layer.kernel)
    kernel_gradient = gradients[kernel_position].numpy()
    before = float(layer.kernel.numpy()[weight.index])
    gradient = float(kernel_gradient[weight.index])
    model.optimizer.apply_gradients(zip(gradients, variables))
    after_kernel = layer.kernel.numpy()
    unit = weight.index[-1]
    hand_gradient = terms = None
    if spec.architecture == "dense":
        flat = x.reshape(len(x), -1) * (1 / 255 if spec.scale_inputs else 1.0)
        _, layer_inputs, deltas = dense_backprop(
            weights_before, flat, labels, spec.activation, kernel_gradients=False
        )
        hand_gradient = float(layer_inputs[weight.layer][:, weight.index[0]] @ deltas[weight.layer][:, unit])
        terms = np.stack(
            [layer_inputs[weight.layer][:, weight.index[0]], deltas[weight.layer][:, unit] * len(labels)],
            axis=1,
        )
    probabilities = probabilities.numpy()
    weights_after = model.get_weights()
    changed = sum(int((a != b).sum()) for a, b in zip(weights_before, weights_after))
    return OneStep(
        labels=labels,
        probabilities=probabilities,
        losses=np.asarray(losses, dtype=np.float64),
        loss=float(loss),
        layer_name=layer.name,
        weight=weight,
        before=before,
        gradient=gradient,
        hand_gradient=hand_gradient,
        terms=terms,
        update=optimizer_update(spec.optimizer, spec.learning_rate, before, gradient),
        after=float(after_kernel[weight.index]),
        unit_before=np.asarray(weights_before[2 * weight.layer])[..., unit].ravel(),
        unit_after=after_kernel[..., unit].ravel(),
        unit_gradient=kernel_gradient[..., unit].ravel(),
        input_gradients=kernel_gradient[weight.index[:-1]].ravel(),
        changed_weights=changed,
        total_weights=sum(int(w.size) for w in weights_before),
    )


def one_step_on_training_images(
    spec: ModelSpec, seed: int, first: int, size: int, weight: WeightChoice, control=None
) -> OneStep:
    """``one_step`` on the training images ``first`` to ``first + size``: a job for a worker process.

    The worker reads MNIST itself (``load_mnist`` is cached per process), so only these few
    numbers travel to it and a ``OneStep`` of plain arrays comes back: the page never imports Keras.
    Bind the arguments with ``functools.partial``; ``control`` is the job's (unused: a step is short).
    """
    from mnist_core.data.mnist import load_mnist

    (x_train, y_train), _ = load_mnist()
    return one_step(spec, seed, x_train[first : first + size], y_train[first : first + size], weight)


def cross_entropy(probability: float) -> float:
    """-ln(p): the loss when the network gives the true class probability ``p``."""
    return -math.log(min(max(probability, LOSS_EPSILON), 1 - LOSS_EPSILON))


def binary_cross_entropy(target: int, probability: float) -> float:
    """-(y ln p + (1 - y) ln(1 - p)) for two classes, p the probability of class 1."""
    p = min(max(probability, LOSS_EPSILON), 1 - LOSS_EPSILON)
    return -(target * math.log(p) + (1 - target) * math.log(1 - p))
