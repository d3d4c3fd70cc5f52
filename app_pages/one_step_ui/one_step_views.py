"""One step by numbers: the student's Build & Train network in this page's link, the cached step, the weight picker."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from app_pages.build_and_train_ui.train_form import FIRST_NETWORK
from mnist_core.engine.spec import ModelSpec
from mnist_core.i18n import decimal_separators, tr
from mnist_core.inspect.network_diagram import layer_rows
from mnist_core.landscape import surfaces
from mnist_core.landscape.one_step import OneStep, WeightChoice, one_step_on_training_images
from ui.links import ONE_STEP_NETWORK_PARAMS as NETWORK_PARAMS
from ui.links import PAGE_PARAMS, Choice, Flag, Number, Whole, is_bound
from ui.results import server_result
from ui.worker_jobs import run_quick

_ARRIVED_KEY = "_step_network_link"


def _value(spec, text: str):
    """The widget value a link's text stands for (the text is already checked by ui.links)."""
    if isinstance(spec, Whole):
        return int(text)
    if isinstance(spec, Number):
        return float(text)
    if isinstance(spec, Flag):
        return text.lower() == "true"
    if isinstance(spec, Choice):
        return next(option for option, label in spec.options({}).items() if label == text)
    return text


def _label(spec, value) -> str:
    if isinstance(spec, Choice):
        return spec.options({})[value]
    if isinstance(spec, Flag):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


def network_from_link() -> None:
    """On arrival, a link's network settings become the Build & Train settings (before ensure_defaults)."""
    params = st.query_params.to_dict()
    described = PAGE_PARAMS["one_step"]
    signature = tuple(sorted((k, v) for k, v in params.items() if k in NETWORK_PARAMS))
    if st.session_state.get(_ARRIVED_KEY) == signature:
        return
    st.session_state[_ARRIVED_KEY] = signature
    for name, text in signature:
        if described[name].accepts(text, params):
            st.session_state[name] = _value(described[name], text)


def network_into_link() -> None:
    """Put the network's settings that differ from the first network's in this page's URL."""
    described = PAGE_PARAMS["one_step"]
    layers = st.session_state["train_layers"] if st.session_state["train_architecture"] == "dense" else 0
    relevant = set(NETWORK_PARAMS) - {f"train_units_{i}" for i in range(layers, 5)}
    relevant -= {f"train_dropout_{i}" for i in range(layers, 5)}
    for name in NETWORK_PARAMS:
        if is_bound(name):  # still bound by the Build & Train run just left: not ours to set this run
            continue
        value = st.session_state.get(name, FIRST_NETWORK[name])
        if name in relevant and value != FIRST_NETWORK[name]:
            st.query_params[name] = _label(described[name], value)
        elif name in st.query_params:
            del st.query_params[name]
    st.session_state[_ARRIVED_KEY] = tuple(
        sorted((k, v) for k, v in st.query_params.to_dict().items() if k in NETWORK_PARAMS)
    )


def weight_layers(spec: ModelSpec) -> list[tuple[str, tuple[int, ...]]]:
    """(label, kernel shape) of each layer with weights, in order, without Keras."""
    layers, fan_in = [], None
    for row in layer_rows(spec):
        if row.name.startswith("Conv2D"):
            layers.append((row.name, (3, 3, 1, spec.conv_filters)))
        elif row.parameters:
            layers.append((row.name, (fan_in, row.output_shape[-1])))
        fan_in = int(np.prod(row.output_shape[1:]))
    return layers


def general(value: float, digits: int = 6, sign: bool = True) -> str:
    """``value`` to ``digits`` significant digits (as ``:+.6g``), with the current language's decimal mark."""
    text = f"{value + 0.0:+.{digits}g}" if sign else f"{value + 0.0:.{digits}g}"  # + 0.0: no "-0"
    return text.replace(".", decimal_separators()[0])


def cached_step(spec: ModelSpec, seed: int, first: int, size: int, weight: WeightChoice) -> OneStep:
    """One step, computed in a worker once per network, batch and weight (0.05-0.4 s when the worker is warm).

    The server never imports Keras for it: a worker runs the real ``tf.GradientTape`` step on the
    training images it reads itself. Raises ``WorkerJobFailed`` when the worker could not.
    """
    # Shown only past 0.5 s: on a new server the first step waits for a worker to start TensorFlow.
    with st.spinner(
        tr("Running one step of your network… The first on a new server waits for TensorFlow to start.")
    ):
        return _cached_step(spec, seed, first, size, weight)


@server_result("one_step")
def _cached_step(spec: ModelSpec, seed: int, first: int, size: int, weight: WeightChoice) -> OneStep:
    return run_quick(
        functools.partial(one_step_on_training_images, spec, seed, first, size, weight), name="one step"
    )


def race_link_params(spec: ModelSpec) -> dict[str, str]:
    """The Loss surface's race with this optimizer and learning rate (the nearest the race offers) beside SGD."""
    from app_pages.loss_surface_ui.landscape_views import LEARNING_RATES

    rate = min(LEARNING_RATES, key=lambda r: abs(np.log(r) - np.log(spec.learning_rate)))
    params = {"surface_part": tr("2 · Two weights: optimizers race"), "surface_steps": "500"}
    for name in surfaces.OPTIMIZERS:
        if name not in (spec.optimizer, "sgd"):
            params[f"surface_show_{name}"] = "false"
    params[f"surface_lr_{spec.optimizer}"] = f"{rate:g}"
    return params
