"""Streamlit helpers of the "What it learned" page: the digit it studies, what the page can do with the
model, and the results worth keeping per model (the curves, the switched-off baseline).

Every computation on the model runs in a worker process (``mnist_core.inspect.learned_jobs`` through
``ui.worker_jobs.on_model``, the curves as a background task there): the server never loads Keras."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from mnist_core.i18n import N_, current_language, number, tr
from mnist_core.inspect import ablation, learned_jobs, robustness
from mnist_core.jobs.model_jobs import ModelCall, ModelRef
from ui.model_choice import open_with_model, per_model, remember_digit, your_digit
from ui.resources import background_slots, mnist
from ui.results import finished, keep, remembered
from ui.tasks import start_task
from ui.worker_jobs import WorkerJobFailed, on_model, show_failure

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


def shown_on_failure(section: Callable[[], None]) -> Callable[[], None]:
    """``section``, which shows a worker's failure in its place instead of a traceback."""

    @functools.wraps(section)
    def guarded() -> None:
        try:
            section()
        except WorkerJobFailed as failure:
            show_failure(failure)

    return guarded


def answer(function: Callable, choice, *args, **kwargs):
    """``on_model(function, choice.ref, *args, **kwargs)``, its answer kept in the server's result store for
    the same model and arguments: a rerun that changes nothing (or the class opening the same link) costs
    no round trip.

    Only for jobs whose answer holds no text (it would be in the asker's language).
    """
    return remembered(
        f"learned.{function.__name__}",
        choice.ref.fingerprint,
        args,
        kwargs,
        compute=lambda: on_model(function, choice.ref, *args, **kwargs),
    )


def check(choice) -> learned_jobs.ModelCheck | None:
    """What the page can do with the chosen model, or None after saying why it can't be used."""
    if any(not np.isfinite(w).all() for layer in choice.description.layers for w in layer.weights):
        st.warning(
            tr(
                "This model's weights are NaN or infinite, so its gradients and answers mean nothing: pick "
                "another model."
            ),
            icon=":material/info:",
        )
        return None
    try:  # the problem is said in the viewer's language: kept per language
        checked = per_model(
            choice.ref,
            f"learned_check_{current_language()}",
            lambda: on_model(learned_jobs.check_model, choice.ref),
        )
    except WorkerJobFailed as failure:
        show_failure(failure)
        return None
    if checked.problem is not None:
        st.warning(
            tr("This page can't look inside this model: {error}.").format(error=checked.problem),
            icon=":material/info:",
        )
        return None
    return checked


def curve_images() -> tuple[np.ndarray, np.ndarray]:
    """The 1,000 test images (and labels) every curve and every switched-off accuracy scores.

    The same as ``learned_jobs.curve_images``, which the workers read: here from the server's copy.
    """
    _, (x_test, y_test) = mnist()
    indices = robustness.curve_sample(len(x_test))
    return x_test[indices], y_test[indices]


def finished_curves(ref: ModelRef) -> robustness.RobustnessCurves | None:
    """The model's curves once a task has computed them (on this session or another)."""
    return finished("learned.curves", ref.fingerprint)


def keep_curves(ref: ModelRef, curves: robustness.RobustnessCurves) -> None:
    keep("learned.curves", ref.fingerprint, result=curves)


def start_curves(ref: ModelRef, name: str) -> None:
    """Compute the accuracy curves of the model ``ref`` names in a worker, with progress and Stop."""
    start_task(
        CURVES_TASK,
        ModelCall(learned_jobs.accuracy_curves, ref, pass_control=True),
        name=tr("accuracy curves of {model}").format(model=name),
        slots=background_slots(),
        in_worker=True,
    )


def baseline_probabilities(choice) -> np.ndarray:
    """The model's probabilities for the curve images, every unit on; computed once per model."""
    return per_model(
        choice.ref, "learned_baseline", lambda: on_model(learned_jobs.curve_probabilities, choice.ref)
    )


def mean_activations(choice, layer: ablation.HiddenLayer, digit: int | None) -> np.ndarray:
    """Each unit's mean activation over the curve images of ``digit`` (of every digit for None); once per
    model, layer and digit."""
    return per_model(
        choice.ref,
        f"learned_activations_{layer.index}_{digit}",
        lambda: on_model(learned_jobs.mean_activations, choice.ref, layer, digit),
    )


def describe_probabilities(probabilities: np.ndarray) -> str:
    """Alt text for a probability chart: the answer and the three most likely digits with their numbers."""
    top = np.argsort(probabilities)[::-1][:3]
    listed = ", ".join(f"{d}: {number(probabilities[d], 2)}" for d in top)
    return tr("The model's probabilities for the ten digits; the highest are {listed}.").format(listed=listed)
