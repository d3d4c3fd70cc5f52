"""Every view is a link: the URL parameters of each page, the check of a link, and "Copy a link".

Each widget that decides what a page shows is bound to the URL (``bind="query-params"``); the
parameter's name is the widget's key. Streamlit silently drops a bound value it can't use, so a
page first checks its link against ``PAGE_PARAMS`` below (one place for every page's parameters)
and says, once, which settings it had to reset. A test checks that every bound widget on every
page is described here and that each described parameter really restores its widget.

Values are what the widget shows: a radio or select box takes its option's label
(``train_optimizer=Adam``), a tab its label, a toggle ``true``/``false``, a number its digits.
A value equal to the widget's default is left out of the URL by Streamlit.

Parameters per page (page: names):

- home: none
- data: data_split, data_sample_index, data_class, data_invert, data_annotate, data_csv_style,
  data_csv_label_last, data_export_split, data_export_rows, data_idx_file, data_montage_split,
  data_montage_sorted, data_zoom_row, data_zoom_col, data_zoom_size
- pixels_as_vectors: pixels_sample_index, pixels_row, pixels_col, pixels_index, pixels_direction,
  pixels_rows_done, pixels_colour_layout, pixels_colour_channel
- dimensions: dimensions_section (the tab), dimensions_a_row, dimensions_a_col, dimensions_b_row,
  dimensions_b_col, dimensions_cube_n, dimensions_jitter, dimensions_random_seed, dimensions_method,
  dimensions_n, dimensions_dims, dimensions_walk_from, dimensions_walk_to, dimensions_walk_which,
  dimensions_walk_steps
- build_and_train: train_preset, train_architecture, train_conv_filters, train_conv_dense_units,
  train_layers, train_units_0 ... train_units_4, train_dropout_0 ... train_dropout_4,
  train_activation, train_scale, train_optimizer, train_learning_rate, train_epochs,
  train_batch_size, train_validation, train_seed, train_compare_metric, train_speed (slow motion)
- loss_surface: surface_part (the tab), surface_walker_start, surface_walker_learning_rate,
  surface_walker_steps, surface_name, surface_start_x, surface_start_y, surface_steps,
  surface_show_{sgd,momentum,rmsprop,adam}, surface_lr_{sgd,momentum,rmsprop,adam},
  surface_momentum_momentum, surface_rho_rmsprop, surface_beta_1_adam, surface_run,
  surface_landscape_resolution, surface_landscape_span, surface_landscape_plane
- predictions: predictions_draw_seed, predictions_cell_true, predictions_cell_predicted,
  predictions_image_index, predictions_skip
- inside_the_network: inside_source, inside_test_index, inside_layer, inside_unit_0 ...
  inside_unit_5 (one per layer), inside_temperature, inside_section (the tab), inside_projection,
  inside_epoch
- what_it_learned: learned_section (the tab), learned_source, learned_test_index, learned_class,
  learned_patch, learned_fill, learned_noise, learned_rotation, learned_shift_x, learned_shift_y,
  learned_thickness, learned_threshold, learned_target, learned_layer, learned_off_way,
  learned_off_units, learned_off_digit, learned_off_count
- sklearn_tuning: sklearn_tab (the tab), sklearn_shape, sklearn_custom_sizes, sklearn_max_iter,
  sklearn_learning_rate, sklearn_seed, sklearn_samples, sklearn_grid_rates, sklearn_grid_sizes,
  sklearn_grid_samples, sklearn_grid_share, sklearn_grid_max_iter, sklearn_grid_seed,
  sklearn_grid_wrong_way
- one_step: step_first_image, step_batch_size, step_layer, step_input, step_unit, step_confidence,
  and the Build & Train settings of the network it steps (``ONE_STEP_NETWORK_PARAMS``)

App-wide parameters owned by other parts of the app (``APP_WIDE_PARAMS``) are never reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from mnist_core.data import dataset_views, vectors
from mnist_core.data.mnist import MnistFacts
from mnist_core.engine.spec import ACTIVATIONS, MAX_HIDDEN_LAYERS, PRESETS
from mnist_core.i18n import LANGUAGES, N_, NP_, current_language, in_language, integer, ntr, tr
from mnist_core.landscape import surfaces, walker
from mnist_core.scikit.sklearn_models import DEEP_NARROW_SIZES, LESSON_SIZES

APP_WIDE_PARAMS = {"presenter", "lesson", "step", "model", "room", "lang"}

Params = Mapping[str, str]
_FACTS = MnistFacts()
_SPLIT_SIZES = {"train": _FACTS.n_train, "test": _FACTS.n_test}


# --- what one parameter may hold ---


@dataclass(frozen=True)
class Whole:
    """An integer from ``low`` to ``high``; ``high`` may depend on the link's other parameters."""

    low: int
    high: int | Callable[[Params], int]

    def top(self, params: Params) -> int:
        return self.high(params) if callable(self.high) else self.high

    def accepts(self, text: str, params: Params) -> bool:
        try:
            value = int(text)
        except ValueError:
            return False
        return self.low <= value <= self.top(params)

    def shows(self, value: Any, text: str) -> bool:
        return value is not None and int(value) == int(text)

    def examples(self, params: Params) -> list[str]:
        return [str(self.top(params)), str(self.low)]


@dataclass(frozen=True)
class Number:
    """A decimal number from ``low`` to ``high``; the bounds may depend on the link's other parameters."""

    low: float | Callable[[Params], float]
    high: float | Callable[[Params], float]

    def bounds(self, params: Params) -> tuple[float, float]:
        return tuple(b(params) if callable(b) else b for b in (self.low, self.high))

    def accepts(self, text: str, params: Params) -> bool:
        try:
            value = float(text)
        except ValueError:
            return False
        low, high = self.bounds(params)
        return math.isfinite(value) and low <= value <= high

    def shows(self, value: Any, text: str) -> bool:
        return value is not None and math.isclose(float(value), float(text), abs_tol=1e-9)

    def examples(self, params: Params) -> list[str]:
        low, high = self.bounds(params)
        return [f"{high:g}", f"{low:g}"]


@dataclass(frozen=True)
class Choice:
    """One of a widget's options, written in the URL as its label: ``{option: label}``.

    ``labels`` may be a function of the link's other parameters (the options of the second
    widget depend on the first), or None when the options depend on the model and only the
    widget itself can tell (Streamlit then drops a label it doesn't know without a notice).
    """

    labels: Mapping[Any, str] | Callable[[Params], Mapping[Any, str]] | None  # in English

    def source_options(self, params: Params) -> Mapping[Any, str] | None:
        """``{option: label}`` with the labels in English, as the code writes them."""
        return self.labels(params) if callable(self.labels) else self.labels

    def options(self, params: Params) -> Mapping[Any, str] | None:
        """``{option: label}`` with the labels in the viewer's language, as the widget shows them."""
        labels = self.source_options(params)
        return None if labels is None else {option: tr(label) for option, label in labels.items()}

    def label_here(self, text: str, params: Params) -> str | None:
        """The label in the viewer's language of the option labelled ``text`` in another language, if any.

        A link holds a widget's label in the language it was copied in; a viewer in another
        language gets the same option.
        """
        labels = self.source_options(params)
        if labels is None:
            return None
        here = current_language()
        here_labels = self.options(params)  # outside in_language below: in the viewer's language
        for language in LANGUAGES:
            if language == here:
                continue
            with in_language(language):
                for option, label in labels.items():
                    if tr(label) == text:
                        return here_labels[option]
        return None

    def accepts(self, text: str, params: Params) -> bool:
        options = self.options(params)
        return bool(text) if options is None else text in options.values()

    def shows(self, value: Any, text: str) -> bool:
        options = self.options({})
        if options is None:
            return True
        # Tabs hold their label, in the viewer's language, not an option.
        return any(label == text and value in (option, label) for option, label in options.items())

    def examples(self, params: Params) -> list[str]:
        options = self.options(params)
        return [] if options is None else list(options.values())[::-1]


@dataclass(frozen=True)
class Flag:
    """A toggle or checkbox: ``true`` or ``false``."""

    def accepts(self, text: str, params: Params) -> bool:
        return text.lower() in ("true", "false")

    def shows(self, value: Any, text: str) -> bool:
        return bool(value) == (text.lower() == "true")

    def examples(self, params: Params) -> list[str]:
        return ["true", "false"]


@dataclass(frozen=True)
class Text:
    """Free text, checked by the page itself (it says what to fix)."""

    example: str

    def accepts(self, text: str, params: Params) -> bool:
        return True

    def shows(self, value: Any, text: str) -> bool:
        return value == text

    def examples(self, params: Params) -> list[str]:
        return [self.example]


Spec = Whole | Number | Choice | Flag | Text


def same(options: Iterable) -> dict:
    """Options shown as themselves (``str(option)``)."""
    return {option: str(option) for option in options}


# --- the pages ---

_DIGITS = same(range(10))
_SPLIT_LABELS = {"train": NP_("data split", "Train"), "test": "Test"}  # = ui.data_views.SPLIT_TITLES
_UNIT_CHOICES = [
    1,
    2,
    4,
    8,
    10,
    16,
    32,
    50,
    64,
    100,
    128,
    256,
    512,
    784,
    1024,
]  # = app_pages.build_and_train_ui.train_form's
_TRAIN_LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
_SURFACE_LEARNING_RATES = [
    0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 1.0
]  # fmt: skip
_SURFACE_HYPERPARAMETERS = {"momentum": "momentum", "rmsprop": "rho", "adam": "beta_1"}


def _split(params: Params, key: str) -> str:
    labels = {label: split for split, label in _SPLIT_LABELS.items()}
    return labels.get(params.get(key, ""), "train")


def _montage_side(params: Params) -> int:
    """Images per row of the whole-set picture: ``dataset_views.montage``'s ceil(sqrt(n))."""
    return math.isqrt(_SPLIT_SIZES[params.get("data_montage_split", "train")] - 1) + 1


def _idx_files(params: Params) -> dict:
    from ui.data_views import idx_facts

    return {facts: facts.file_name for facts in idx_facts()}


def _surface(params: Params) -> surfaces.Surface:
    titles = {title: s for s in surfaces.SURFACES.values() for title in (s.title, tr(s.title))}
    return titles.get(params.get("surface_name", ""), surfaces.SURFACES["ravine"])


def _landscape_networks(params: Params) -> dict:
    from app_pages.loss_surface_ui.landscape_views import landscape_sources

    return same(source.label for source in landscape_sources())


def _inside_sources(params: Params) -> dict:
    from ui.model_choice import your_digit

    return same(["A test image"] + (["Your digit"] if your_digit() else []))


def _learned_sources(params: Params) -> dict:
    from app_pages.what_it_learned_ui.learned_views import sources

    return same(sources())


def _tabs(*labels: str) -> Choice:
    return Choice(same(labels))


DIMENSIONS_TABS = (
    "1 · Two pixels as axes",
    "2 · Random points are noise",
    "3 · Flatten to 2-D or 3-D",
    "4 · Walk between digits",
)
SURFACE_TABS = (
    "1 · One weight: slope and valleys",
    "2 · Two weights: optimizers race",
    "3 · Your network's landscape",
)
INSIDE_TABS = (
    "1 · Follow one digit",
    "2 · Layer by layer",
    "3 · Tensor shapes",
)
LEARNED_TABS = (
    "1 · Where it looks",
    "2 · When it fails",
    "3 · An adversarial nudge",
    "4 · Switch neurons off",
)
SKLEARN_TABS = (
    N_("Train it"),
    N_("Same 50 neurons, two shapes"),
    N_("Grid search, done honestly"),
    N_("Keras vs scikit-learn"),
)
# Parameters whose exact range is the model's: the description only bounds them, and a value the
# model can't take is caught after the widget ran (``finish_page``).
MODEL_DEPENDENT = {"inside_layer", "inside_epoch"} | {
    f"inside_unit_{i}" for i in range(MAX_HIDDEN_LAYERS + 1)
}
MODEL_DEPENDENT |= {"learned_layer", "learned_off_count"}
# The lazy tabs that reopen on the tab a student left: tab key -> its page.
LAZY_TABS = {
    "dimensions_section": "dimensions",
    "surface_part": "loss_surface",
    "inside_section": "inside_the_network",
    "learned_section": "what_it_learned",
}


def _sizes(sizes: tuple[int, ...]) -> str:
    return f"({', '.join(map(str, sizes))}{',' if len(sizes) == 1 else ''})"


PAGE_PARAMS: dict[str, dict[str, Spec]] = {
    "home": {},
    "data": {
        "data_split": Choice(_SPLIT_LABELS),
        "data_sample_index": Whole(0, lambda p: _SPLIT_SIZES[_split(p, "data_split")] - 1),
        "data_class": Choice(_DIGITS),
        "data_invert": Flag(),
        "data_annotate": Choice(same(["raw", "scaled"])),
        "data_csv_style": Choice(
            {
                style: "pixel11, pixel12, … (as in the lesson)"
                if style == dataset_views.LESSON_STYLE
                else "pixel1x1, pixel1x2, …"
                for style in dataset_views.COLUMN_STYLES
            }
        ),
        "data_csv_label_last": Flag(),
        "data_export_split": Choice(same(_SPLIT_SIZES)),
        "data_export_rows": Whole(1, lambda p: _SPLIT_SIZES.get(p.get("data_export_split", "train"), 60_000)),
        "data_idx_file": Choice(_idx_files),
        "data_montage_split": Choice(same(_SPLIT_SIZES)),
        "data_montage_sorted": Flag(),
        "data_zoom_row": Whole(
            0, lambda p: -(-_SPLIT_SIZES[p.get("data_montage_split", "train")] // _montage_side(p)) - 1
        ),
        "data_zoom_col": Whole(0, lambda p: _montage_side(p) - 1),
        "data_zoom_size": Whole(2, 40),
    },
    "pixels_as_vectors": {
        "pixels_sample_index": Whole(0, _FACTS.n_train - 1),
        "pixels_row": Whole(0, vectors.IMAGE_SIDE - 1),
        "pixels_col": Whole(0, vectors.IMAGE_SIDE - 1),
        "pixels_index": Whole(0, vectors.N_PIXELS - 1),
        "pixels_direction": Choice(
            {"unroll": "Unroll: image.reshape(784)", "wrap": "Wrap back: vector.reshape((28, 28))"}
        ),
        "pixels_rows_done": Whole(0, vectors.IMAGE_SIDE),
        "pixels_colour_layout": Choice(
            {
                vectors.CHANNELS_LAST: "channels last (28, 28, 3): R G B of each pixel side by side",
                vectors.CHANNELS_FIRST: "channels first (3, 28, 28): all reds, then all greens, then all blues",
            }
        ),
        "pixels_colour_channel": Choice(dict(enumerate(vectors.CHANNEL_NAMES))),
    },
    "dimensions": {
        "dimensions_section": _tabs(*DIMENSIONS_TABS),
        **{f"dimensions_{pixel}": Whole(0, 27) for pixel in ("a_row", "a_col", "b_row", "b_col")},
        "dimensions_cube_n": Choice(same([500, 1000, 2000, 5000])),
        "dimensions_jitter": Flag(),
        "dimensions_random_seed": Whole(0, 10_000),
        "dimensions_method": Choice(same(["PCA", "t-SNE"])),
        "dimensions_n": Choice(same([1000, 2000, 5000, 10_000])),
        "dimensions_dims": Choice(same([2, 3])),
        "dimensions_walk_from": Choice(_DIGITS),
        "dimensions_walk_to": Choice(_DIGITS),
        "dimensions_walk_which": Whole(0, 50),
        "dimensions_walk_steps": Whole(3, 11),
    },
    "build_and_train": {
        "train_preset": Choice({key: f"{p.title} · {p.lesson}" for key, p in PRESETS.items()}),
        "train_architecture": Choice(
            {"dense": "Dense layers (lessons 3, 5)", "convnet": "Small convnet (lesson 6)"}
        ),
        "train_conv_filters": Choice(same([8, 16, 32, 64])),
        "train_conv_dense_units": Choice(same(_UNIT_CHOICES)),
        "train_layers": Whole(0, MAX_HIDDEN_LAYERS),
        **{f"train_units_{i}": Choice(same(_UNIT_CHOICES)) for i in range(MAX_HIDDEN_LAYERS)},
        **{f"train_dropout_{i}": Number(0.0, 0.9) for i in range(MAX_HIDDEN_LAYERS)},
        "train_activation": Choice(same(ACTIVATIONS)),
        "train_scale": Flag(),
        "train_optimizer": Choice({"sgd": "SGD", "rmsprop": "RMSProp", "adam": "Adam"}),
        "train_learning_rate": Choice(same(_TRAIN_LEARNING_RATES)),
        "train_epochs": Whole(1, 50),
        "train_batch_size": Whole(1, 60_000),
        "train_validation": Choice(
            {
                "holdout": "Hold out 5,000 training images (right practice)",
                "test": "Use the test set (the lesson's shortcut)",
            }
        ),
        "train_seed": Whole(0, 2**31 - 1),
        "train_speed": Choice(
            {0: "Full speed", 10: "Slow motion: 10 updates a second", 2: "Slow motion: 2 updates a second"}
        ),
        "train_compare_metric": Choice(
            {
                m: m.replace("val_", "validation ").replace("_", " ")
                for m in ["val_accuracy", "val_loss", "accuracy", "loss"]
            }
        ),
    },
    "loss_surface": {
        "surface_part": _tabs(*SURFACE_TABS),
        "surface_walker_start": Number(*walker.X_RANGE),
        "surface_walker_learning_rate": Choice(same([0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 1.5, 3.0])),
        "surface_walker_steps": Whole(0, 100),
        "surface_name": Choice({name: s.title for name, s in surfaces.SURFACES.items()}),
        "surface_start_x": Number(lambda p: _surface(p).x_range[0], lambda p: _surface(p).x_range[1]),
        "surface_start_y": Number(lambda p: _surface(p).y_range[0], lambda p: _surface(p).y_range[1]),
        "surface_steps": Whole(10, 500),
        **{f"surface_show_{name}": Flag() for name in surfaces.OPTIMIZERS},
        **{f"surface_lr_{name}": Choice(same(_SURFACE_LEARNING_RATES)) for name in surfaces.OPTIMIZERS},
        **{f"surface_{kw}_{name}": Number(0.0, 0.99) for name, kw in _SURFACE_HYPERPARAMETERS.items()},
        "surface_run": Choice(_landscape_networks),
        "surface_landscape_resolution": Choice(same([11, 21, 31])),
        "surface_landscape_span": Choice(same([0.25, 0.5, 1.0, 2.0])),
        "surface_landscape_plane": Choice(same(["Along the training path", "Two random directions"])),
    },
    "predictions": {
        "predictions_draw_seed": Whole(0, 10_000),
        "predictions_cell_true": Choice(_DIGITS),
        "predictions_cell_predicted": Choice(_DIGITS),
        "predictions_image_index": Whole(0, _FACTS.n_test - 1),
        "predictions_skip": Flag(),
    },
    "inside_the_network": {
        "inside_source": Choice(_inside_sources),
        "inside_test_index": Whole(0, _FACTS.n_test - 1),
        "inside_layer": Choice(None),  # the model's layer names
        # One unit per layer; how many units a layer has depends on the model.
        **{f"inside_unit_{i}": Whole(0, 1023) for i in range(MAX_HIDDEN_LAYERS + 1)},
        "inside_temperature": Number(0.1, 5.0),
        "inside_section": _tabs(*INSIDE_TABS),
        "inside_projection": Choice(same(["PCA", "t-SNE"])),
        "inside_epoch": Whole(0, 50),  # a run's epochs; the model's own count is checked by the slider
    },
    "what_it_learned": {
        "learned_section": _tabs(*LEARNED_TABS),
        "learned_source": Choice(_learned_sources),
        "learned_test_index": Whole(0, _FACTS.n_test - 1),
        "learned_class": Choice(same(["its answer", *map(str, range(10))])),
        "learned_patch": Choice(same([4, 6, 8])),
        "learned_fill": Choice(same(["grey", "black"])),
        "learned_noise": Whole(0, 160),
        "learned_rotation": Whole(-90, 90),
        "learned_shift_x": Whole(-8, 8),
        "learned_shift_y": Whole(-8, 8),
        "learned_thickness": Whole(-2, 3),
        "learned_threshold": Number(0.0, 0.99),
        "learned_target": Choice(same(["its second choice", *map(str, range(10))])),
        "learned_layer": Choice(None),  # the model's hidden layers
        "learned_off_way": Choice(same(["a digit's most active units", "units I pick"])),
        "learned_off_units": Text("3, 7, 12"),
        "learned_off_digit": Choice(_DIGITS),
        "learned_off_count": Whole(0, 1024),  # up to the layer's units
    },
    "sklearn_tuning": {
        "sklearn_tab": _tabs(*SKLEARN_TABS),
        "sklearn_shape": Choice(same([_sizes(LESSON_SIZES), _sizes(DEEP_NARROW_SIZES), "type your own"])),
        "sklearn_custom_sizes": Text("(30, 20)"),
        "sklearn_max_iter": Whole(1, 50),
        "sklearn_learning_rate": Text("0.01"),
        "sklearn_seed": Whole(0, 2**31 - 1),
        "sklearn_samples": Choice({n: f"{n:,}" for n in [1_000, 5_000, 10_000, 20_000, 60_000]}),
        "sklearn_grid_rates": Text("0.01, 0.1"),
        "sklearn_grid_sizes": Text("(10,), (20,)"),
        "sklearn_grid_samples": Choice({n: f"{n:,}" for n in [2_000, 5_000, 10_000, 20_000, 60_000]}),
        "sklearn_grid_share": Number(0.1, 0.3),
        "sklearn_grid_max_iter": Whole(1, 50),
        "sklearn_grid_seed": Whole(0, 2**31 - 1),
        "sklearn_grid_wrong_way": Flag(),
    },
}


# One step by numbers steps the Build & Train network: its link carries those settings too.
ONE_STEP_NETWORK_PARAMS = (
    "train_architecture", "train_conv_filters", "train_conv_dense_units", "train_layers",
    *(f"train_units_{i}" for i in range(MAX_HIDDEN_LAYERS)), *(f"train_dropout_{i}" for i in range(MAX_HIDDEN_LAYERS)),
    "train_activation", "train_scale", "train_optimizer", "train_learning_rate", "train_seed",
)  # fmt: skip
PAGE_PARAMS["one_step"] = {
    "step_first_image": Whole(0, _FACTS.n_train - 1),
    "step_batch_size": Choice(same([1, 2, 4, 8, 16, 32])),
    "step_layer": Choice(None),  # the network's layers with weights
    "step_input": Whole(0, 13 * 13 * 128 - 1),  # up to the widest fan-in: the largest convnet's Flatten
    "step_unit": Whole(0, 1023),
    "step_confidence": Number(0.001, 1.0),
    **{name: PAGE_PARAMS["build_and_train"][name] for name in ONE_STEP_NETWORK_PARAMS},
}
MODEL_DEPENDENT |= {"step_layer", "step_input", "step_unit"}


# --- checking a link ---

_ARRIVAL_KEY = "_links_page"  # the page the previous run of this session showed
_NOTICED_KEY = "_links_noticed"  # links already reported, so a rerun doesn't report them again
_OPEN_TABS_KEY = "_links_open_tabs"  # lazy tab key -> the label last open
LINK_POPOVER_KEY = "links_popover"  # the "Copy a link to this view" popover: open or not
_RUN_KEY = "_links_run"  # this run's page, the link's values and the link's placeholder


def problems(page: str, params: Params) -> dict[str, str]:
    """The parameters of ``params`` that ``page`` can't use: ``{name: value}``.

    Unknown names and values that are malformed or out of range; app-wide parameters never count.
    """
    described = PAGE_PARAMS[page]
    bad = {}
    for name, text in params.items():
        if name in APP_WIDE_PARAMS:
            continue
        spec = described.get(name)
        if spec is None or not spec.accepts(text, params):
            bad[name] = text
    return bad


def notice_text(bad: Mapping[str, str]) -> str:
    """The one notice for a link's unusable settings, naming each as it was in the link."""
    settings = ", ".join(f"{name}={value}" for name, value in bad.items())
    # The outcome first: a toast shows about three lines before "view more".
    return ntr(
        "{count} setting of this link was reset to its default, as this page can't use it: {settings}.",
        "{count} settings of this link were reset to their defaults, as this page can't use them: {settings}.",
        len(bad),
    ).format(count=integer(len(bad)), settings=settings)


def _labels_in_this_language(page: str, params: Params) -> dict[str, str]:
    """Rewrite the link's choices labelled in another language into the viewer's; returns the parameters."""
    params = dict(params)
    rewritten = False
    for name, text in params.items():
        spec = PAGE_PARAMS[page].get(name)
        if isinstance(spec, Choice) and not spec.accepts(text, params):
            label = spec.label_here(text, params)
            if label is not None:
                params[name] = st.query_params[name] = label  # before the widget reads it
                rewritten = True
    if rewritten:
        _seed_widgets_from_link_as_it_is_now()
    return params


def _seed_widgets_from_link_as_it_is_now() -> None:
    """Make bound widgets start from the URL as rewritten in this run, not as the browser sent it.

    A bound widget takes its first value from the query string the page arrived with, which
    ``st.query_params`` does not change; Streamlit has no public way to update it. If this moves,
    tests/app/test_spanish_surface_pages.py's link in English for a Spanish student fails.
    """
    from streamlit.runtime.state import get_session_state

    with get_session_state().query_params() as query_params:
        query_params.set_initial_query_params_from_current()


def link_to_this_view(page: str) -> None:
    """Check this page's link, then draw "Copy a link to this view". Call it before the page's widgets.

    The link shown is completed by ``finish_page`` (called by app.py after the page ran), when
    every bound widget has put its value in the URL.
    """
    params = st.query_params.to_dict()
    arrived = st.session_state.get(_ARRIVAL_KEY) != page
    st.session_state[_ARRIVAL_KEY] = page
    accepted = {}
    bad = {}
    if arrived:
        params = _labels_in_this_language(page, params)
        bad = problems(page, params)
        for name in bad:
            if not is_bound(name):
                del st.query_params[name]  # Streamlit drops a bound one itself when its widget runs
        accepted = {k: v for k, v in params.items() if k not in bad and k in PAGE_PARAMS[page]}
    # Drawn only while open (opening it reruns the page), so the page's own elements come first.
    popover = st.popover(
        tr("Copy a link to this view"),
        icon=":material/link:",
        type="tertiary",
        key=LINK_POPOVER_KEY,
        on_change="rerun",
    )
    placeholder = None
    if popover.open:
        with popover:
            st.caption(
                tr(
                    "This page with every setting as it is now. Point at the link and press the copy icon. "
                    "Your own runs and drawings stay with you."
                )
            )
            placeholder = st.empty()
    st.session_state[_RUN_KEY] = {
        "page": page,
        "order": list(params),
        "accepted": accepted,
        "bad": bad,
        "placeholder": placeholder,
    }
    if placeholder is not None:
        _show_link(placeholder, params)


def is_bound(name: str) -> bool:
    """Whether a widget of this run holds URL parameter ``name``.

    Streamlit has no public way to ask; this is its session state's own check. If it moves,
    tests/app/test_links.py fails: Inside the network's garbage link (a unit the model doesn't
    have) is only caught through it.
    """
    from streamlit.runtime.state import get_session_state

    with get_session_state().query_params() as query_params:
        return query_params.is_bound(name)


def _show_link(placeholder, params: Params) -> None:
    base = st.context.url or ""
    query = urlencode(params)
    placeholder.code(f"{base}?{query}" if query else base or "/", language=None, wrap_lines=True)


def finish_page() -> None:
    """After the page ran: the link with every bound value, and the one notice for a link's bad settings."""
    run = st.session_state.pop(_RUN_KEY, None)
    if run is None:
        return
    page, bad = run["page"], dict(run["bad"])
    # Values the page's widgets could not take although they looked right (a unit the model
    # doesn't have): Streamlit dropped them, the widget shows something else.
    for name, text in run["accepted"].items():
        shown = st.session_state.get(name)
        if name in st.session_state and is_bound(name) and not PAGE_PARAMS[page][name].shows(shown, text):
            bad[name] = text
    if bad:
        order = run["order"]
        bad = dict(sorted(bad.items(), key=lambda item: order.index(item[0])))
        noticed = st.session_state.setdefault(_NOTICED_KEY, set())
        signature = (page, tuple(sorted(bad.items())))
        if signature not in noticed:
            noticed.add(signature)
            st.toast(notice_text(bad), icon=":material/link_off:", duration="long")
    _keep_open_tabs(page)
    if run["placeholder"] is not None:
        _show_link(run["placeholder"], st.query_params.to_dict())


def remember_open_tab(key: str) -> None:
    """Keep a lazy tab's open label for the student's next visit of its page."""
    st.session_state.setdefault(_OPEN_TABS_KEY, {})[key] = st.session_state[key]


def _keep_open_tabs(page: str) -> None:
    """While the student is on another page, put each lazy tab's last label back under its key.

    Streamlit forgets a widget's value once a page without it has run; a value under the key
    when the widget comes back is taken as the widget's and put in the URL, so the student
    finds the tab they left (a link that names another tab still wins).
    """
    for key, label in st.session_state.get(_OPEN_TABS_KEY, {}).items():
        if LAZY_TABS.get(key) != page and key not in st.session_state:
            st.session_state[key] = label
