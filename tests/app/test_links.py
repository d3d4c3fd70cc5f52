"""Every view is a link: each page's parameters restore its widgets, and a bad link falls back politely.

The links below are also examples of what a lesson can link to. Together, a page's links name every
parameter ``ui.links.PAGE_PARAMS`` describes for it, and each link's page shows exactly those values.
"""

from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from ui.links import (
    APP_WIDE_PARAMS,
    LINK_POPOVER_KEY,
    MODEL_DEPENDENT,
    PAGE_PARAMS,
    Choice,
    Number,
    Whole,
    notice_text,
    problems,
)

APP_FILE = str(Path(__file__).resolve().parents[2] / "app.py")

SHIPPED = "Default: first network 784-32-10, 5 epochs (shipped with the app)"
LINKS = {
    "home": [{}],
    "data": [
        {
            "data_split": "Test",
            "data_sample_index": "9999",
            "data_class": "7",
            "data_invert": "true",
            "data_annotate": "scaled",
            "data_csv_style": "pixel1x1, pixel1x2, …",
            "data_csv_label_last": "true",
            "data_export_split": "test",
            "data_export_rows": "250",
            "data_idx_file": "t10k-labels-idx1-ubyte.gz",
            "data_montage_split": "test",
            "data_montage_sorted": "true",
            "data_zoom_row": "99",
            "data_zoom_col": "90",
            "data_zoom_size": "5",
        }
    ],
    "pixels_as_vectors": [
        {
            "pixels_sample_index": "123",
            "pixels_row": "3",
            "pixels_col": "5",
            "pixels_index": "89",
            "pixels_direction": "Wrap back: vector.reshape((28, 28))",
            "pixels_rows_done": "28",
            "pixels_colour_layout": "channels first (3, 28, 28): all reds, then all greens, then all blues",
            "pixels_colour_channel": "blue",
        }
    ],
    "dimensions": [
        {
            "dimensions_a_row": "3",
            "dimensions_a_col": "4",
            "dimensions_b_row": "20",
            "dimensions_b_col": "21",
            "dimensions_cube_n": "500",
            "dimensions_jitter": "false",
        },
        {"dimensions_section": "2 · Random points are noise", "dimensions_random_seed": "42"},
        {
            "dimensions_section": "3 · Flatten to 2-D or 3-D",
            "dimensions_method": "PCA",
            "dimensions_n": "1000",
            "dimensions_dims": "3",
        },
        {
            "dimensions_section": "4 · Walk between digits",
            "dimensions_walk_from": "1",
            "dimensions_walk_to": "7",
            "dimensions_walk_which": "5",
            "dimensions_walk_steps": "9",
        },
        {"dimensions_section": "3 · Flatten to 2-D or 3-D", "dimensions_method": "t-SNE"},
    ],
    "build_and_train": [
        {
            "train_preset": "Deeper network (two 512 layers + dropout 0.2) · Lesson 5",
            "train_layers": "5",
            **{f"train_units_{i}": str(units) for i, units in enumerate([1024, 512, 128, 64, 16])},
            **{f"train_dropout_{i}": str(rate) for i, rate in enumerate([0.5, 0.4, 0.3, 0.2, 0.1])},
            "train_activation": "tanh",
            "train_scale": "false",
            "train_optimizer": "Adam",
            "train_learning_rate": "0.01",
            "train_epochs": "12",
            "train_batch_size": "256",
            "train_validation": "Use the test set (the lesson's shortcut)",
            "train_seed": "7",
            "train_speed": "Slow motion: 2 updates a second",
        },
        {
            "train_architecture": "Small convnet (lesson 6)",
            "train_conv_filters": "16",
            "train_conv_dense_units": "64",
        },
    ],
    "loss_surface": [
        {
            "surface_walker_start": "3.6",
            "surface_walker_learning_rate": "0.5",
            "surface_walker_steps": "10",
        },
        {
            "surface_part": "2 · Two weights: optimizers race",
            "surface_name": "Round bowl",
            "surface_start_x": "1.5",
            "surface_start_y": "-1",
            "surface_steps": "300",
            "surface_show_sgd": "false",
            "surface_lr_momentum": "0.01",
            "surface_lr_rmsprop": "0.02",
            "surface_lr_adam": "0.2",
            "surface_momentum_momentum": "0.5",
            "surface_rho_rmsprop": "0.8",
            "surface_beta_1_adam": "0.7",
        },
        # The surface alone: its own start and rates come with it.
        {"surface_part": "2 · Two weights: optimizers race", "surface_name": "Round bowl"},
        {
            "surface_part": "2 · Two weights: optimizers race",
            "surface_lr_sgd": "0.05",
            **{f"surface_show_{name}": "false" for name in ("momentum", "rmsprop", "adam")},
        },
        {
            "surface_part": "3 · Your network's landscape",
            "surface_run": SHIPPED,
            "surface_landscape_resolution": "11",
            "surface_landscape_span": "0.5",
        },
    ],
    "one_step": [
        {
            "step_first_image": "59990",
            "step_batch_size": "8",
            "step_layer": "6: Dense 10 (softmax output)",
            "step_input": "31",
            "step_unit": "9",
            "step_confidence": "0.02",
            "train_layers": "5",
            **{f"train_units_{i}": str(units) for i, units in enumerate([64, 128, 16, 8, 32])},
            **{f"train_dropout_{i}": str(rate) for i, rate in enumerate([0.2, 0.1, 0.3, 0.4, 0.5])},
            "train_activation": "tanh",
            "train_scale": "false",
            "train_optimizer": "Adam",
            "train_learning_rate": "0.01",
            "train_seed": "7",
        },
        {
            "train_architecture": "Small convnet (lesson 6)",
            "train_conv_filters": "16",
            "train_conv_dense_units": "64",
            "step_layer": "1: Conv2D 16 (3 x 3, relu)",
            "step_input": "8",
            "step_unit": "15",
        },
    ],
    "predictions": [
        {
            "predictions_draw_seed": "3",
            "predictions_cell_true": "2",
            "predictions_cell_predicted": "8",
            "predictions_image_index": "42",
        }
    ],
    "inside_the_network": [
        {
            "inside_source": "A test image",
            "inside_test_index": "17",
            "inside_layer": "output (10 units, softmax)",
            "inside_unit_1": "3",
            "inside_temperature": "2.5",
        },
        {"inside_unit_0": "31"},
        {"inside_section": "2 · Layer by layer", "inside_projection": "t-SNE"},
        {"inside_section": "2 · Layer by layer", "inside_epoch": "3"},
        {"inside_section": "3 · Tensor shapes", "inside_test_index": "5"},
    ],
    "what_it_learned": [
        {
            "learned_source": "A test image",
            "learned_test_index": "42",
            "learned_class": "3",
            "learned_patch": "8",
            "learned_fill": "black",
        },
        {
            "learned_section": "2 · When it fails",
            "learned_noise": "40",
            "learned_rotation": "-30",
            "learned_shift_x": "2",
            "learned_shift_y": "-3",
            "learned_thickness": "1",
            "learned_threshold": "0.8",
        },
        {"learned_section": "3 · An adversarial nudge", "learned_target": "5"},
        {
            "learned_section": "4 · Switch neurons off",
            "learned_layer": "hidden_1 (32 units)",
            "learned_off_digit": "4",
            "learned_off_count": "12",
        },
        {
            "learned_section": "4 · Switch neurons off",
            "learned_off_way": "units I pick",
            "learned_off_units": "3, 7, 12",
        },
    ],
    "sklearn_tuning": [
        {
            "sklearn_tab": "Grid search, done honestly",
            "sklearn_shape": "type your own",
            "sklearn_custom_sizes": "(30, 20)",
            "sklearn_max_iter": "5",
            "sklearn_learning_rate": "0.01",
            "sklearn_seed": "3",
            "sklearn_samples": "5,000",
            "sklearn_grid_rates": "0.01, 0.1",
            "sklearn_grid_sizes": "(10,), (20,)",
            "sklearn_grid_samples": "5,000",
            "sklearn_grid_share": "0.3",
            "sklearn_grid_max_iter": "3",
            "sklearn_grid_seed": "9",
            "sklearn_grid_wrong_way": "true",
        },
        {"sklearn_shape": "(10, 10, 10, 10, 10)"},
    ],
}
# Keyed widgets that are not settings of the view: actions, a confirmation, uploads and the parts of
# the page other engineers bind (the model picker, the drawing).
NOT_SETTINGS = {
    "train_confirm_long",
    "train_upload",
    "predictions_source",
    "predictions_upload",
    "predictions_grid_test_index",  # which test digit the keyboard grid starts from: part of the drawing
    "language_picker",  # not bound: it writes its choice into the link as the app-wide ``lang`` (ui/language.py)
}
NOT_SETTINGS_PREFIXES = ("predictions_canvas_",)  # a drawing is the student's own, not a link's
# Parameters whose widget appears only in a state a link can't make (the landscape's plane once it
# is computed; the predictions toggle once a digit is drawn; the compare metric once two runs
# finished; the units of layers 3-6, which only a deeper session run has): they are bound like the
# others, and their values are checked by ``problems``.
NEEDS_A_SESSION = {"surface_landscape_plane", "predictions_skip", "train_compare_metric"} | {
    f"inside_unit_{i}" for i in range(2, 6)
}
WIDGET_TYPES = (
    "slider",
    "select_slider",
    "number_input",
    "selectbox",
    "radio",
    "toggle",
    "checkbox",
    "text_input",
    "button_group",
)


def arrive(page: str, params: dict) -> AppTest:
    """Open ``page`` from a link with ``params``, as a fresh browser would."""
    app = AppTest.from_file(APP_FILE, default_timeout=120)
    app.run()
    app.query_params = dict(params)
    if page != "home":
        app.switch_page(f"app_pages/{page}.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def copied_link(app: AppTest) -> str:
    """Open "Copy a link to this view" and read the link; close it again."""
    app.session_state[LINK_POPOVER_KEY] = True
    app.run()
    link = app.code[0].value
    app.session_state[LINK_POPOVER_KEY] = False
    app.run()
    return link


def keyed_widgets(app: AppTest) -> dict:
    return {w.key: w for kind in WIDGET_TYPES for w in app.get(kind) if getattr(w, "key", None)}


def bound(app: AppTest, key: str) -> bool:
    """Whether ``key`` is bound to the URL (Streamlit has no public way to ask)."""
    with app.session_state._state.query_params() as query_params:
        return query_params.is_bound(key)


def check_widget_matches_description(widget, spec, params: dict) -> None:
    """The description's range or labels are the widget's own, so a link is judged as the widget would."""
    if widget.key in MODEL_DEPENDENT:
        assert not isinstance(spec, Whole) or spec.low <= widget.min <= widget.max <= spec.top(params)
    elif isinstance(spec, Whole):
        assert (widget.min, widget.max) == (spec.low, spec.top(params)), widget.key
    elif isinstance(spec, Number):
        assert (widget.min, widget.max) == pytest.approx(spec.bounds(params)), widget.key
    elif isinstance(spec, Choice) and spec.options(params) is not None:
        assert list(widget.options) == list(spec.options(params).values()), widget.key


@pytest.mark.parametrize("page", list(LINKS))
def test_every_link_restores_its_view(page):
    described = PAGE_PARAMS[page]
    named = {name for link in LINKS[page] for name in link}
    assert named | NEEDS_A_SESSION >= set(described), "a described parameter no test link restores"
    for link in LINKS[page]:
        assert not problems(page, link)
        app = arrive(page, link)
        assert not app.toast, [t.value for t in app.toast]
        for name, text in link.items():
            assert described[name].shows(app.session_state[name], text), (name, app.session_state[name], text)
        widgets = keyed_widgets(app)
        for key, widget in widgets.items():
            if key in APP_WIDE_PARAMS:  # presenter view and the model picker, on more than one page
                assert bound(app, key), f"{key} is app-wide but not bound to the URL"
                continue
            if key in NOT_SETTINGS or key.startswith(NOT_SETTINGS_PREFIXES):
                continue
            assert key in described, f"{key} is a widget of {page} that ui.links does not describe"
            assert bound(app, key), f"{key} is described but not bound to the URL"
            check_widget_matches_description(widget, described[key], link)
        # The link to copy is the page's URL with every setting that differs from its default.
        assert copied_link(app) == ("?" + urlencode(app.query_params) if app.query_params else "/")


def test_the_tabs_and_the_sample_are_in_the_url():
    app = arrive("dimensions", {"dimensions_section": "4 · Walk between digits", "dimensions_walk_to": "1"})
    assert app.query_params["dimensions_section"] == "4 · Walk between digits"
    assert app.query_params["dimensions_walk_to"] == "1"
    assert "dimensions_section=4+%C2%B7+Walk+between+digits" in copied_link(app)


GARBAGE = {
    "data": {"data_sample_index": "abc", "data_zoom_size": "999", "data_split": "Train-ish"},
    "build_and_train": {"train_epochs": "abc", "train_optimizer": "adamw", "train_layers": "9"},
    "dimensions": {"dimensions_section": "5 · Nothing", "dimensions_a_row": "-3"},
    "loss_surface": {"surface_walker_steps": "1e9", "surface_walker_start": "nan"},
    "inside_the_network": {"inside_test_index": "10000", "inside_unit_0": "40", "inside_section": "9 · Nope"},
    "predictions": {"predictions_image_index": "-1", "predictions_cell_true": "11"},
    "sklearn_tuning": {"sklearn_tab": "Nope", "sklearn_max_iter": "0"},
    "pixels_as_vectors": {"pixels_row": "28"},
    "one_step": {"step_first_image": "60000", "train_optimizer": "adamw", "step_confidence": "0"},
    "what_it_learned": {"learned_test_index": "10000", "learned_rotation": "91", "learned_section": "5 · No"},
}


@pytest.mark.parametrize("page", list(GARBAGE))
def test_a_garbage_link_gives_one_notice_and_the_defaults(page):
    garbage = {**GARBAGE[page], "foo": "1"}
    app_wide = {"presenter": "true", "lesson": "2", "step": "3", "room": "ABCD", "lang": "en"}
    defaults = arrive(page, {})
    app = arrive(page, {**garbage, **app_wide})
    assert [t.value for t in app.toast] == [notice_text(garbage)]
    assert not set(APP_WIDE_PARAMS) & set(problems(page, {**garbage, **app_wide}))
    for name in garbage:
        if name in PAGE_PARAMS[page] and name in defaults.session_state:
            assert app.session_state[name] == defaults.session_state[name], name
    assert "foo" not in app.query_params
    # app-wide parameters are left alone (presenter is bound to its toggle, which has its own test)
    assert app.query_params["lang"] == "en"  # (the lesson bar answers an unknown lesson itself)
    app.run()
    assert not app.toast, "the notice comes once per link, not on every rerun"
    assert not app.exception


def test_a_notice_names_what_was_reset():
    assert notice_text({"train_epochs": "abc", "foo": "1"}) == (
        "2 settings of this link were reset to their defaults, as this page can't use them: "
        "train_epochs=abc, foo=1."
    )
    assert notice_text({"foo": "1"}) == (
        "1 setting of this link was reset to its default, as this page can't use it: foo=1."
    )


def test_a_dependent_range_follows_the_link():
    assert not problems("data", {"data_split": "Train", "data_sample_index": "59999"})
    assert problems("data", {"data_split": "Test", "data_sample_index": "10000"}) == {
        "data_sample_index": "10000"
    }
    assert problems("loss_surface", {"surface_name": "Round bowl", "surface_start_x": "2.5"})


def test_a_lazy_tab_comes_back_after_another_page_and_a_link_still_wins():
    app = arrive("dimensions", {"dimensions_section": "3 · Flatten to 2-D or 3-D"})
    app.switch_page("app_pages/data.py").run()
    app.query_params = {}
    app.switch_page("app_pages/dimensions.py").run()
    assert app.session_state["dimensions_section"] == "3 · Flatten to 2-D or 3-D"
    assert app.query_params["dimensions_section"] == "3 · Flatten to 2-D or 3-D"
    app.switch_page("app_pages/data.py").run()
    app.query_params = {"dimensions_section": "4 · Walk between digits"}
    app.switch_page("app_pages/dimensions.py").run()
    assert app.session_state["dimensions_section"] == "4 · Walk between digits"
