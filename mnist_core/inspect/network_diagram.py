"""What the network diagram shows: a sample of a dense network's weights, and a convnet's tensor shapes.

A dense network of 784 inputs and hundreds of units has far more edges than a screen has
pixels, so the diagram shows a fixed sample: 16 input pixels on a 4 x 4 lattice over the middle
of the image, and up to 16 evenly spaced units per hidden layer (all 10 outputs). The sample
depends only on the layer widths, so the same units are shown before training and after every
epoch, and the training engine can keep just these few hundred weights per epoch.

Nothing here imports Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnist_core.data.mnist import IMAGE_SIDE, N_CLASSES, N_PIXELS
from mnist_core.engine.spec import ModelSpec
from mnist_core.i18n import integer, tr

MAX_SHOWN_UNITS = 16  # per hidden layer: more nodes than this blur into a bar on a projector
INPUT_LATTICE = (6, 11, 16, 21)  # rows and columns of the shown pixels: the middle, where the ink is
SHOWN_PIXELS = np.array([IMAGE_SIDE * row + col for row in INPUT_LATTICE for col in INPUT_LATTICE])


def shown_units(width: int, limit: int = MAX_SHOWN_UNITS) -> np.ndarray:
    """Indices of the units shown for a layer of ``width`` units: all of them, or ``limit`` evenly spaced."""
    if width <= limit:
        return np.arange(width)
    return np.unique(np.linspace(0, width - 1, limit).round().astype(int))


@dataclass(frozen=True)
class DiagramWeights:
    """The shown part of a dense network: which units of each layer, and the weights between them.

    ``widths`` are the full layer widths, inputs first (784, 32, 10); ``shown[k]`` the indices of
    the units drawn for layer k; ``kernels[k]`` the weights from ``shown[k]`` to ``shown[k + 1]``,
    of shape (len(shown[k]), len(shown[k + 1])); ``biases[k]`` those of ``shown[k + 1]``.
    """

    widths: tuple[int, ...]
    shown: tuple[np.ndarray, ...]
    kernels: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]


def dense_widths(spec: ModelSpec) -> tuple[int, ...]:
    return (N_PIXELS, *spec.hidden_units, N_CLASSES)


def sample_dense_weights(weights: list[np.ndarray]) -> DiagramWeights:
    """The diagram's sample of a dense network's ``model.get_weights()``.

    Parameters
    ----------
    weights : list of arrays
        Kernel of shape (fan_in, units) then bias of shape (units,) for each Dense layer, in order,
        as ``model.get_weights()`` gives them for the networks built by ``build_model``.

    Returns
    -------
    DiagramWeights
    """
    kernels = [np.asarray(w) for w in weights[0::2]]
    biases = [np.asarray(b) for b in weights[1::2]]
    if not kernels or kernels[0].shape[0] != N_PIXELS or any(k.ndim != 2 for k in kernels):
        raise ValueError(
            "expected the weights of a dense network on 784 inputs: kernel, bias, kernel, bias, ..."
        )
    widths = (N_PIXELS, *(k.shape[1] for k in kernels))
    shown = (SHOWN_PIXELS, *(shown_units(w) for w in widths[1:-1]), np.arange(widths[-1]))
    return DiagramWeights(
        widths=widths,
        shown=shown,
        kernels=tuple(k[np.ix_(shown[i], shown[i + 1])].astype(np.float32) for i, k in enumerate(kernels)),
        biases=tuple(b[shown[i + 1]].astype(np.float32) for i, b in enumerate(biases)),
    )


@dataclass(frozen=True)
class LayerRow:
    """One row of the layer table: the layer, the tensor it outputs, and its parameters."""

    name: str
    output_shape: tuple  # (None, ...) as Keras prints it: None is the batch
    formula: str  # how its parameters add up, "" for a layer without any
    parameters: int


def layer_rows(spec: ModelSpec) -> list[LayerRow]:
    """Every layer of ``spec``'s network with its output shape and parameter count, pooling and Flatten too.

    The counts are the formulas' (no Keras needed) and match ``model.summary()``'s trainable ones.
    """
    rows = [LayerRow(tr("Input"), (None, *spec.input_shape), "", 0)]
    if spec.architecture == "convnet":
        filters, units = spec.conv_filters, spec.conv_dense_units
        side = IMAGE_SIDE - 2  # a 3 x 3 'valid' convolution loses one pixel at each edge
        pooled = side // 2
        flat = pooled * pooled * filters
        rows += [
            LayerRow(f"Conv2D {filters} (3 x 3, relu)", (None, side, side, filters), f"3 x 3 x 1 x {filters} + {filters}", 10 * filters),
            LayerRow("MaxPooling2D (2 x 2)", (None, pooled, pooled, filters), "", 0),
            LayerRow("Flatten", (None, flat), "", 0),
            LayerRow(f"Dense {units} (relu)", (None, units), f"{integer(flat)} x {units} + {units}", flat * units + units),
        ]  # fmt: skip
        fan_in = units
    else:
        fan_in = N_PIXELS
        for units, rate in zip(spec.hidden_units, spec.dropout):
            rows.append(
                LayerRow(
                    f"Dense {units} ({spec.activation})",
                    (None, units),
                    f"{fan_in} x {units} + {units}",
                    fan_in * units + units,
                )
            )
            if rate > 0:
                rows.append(LayerRow(f"Dropout {rate:g}", (None, units), "", 0))
            fan_in = units
    rows.append(
        LayerRow(
            tr("Dense {units} (softmax output)").format(units=N_CLASSES),
            (None, N_CLASSES),
            f"{fan_in} x {N_CLASSES} + {N_CLASSES}",
            fan_in * N_CLASSES + N_CLASSES,
        )
    )
    return rows


def shape_text(shape: tuple) -> str:
    """(None, 26, 26, 32) as '(batch, 26, 26, 32)'."""
    return "(" + ", ".join(tr("batch") if d is None else str(d) for d in shape) + ")"


def initial_diagram_weights(spec: ModelSpec, seed: int, control=None) -> DiagramWeights:
    """The diagram's sample of the weights the engine starts ``spec`` from with ``seed`` (a worker job).

    It builds the network in Keras, so it runs where Keras lives: ``functools.partial(
    initial_diagram_weights, spec, seed)`` is a picklable job.
    """
    from mnist_core.landscape.one_step import initial_model

    return sample_dense_weights(initial_model(spec, seed).get_weights())
