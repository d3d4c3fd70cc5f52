"""Jobs on a model the server never loads: the model travels as a reference, the worker keeps it loaded.

A page that shows a model (Predictions, Inside the network, What it learned, the loss surface)
needs Keras only to run it. Here the model is a ``ModelRef`` — a shipped model's key, or a
trained or uploaded model's ``.keras`` bytes with their fingerprint — and every computation on it
is a ``ModelCall``: a top-level core function, the reference and the function's other arguments,
all plain data, so it pickles to a worker process (or a Ray task). The worker loads each model
once and keeps the last few (``MODELS_KEPT``) for the next call, so a drawn stroke's prediction
costs one forward pass and the round trip, not a model load.

    call = ModelCall(predict_probabilities, ModelRef.of_bytes(run.keras_bytes), (digit[None],))
    probabilities = executor.submit(call, name="predict").join(10).result

``describe_model`` gives what the pages read about a model's structure, with no Keras on the
server: layer names, kinds, units, activations, shapes and weights as NumPy arrays.
This module never imports Keras at import time.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MODELS_KEPT = 4  # models a worker keeps loaded; a class uses the shipped two and a few runs at once


def model_fingerprint(keras_bytes: bytes) -> str:
    """A short stable name of a model's bytes: equal bytes, equal model."""
    return hashlib.sha256(keras_bytes).hexdigest()[:16]


@dataclass(frozen=True)
class ModelRef:
    """Which model a job runs, as plain data.

    Build it with ``of_shipped(key)`` (a model that comes with the app: the worker reads it from
    disk), ``spooled(keras_bytes, folder)`` (a run's or an upload's ``.keras`` file, written once to
    a folder the workers can read: only its path travels with each call), or ``of_bytes(keras_bytes)``
    (the bytes travel with every call: for workers on other machines). A worker that has the model
    loaded already reads nothing.
    """

    fingerprint: str
    shipped_key: str | None = None
    keras_bytes: bytes | None = field(default=None, repr=False, compare=False)
    keras_path: str | None = None

    @classmethod
    def of_shipped(cls, key: str) -> ModelRef:
        return cls(f"shipped:{key}", shipped_key=key)

    @classmethod
    def of_bytes(cls, keras_bytes: bytes) -> ModelRef:
        return cls(model_fingerprint(keras_bytes), keras_bytes=keras_bytes)

    @classmethod
    def spooled(cls, keras_bytes: bytes, folder: Path) -> ModelRef:
        """Write ``keras_bytes`` to ``folder`` (once per model) and name the file.

        A 2 MB convnet sent with every stroke's prediction cost 100 ms a call; a path costs nothing.
        """
        fingerprint = model_fingerprint(keras_bytes)
        path = Path(folder) / f"{fingerprint}.keras"
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(keras_bytes)
            partial.replace(path)  # a worker never reads half a file
        return cls(fingerprint, keras_path=str(path))

    def __post_init__(self):
        sources = [self.shipped_key, self.keras_bytes, self.keras_path]
        if sum(source is not None for source in sources) != 1:
            raise ValueError(
                "a ModelRef names a shipped model, .keras bytes or a .keras file: exactly one of them"
            )


_loaded: OrderedDict[str, Any] = OrderedDict()
load_count = 0  # how many times this process loaded a model (tests check the cache with it)


def model_for(ref: ModelRef):
    """The ``keras.Model`` that ``ref`` names, loaded once in this process and kept for the next call."""
    global load_count
    if ref.fingerprint in _loaded:
        _loaded.move_to_end(ref.fingerprint)
        return _loaded[ref.fingerprint]
    if ref.shipped_key is not None:
        from mnist_core.engine.default_model import load_shipped

        model = load_shipped(ref.shipped_key)
    else:
        from mnist_core.engine.models import load_model_bytes

        data = ref.keras_bytes if ref.keras_bytes is not None else Path(ref.keras_path).read_bytes()
        model = load_model_bytes(data)
    load_count += 1
    _loaded[ref.fingerprint] = model
    while len(_loaded) > MODELS_KEPT:
        _loaded.popitem(last=False)
    return model


@dataclass(frozen=True)
class ModelCall:
    """``function(model, *args, **kwargs)`` on the model ``ref`` names: a job for any executor.

    ``function`` must be a top-level function (it pickles by name). With ``pass_control`` the job's
    ``TaskControl`` is given as ``control=`` (for long work that reports progress and honours stop).
    """

    function: Callable
    ref: ModelRef
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    pass_control: bool = False

    def __call__(self, control=None):
        extra = {"control": control} if self.pass_control else {}
        return self.function(model_for(self.ref), *self.args, **self.kwargs, **extra)


@dataclass(frozen=True)
class LayerDescription:
    """One layer as the pages read it, without Keras."""

    name: str
    kind: str  # the Keras class name: "Dense", "Conv2D", "Dropout", ...
    output_shape: tuple  # without the batch axis
    units: int | None  # Dense units or Conv2D filters
    activation: str | None  # "relu", "softmax", ... for layers that have one
    weights: tuple[np.ndarray, ...]  # as ``layer.get_weights()`` gives them

    @property
    def parameters(self) -> int:
        return int(sum(w.size for w in self.weights))


@dataclass(frozen=True)
class ModelDescription:
    """What a model is, as plain data: its input shape and its layers in order."""

    name: str
    input_shape: tuple  # without the batch axis: (784,) or (28, 28, 1)
    layers: tuple[LayerDescription, ...]

    @property
    def is_convnet(self) -> bool:
        return any(layer.kind == "Conv2D" for layer in self.layers)

    @property
    def parameters(self) -> int:
        return sum(layer.parameters for layer in self.layers)


def _shape(shape) -> tuple:
    return tuple(int(n) if n is not None else None for n in tuple(shape)[1:])


def describe_model(model) -> ModelDescription:
    """The ``ModelDescription`` of a ``keras.Model`` (run it in a worker: ``ModelCall(describe_model, ref)``)."""
    layers = []
    for layer in model.layers:
        activation = getattr(layer, "activation", None)
        units = getattr(layer, "units", None) or getattr(layer, "filters", None)
        layers.append(
            LayerDescription(
                name=layer.name,
                kind=type(layer).__name__,
                output_shape=_shape(layer.output.shape),
                units=int(units) if units is not None else None,
                activation=getattr(activation, "__name__", None) if activation is not None else None,
                weights=tuple(np.asarray(w) for w in layer.get_weights()),
            )
        )
    return ModelDescription(model.name, _shape(model.input_shape), tuple(layers))
