"""Streamlit helpers of the "What it learned" page: the digit it studies, the model as a chain of layers,
and the results worth keeping per model (the curves, the switched-off baseline)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from mnist_core import ablation, robustness
from mnist_core.i18n import N_, current_language, in_language, number, tr
from mnist_core.tasks import TaskControl
from ui.model_choice import open_with_model, per_model, remember_digit, your_digit
from ui.resources import background_slots, mnist
from ui.tasks import start_task

PAGE = "app_pages/what_it_learned.py"
PREDICTIONS_PAGE = "app_pages/predictions.py"
SOURCE_KEY = "learned_source"
TABS_KEY = "learned_section"
# ui.links.LEARNED_TABS, marked here for the catalogue: shown through tr, written in the URL as shown.
TABS = (
    N_("1 · Where it looks"),
    N_("2 · When it fails"),
    N_("3 · An adversarial nudge"),
    N_("4 · Switch neurons off"),
)
TEST_IMAGE, YOUR_DIGIT = N_("A test image"), N_("Your digit")
CURVES_TASK = "learned_curves_task"
_FOLLOWED = "learned_digit_followed"  # set by look_at_digit, read once by the page


@dataclass(frozen=True)
class Digit:
    """The digit every tab of the page studies."""

    image: np.ndarray  # (28, 28) uint8
    title: str  # "x_test[8], a 5" or "your drawing"


def look_at_digit(image: np.ndarray, model_key: str, source: str = "your drawing") -> None:
    """Open "What it learned" on "Where it looks" with this digit (28 x 28, 0-255) and this model.

    Call it when a button is pressed: it switches page at once.
    """
    remember_digit(image, source)
    st.session_state[_FOLLOWED] = True
    st.session_state[TABS_KEY] = tr(TABS[0])  # the tab as shown: its label in the viewer's language
    open_with_model(PAGE, model_key)


def labels_now(labels) -> Callable[[object], str]:
    """A ``format_func`` showing each option (or ``labels[option]``) translated now, on the page's thread.

    Streamlit, and AppTest after the run, may call it where no page says which language.
    """
    pairs = labels.items() if isinstance(labels, dict) else ((option, option) for option in labels)
    return {option: tr(label) for option, label in pairs}.__getitem__


def sources() -> list[str]:
    """The inputs the page offers: a test image, and the student's digit once there is one."""
    return [TEST_IMAGE] + ([YOUR_DIGIT] if your_digit() else [])


def choose_digit() -> Digit:
    """The source radio and the test image number, bound to the URL; the digit they pick."""
    _, (x_test, y_test) = mnist()
    drawn = your_digit()
    offered = sources()
    if st.session_state.pop(_FOLLOWED, False) and drawn:
        st.session_state[SOURCE_KEY] = YOUR_DIGIT
    source_column, index_column = st.columns([1.3, 1])
    picked = source_column.radio(
        tr("Input"),
        offered,
        format_func=labels_now(offered),
        horizontal=True,
        key=SOURCE_KEY,
        bind="query-params",
    )
    if picked == YOUR_DIGIT:
        source = drawn["source"]  # named by the page that made it, in English or already translated
        source = tr(source)
        index_column.caption(
            tr("**{source}**, as prepared on the Predictions page.").format(
                source=source[:1].upper() + source[1:]
            )
        )
        return Digit(drawn["digit"], source)
    index = index_column.number_input(
        tr("Test image number"), 0, len(x_test) - 1, 0, key="learned_test_index", bind="query-params"
    )
    if not drawn:
        index_column.page_link(PREDICTIONS_PAGE, label=tr("Or draw your own digit"), icon=":material/draw:")
    return Digit(x_test[index], tr("x_test[{index}], a {label}").format(index=index, label=y_test[index]))


def network(model) -> list | None:
    """The model's layers as a chain (``layer_chain.chain``), or None after saying why it can't be used."""
    from mnist_core.layer_chain import chain
    from mnist_core.models import non_finite_weights

    if per_model(model, "non_finite_weights", lambda: non_finite_weights(model)):
        st.warning(
            tr(
                "This model's weights are NaN or infinite, so its gradients and answers mean nothing: pick "
                "another model."
            ),
            icon=":material/info:",
        )
        return None
    try:
        return per_model(model, "layer_chain", lambda: chain(model))
    except ValueError as error:
        st.warning(
            tr("This page can't look inside this model: {error}.").format(error=error), icon=":material/info:"
        )
        return None


def curve_images() -> tuple[np.ndarray, np.ndarray]:
    """The 1,000 test images (and labels) every curve and every switched-off accuracy scores."""
    _, (x_test, y_test) = mnist()
    indices = robustness.curve_sample(len(x_test))
    return x_test[indices], y_test[indices]


@st.cache_resource
def _curves() -> tuple[weakref.WeakKeyDictionary, threading.Lock]:
    """Finished robustness curves per model object, for every session of the server."""
    return weakref.WeakKeyDictionary(), threading.Lock()


def finished_curves(model) -> robustness.RobustnessCurves | None:
    cache, lock = _curves()
    with lock:
        return cache.get(model)


def start_curves(model, name: str) -> None:
    """Compute the accuracy curves of ``model`` in the background; kept for every session once done."""
    images, labels = curve_images()
    cache, lock = _curves()
    language = current_language()  # the task's thread has no page: its progress messages use this one

    def work(control: TaskControl) -> robustness.RobustnessCurves:
        with in_language(language):
            curves = robustness.robustness_curves(model, images, labels, control=control)
        with lock:
            cache[model] = curves
        return curves

    start_task(
        CURVES_TASK, work, name=tr("accuracy curves of {model}").format(model=name), slots=background_slots()
    )


def baseline_probabilities(model) -> np.ndarray:
    """The model's probabilities for the curve images, every unit on; computed once per model."""
    from mnist_core.evaluation import predict_probabilities

    return per_model(model, "learned_baseline", lambda: predict_probabilities(model, curve_images()[0]))


def mean_activations(model, layers: list, layer: ablation.HiddenLayer, digit: int | None) -> np.ndarray:
    """Each unit's mean activation over the curve images of ``digit`` (of every digit for None); once per
    model, layer and digit."""
    images, labels = curve_images()
    chosen = images if digit is None else images[labels == digit]
    return per_model(
        model,
        f"learned_activations_{layer.index}_{digit}",
        lambda: ablation.mean_activations(model, layers, layer, chosen),
    )


def describe_probabilities(probabilities: np.ndarray) -> str:
    """Alt text for a probability chart: the answer and the three most likely digits with their numbers."""
    top = np.argsort(probabilities)[::-1][:3]
    listed = ", ".join(f"{d}: {number(probabilities[d], 2)}" for d in top)
    return tr("The model's probabilities for the ten digits; the highest are {listed}.").format(listed=listed)
