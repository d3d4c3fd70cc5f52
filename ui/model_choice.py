"""Which model the Predictions and Inside the network pages show, and its cached results.

The choices: the models shipped with the app, this session's training runs,
and an uploaded .keras file. One picker, under one key, serves both pages, so the
choice survives a page switch, and it is bound to the URL (``?model=default-convnet``)
so a link opens the same model; a link naming a run or an upload (only this session has
them) falls back to the shipped default with a notice. Results that cost a pass over the
test set are kept in the server's result store per model, so switching back and forth, or a
lecture re-opening the page, is instant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from mnist_core.engine.default_model import FIRST_NETWORK, SHIPPED_MODELS
from mnist_core.i18n import integer, number, tr
from mnist_core.jobs.model_jobs import ModelDescription, ModelRef
from ui.resources import mnist
from ui.results import remembered
from ui.training_runs import finished_runs, uploaded_model
from ui.worker_jobs import WorkerJobFailed, model_description, on_model, show_failure, spooled_ref

YOUR_DIGIT_KEY = "predictions_your_digit"  # the latest preprocessed drawing or upload, for both pages
MODEL_KEY = "model"  # the picker's widget key on both pages, and so its URL parameter: ?model=default-convnet
_NEWEST_RUN_SEEN = "model_newest_run_seen"
_LINK_NOTICE = "model_link_notice"  # (notice, the model shown instead) after a link named an unknown model
_CHOSEN = "model_chosen"  # a choice made by a button, for the next model picker to take
_FOLLOWED = "model_digit_followed"  # set by follow_digit_inside, read once by Inside the network
INSIDE_PAGE = "app_pages/inside_the_network.py"


@dataclass(frozen=True)
class ModelChoice:
    """One model the pages can show: its key, its label, and ``ref``, the name a worker loads it by.

    Pages run their Keras work on ``ref`` through ``ui.worker_jobs`` (``on_model``,
    ``model_description``), so the server never loads the model.
    """

    key: str  # "default", "default-convnet", "run-3" or "upload"
    label: str  # in the viewer's language
    ref: ModelRef

    @property
    def description(self) -> ModelDescription:
        """Its layers, shapes and weights, asked of a worker once per model."""
        return model_description(self.ref)

    @property
    def is_convnet(self) -> bool:
        return self.description.is_convnet


def available_models() -> list[ModelChoice]:
    """Shipped models first, then this session's runs (newest first), then the uploaded model."""
    choices = [ModelChoice(m.key, tr(m.label), ModelRef.of_shipped(m.key)) for m in SHIPPED_MODELS]
    for run in reversed(finished_runs()):
        if run.has_model:  # only the latest few runs keep theirs
            label = tr("This session's {run}").format(run=run.label)
            choices.append(ModelChoice(f"run-{run.number}", label, spooled_ref(run.keras_bytes)))
    upload = uploaded_model()
    if upload is not None:
        choices.append(
            ModelChoice(
                "upload",
                (
                    tr(
                        "Uploaded: {filename}, test accuracy {accuracy} (its weights are NaN: its answers mean nothing)"
                    )
                    if upload.non_finite_weights
                    else tr("Uploaded: {filename}, test accuracy {accuracy}")
                ).format(filename=upload.filename, accuracy=number(upload.test_accuracy, 4)),
                upload.ref,
            )
        )
    return choices


def choose_model(key: str) -> None:
    """Make ``key`` ("default", "run-3", ...) the model the pages show from the next model picker on.

    Kept aside until then: the picker's own key can't change once the picker is drawn in this run.
    """
    st.session_state[_CHOSEN] = key


def _why_not(asked: str) -> str:
    """The notice for a link whose ``model`` is not a model of this session."""
    shown = asked.replace("`", "")[:40]
    if asked == "upload" or asked.startswith("run-"):
        return tr(
            "The link's model `{model}` is not one of this session's: a link carries only the shipped models."
        ).format(model=shown)
    return tr("The link's model `{model}` does not exist here.").format(model=shown)


def model_picker() -> ModelChoice:
    """A selectbox of every available model, bound to the URL's ``model``, and a line saying which it shows.

    The choice is kept in ``st.session_state[MODEL_KEY]`` for both pages. It starts at the link's
    model, else the shipped first network; each run that finishes becomes the choice once.
    """
    choices = {choice.key: choice for choice in available_models()}
    # Read before the widget binds the parameter: Streamlit drops an unknown option without a word.
    asked = st.query_params.get(MODEL_KEY)
    if asked is not None and asked not in choices:
        st.session_state[_LINK_NOTICE] = (_why_not(asked), FIRST_NETWORK.key)
        st.session_state[MODEL_KEY] = FIRST_NETWORK.key
    runs = [key for key in choices if key.startswith("run-")]
    if runs and st.session_state.get(_NEWEST_RUN_SEEN) != runs[0]:
        st.session_state[_NEWEST_RUN_SEEN] = runs[0]  # a run is new once: then the student's choice stays
        st.session_state[MODEL_KEY] = runs[0]
    if st.session_state.get(_CHOSEN) in choices:
        st.session_state[MODEL_KEY] = st.session_state.pop(_CHOSEN)
    if st.session_state.get(MODEL_KEY, FIRST_NETWORK.key) not in choices:
        st.session_state[MODEL_KEY] = FIRST_NETWORK.key  # the run was dropped or the upload replaced
    picked = st.selectbox(
        tr("Model"),
        list(choices),  # the shipped first network first: the default, so a plain link has no ?model=
        key=MODEL_KEY,
        bind="query-params",
        help=tr(
            "default and default-convnet come with the app. Train a network on Build & Train, or upload "
            "a .keras file there, and it appears here as run-1, run-2, ... or upload."
        ),
    )
    choice = choices[picked]
    try:
        with st.spinner(tr("Loading the model…")):
            choice.description  # noqa: B018 - a worker loads the model now, once, for the calls that follow
    except WorkerJobFailed as failure:
        show_failure(failure)
        st.stop()
    notice = st.session_state.get(_LINK_NOTICE)
    if notice is not None and notice[1] != picked:
        del st.session_state[_LINK_NOTICE]  # the student has picked another model since
        notice = None
    shown = tr("Showing **{model}**.").format(model=choice.label)
    st.caption(shown + (f"  \n:material/link_off: {notice[0]}" if notice else ""))
    return choice


def open_with_model(page: str, model_key: str) -> None:
    """Switch to ``page`` (a path under app_pages/) with ``model_key`` chosen on it."""
    choose_model(model_key)
    if model_key == FIRST_NETWORK.key:
        # The picker's default stays out of the URL: no ?model= to write, and no extra history entry,
        # so the browser's Back returns to the page the student came from.
        st.switch_page(page, query_params={})
    try:
        # The link of the new page names the model. (A picker drawn for the first time in a session
        # does not write a value set in session state into the URL; this does.)
        st.switch_page(page, query_params={MODEL_KEY: model_key})
    except StreamlitAPIException:
        # Streamlit 1.67 refuses to set or clear ?model= while this page's picker is bound to it.
        # Without parameters the picker there, a widget of this session already, puts it back.
        st.switch_page(page, query_params={})


def per_model(ref: ModelRef, name: str, compute: Callable[[], object]):
    """``compute()`` once per model and name, kept in the server's result store for every session.

    Sessions asking at once wait for the first one's answer; the store drops the least recently used
    results when its byte budget is full, and they are computed again if asked.
    """
    return remembered(f"model.{name}", ref.fingerprint, compute=compute)


def test_evaluation(ref: ModelRef):
    """The model's ``Evaluation`` on the 10,000 test images, computed once per model by a worker.

    Raises ``WorkerJobFailed`` when the worker could not run the model.
    """
    from mnist_core.data.mnist import source_for_workers
    from mnist_core.inspect.evaluation import evaluate_test_set

    def compute():
        with st.spinner(tr("Predicting the {count} test images…").format(count=integer(10_000))):
            return on_model(evaluate_test_set, ref, source_for_workers())

    return per_model(ref, "test_evaluation", compute)


@st.cache_resource(show_spinner=False)  # training_neighbours says what is happening, in the viewer's language
def _training_neighbours():
    from mnist_core.inspect.evaluation import PixelNeighbours

    (x_train, _), _ = mnist()
    return PixelNeighbours(x_train)


def training_neighbours():
    """A nearest-neighbour finder over the training images, built once per server."""
    with st.spinner(tr("Indexing the {count} training images…").format(count=integer(60_000))):
        return _training_neighbours()


def remember_digit(digit: np.ndarray, source: str) -> None:
    """Keep the user's latest digit (28 x 28 uint8) so the other page can trace it."""
    st.session_state[YOUR_DIGIT_KEY] = {"digit": np.array(digit, dtype=np.uint8), "source": source}


def follow_digit_inside(image_28x28: np.ndarray, model_key: str, source: str = "your drawing") -> None:
    """Open Inside the network on this digit (28 x 28, 0-255) and this model ("default", "run-3", ...).

    Call it when a button is pressed: it switches page at once. ``source`` names the digit there.
    """
    remember_digit(image_28x28, source)
    st.session_state[_FOLLOWED] = True
    open_with_model(INSIDE_PAGE, model_key)


def digit_was_followed() -> bool:
    """True once after ``follow_digit_inside``: Inside the network then starts on that digit."""
    return bool(st.session_state.pop(_FOLLOWED, False))


def your_digit() -> dict | None:
    """The latest digit remembered by ``remember_digit``: {"digit", "source"}, or None."""
    return st.session_state.get(YOUR_DIGIT_KEY)
