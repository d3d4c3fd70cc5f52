"""What the "What it learned" page asks of a model, as jobs a worker process runs.

Each function takes the ``keras.Model`` first (a ``ModelCall`` hands it the model its ``ModelRef``
names) and returns plain data: NumPy arrays and frozen dataclasses, which pickle back to the page.
The page sends a digit's 784 pixels at most; the 1,000 test images of the curves and of the
switched-off accuracies are read here, in the worker (``load_mnist`` is cached per process).

    check = on_model(learned_jobs.check_model, choice.ref)
    maps = on_model(learned_jobs.where_it_looks, choice.ref, digit, 7, patch=6, fill=128)

This module never imports Keras at import time: the page names its functions without loading it.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from mnist_core.data.mnist import load_mnist
from mnist_core.inspect import ablation, adversarial, attribution, robustness

_chains: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_chains_lock = threading.Lock()


def _chain(model) -> list:
    """``layer_chain.chain(model)``, checked once per loaded model (it runs a probe through the layers)."""
    from mnist_core.inspect.layer_chain import chain

    with _chains_lock:
        layers = _chains.get(model)
        if layers is None:
            layers = _chains[model] = chain(model)
        return layers


@dataclass(frozen=True)
class ModelCheck:
    """Whether the page can look inside a model, and the layers whose units can be switched off.

    ``problem`` is None for a plain chain of layers; otherwise why not, in the caller's language.
    """

    problem: str | None
    hidden: tuple[ablation.HiddenLayer, ...] = ()


def check_model(model) -> ModelCheck:
    """A ``ModelCheck`` of ``model``: a chain of layers (``layer_chain.chain``) and its hidden layers."""
    try:
        layers = _chain(model)
    except ValueError as error:
        return ModelCheck(str(error))
    return ModelCheck(None, tuple(ablation.hidden_layers(layers)))


def probabilities(model, images: np.ndarray) -> np.ndarray:
    """The model's softmax output for a few 0-255 images of shape (n, 28, 28); shape (n, 10), float64."""
    from mnist_core.inspect.evaluation import predict_probabilities

    return np.asarray(predict_probabilities(model, np.asarray(images, dtype=np.uint8)), dtype=np.float64)


@dataclass(frozen=True)
class AttributionMaps:
    """The two maps of "Where it looks" for one digit and class, each of shape (28, 28), float64."""

    gradient: np.ndarray  # attribution.saliency
    drops: np.ndarray  # attribution.occlusion


def where_it_looks(model, image: np.ndarray, digit: int, patch: int = 6, fill: int = attribution.GREY):
    """The saliency and occlusion maps of ``image`` (28 x 28, 0-255) for class ``digit``, in one call.

    Returns
    -------
    AttributionMaps
    """
    return AttributionMaps(
        attribution.saliency(model, image, digit, layers=_chain(model)),
        attribution.occlusion(model, image, digit, patch, fill=fill),
    )


def nudge(model, image: np.ndarray, target: int) -> adversarial.Nudge:
    """``adversarial.nudge`` of ``image`` towards ``target``: the smallest flipping change, as plain data."""
    return adversarial.nudge(model, image, target, layers=_chain(model))


def curve_images() -> tuple[np.ndarray, np.ndarray]:
    """The 1,000 test images (and labels) every curve and every switched-off accuracy scores."""
    _, (x_test, y_test) = load_mnist()
    indices = robustness.curve_sample(len(x_test))
    return x_test[indices], y_test[indices]


def accuracy_curves(model, control=None) -> robustness.RobustnessCurves:
    """``robustness.robustness_curves`` over ``curve_images()``; a long job (``control`` reports and stops)."""
    images, labels = curve_images()
    return robustness.robustness_curves(model, images, labels, control=control)


def curve_probabilities(model) -> np.ndarray:
    """The model's probabilities for ``curve_images()``, every unit on; shape (1000, 10), float64."""
    from mnist_core.inspect.evaluation import predict_probabilities

    return np.asarray(predict_probabilities(model, curve_images()[0]), dtype=np.float64)


def mean_activations(model, layer: ablation.HiddenLayer, digit: int | None) -> np.ndarray:
    """Each unit's mean activation over the curve images of ``digit`` (of every digit for None)."""
    images, labels = curve_images()
    chosen = images if digit is None else images[labels == digit]
    return ablation.mean_activations(model, _chain(model), layer, chosen)


def probabilities_without(
    model, layer: ablation.HiddenLayer, off: list[int], image: np.ndarray
) -> np.ndarray:
    """The probabilities of the curve images, then of ``image`` (28 x 28), with the units ``off`` switched off.

    Returns
    -------
    ndarray of shape (1001, 10), float64
    """
    images = np.concatenate([curve_images()[0], np.asarray(image, dtype=np.uint8)[None]])
    return ablation.probabilities_without(model, _chain(model), layer, off, images)
