"""Switch neurons off: a hidden layer's chosen units forced to 0, and what the network still gets right.

A unit switched off outputs 0 whatever its input, as if it had been cut out of the network. The
layers after it are unchanged. For a convnet's Conv2D layer a "unit" is one filter: its whole
feature map is switched off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnist_core.engine.models import to_model_inputs
from mnist_core.i18n import integer, ntr, tr

PREDICT_BATCH = 1_000


@dataclass(frozen=True)
class HiddenLayer:
    """A layer whose units can be switched off."""

    index: int  # its position in ``layer_chain.chain(model)``
    name: str
    kind: str  # "Dense" or "Conv2D"
    units: int

    @property
    def label(self) -> str:
        """ "dense (32 units)", "conv (32 filters)", in the current language."""
        if self.kind == "Conv2D":
            text = ntr("{name} ({n} filter)", "{name} ({n} filters)", self.units)
        else:
            text = ntr("{name} ({n} unit)", "{name} ({n} units)", self.units)
        return text.format(name=self.name, n=integer(self.units))


def hidden_layers(layers: list) -> list[HiddenLayer]:
    """The Dense layers before the output, and the Conv2D layers, of a chain of layers."""
    found = []
    for index, layer in enumerate(layers[:-1]):
        kind = type(layer).__name__
        if kind == "Dense":
            found.append(HiddenLayer(index, layer.name, kind, int(layer.units)))
        elif kind == "Conv2D":
            found.append(HiddenLayer(index, layer.name, kind, int(layer.filters)))
    return found


def mask(units: int, off) -> np.ndarray:
    """1 for each unit kept, 0 for each unit in ``off``; shape (units,), float32."""
    off = np.asarray(list(off), dtype=np.int64)
    if off.size and (off.min() < 0 or off.max() >= units):
        raise ValueError(f"units are numbered 0 to {units - 1}, got {sorted(set(off.tolist()))}")
    kept = np.ones(units, dtype=np.float32)
    kept[off] = 0.0
    return kept


def probabilities_without(model, layers: list, layer: HiddenLayer, off, images: np.ndarray) -> np.ndarray:
    """The model's softmax output for ``images`` with the units ``off`` of ``layer`` switched off.

    Parameters
    ----------
    layers : list
        ``layer_chain.chain(model)``.
    off : iterable of int
        Unit (or filter) numbers of ``layer``.
    images : array-like of shape (n, 28, 28), 0-255

    Returns
    -------
    ndarray of shape (n, 10), float64
    """
    from mnist_core.inspect.layer_chain import run

    kept = mask(layer.units, off)
    inputs = to_model_inputs(model, np.asarray(images))
    parts = [
        np.asarray(run(layers, inputs[start : start + PREDICT_BATCH], after=layer.index, mask=kept))
        for start in range(0, len(inputs), PREDICT_BATCH)
    ]
    return np.concatenate(parts).astype(np.float64)


def mean_activations(model, layers: list, layer: HiddenLayer, images: np.ndarray) -> np.ndarray:
    """Each unit's mean output over ``images`` (a filter's over every position too); shape (units,)."""
    from mnist_core.inspect.layer_chain import run

    inputs = to_model_inputs(model, np.asarray(images))
    total, rows = np.zeros(layer.units), 0
    for start in range(0, len(inputs), PREDICT_BATCH):
        outputs = np.asarray(run(layers[: layer.index + 1], inputs[start : start + PREDICT_BATCH]))
        flat = outputs.reshape(-1, layer.units)  # one row per image (and per position, for a filter)
        total, rows = total + flat.sum(axis=0), rows + len(flat)
    return total / rows


def most_active(activations: np.ndarray, count: int) -> list[int]:
    """The ``count`` units with the largest mean activation, most active first."""
    return [int(u) for u in np.argsort(-np.asarray(activations), kind="stable")[:count]]


def parse_units(text: str, units: int) -> list[int]:
    """Unit numbers typed as "3, 7, 12" or "0-4"; a ValueError that says what to type otherwise."""
    chosen: list[int] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part[1:]:
                low, high = (int(p) for p in part.split("-", 1))
                chosen.extend(range(low, high + 1))
            else:
                chosen.append(int(part))
        except ValueError:
            raise ValueError(
                tr(
                    "'{part}' is not a unit number: type numbers from 0 to {last}, like 3, 7, 12 or 0-4"
                ).format(part=part, last=units - 1)
            ) from None
    outside = sorted({u for u in chosen if not 0 <= u < units})
    if outside:
        raise ValueError(
            tr("this layer has units 0 to {last}; there is no unit {unit}").format(
                last=units - 1, unit=outside[0]
            )
        )
    return sorted(set(chosen))


def accuracy_by_digit(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The share of each digit's images predicted right; shape (10,)."""
    labels = np.asarray(labels)
    right = np.asarray(probabilities).argmax(axis=1) == labels
    return np.array([right[labels == d].mean() if (labels == d).any() else np.nan for d in range(10)])
