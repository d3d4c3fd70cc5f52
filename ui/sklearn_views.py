"""Views for the scikit-learn & tuning page: cached runs, live panels and result blocks.

Finished results live in one server-wide dict keyed by their settings, so when a
lecturer re-opens the page with the same settings the result shows at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from mnist_core.figures.sklearn_figures import framework_figure, grid_heatmap, loss_curves_figure
from mnist_core.sklearn_models import (
    DEEP_NARROW_SIZES,
    LESSON_SIZES,
    MLPRun,
    MLPSettings,
    ShiftedControl,
    check_learning_rate,
    describe_sizes,
    mlp_parameter_counts,
    parse_layer_sizes,
    train_mlp,
)
from mnist_core.tasks import TaskSnapshot, TaskState, TaskStopped
from mnist_core.tuning import GridResult, GridSpec, matrix_from_rows, run_grid
from ui import fair_share
from ui.charts import show_chart
from ui.resources import mnist, training_slots
from ui.tasks import get_task, start_task, task_panel

MAX_CACHED_RESULTS = 40  # small models and numbers only; the oldest go first


@st.cache_resource
def result_store() -> dict:
    """Finished results of every session, keyed by ("kind", settings)."""
    return {}


def remember(store: dict, key: tuple, value: Any) -> None:
    store[key] = value
    while len(store) > MAX_CACHED_RESULTS:
        store.pop(next(iter(store)))


def start_cached(
    task_key: str, cache_key: tuple, work: Callable, name: str, slots, needs_keras: bool = False
) -> None:
    """Start ``work`` in the background unless this exact result is already known."""
    store = result_store()
    if cache_key in store:
        return
    data = mnist()

    def run(control):
        result = work(data, store, control)
        if not control.stop_requested:
            remember(store, cache_key, result)
        return result

    st.session_state[f"{task_key}_for"] = cache_key
    start_task(task_key, run, name, slots, needs_keras=needs_keras)


def show_task_or_result(
    task_key: str,
    cache_key: tuple,
    draw_live: Callable[[TaskSnapshot], None],
    draw_result: Callable[[Any], None],
    hint: str,
) -> None:
    """The cached result for ``cache_key``, else the live task started for it, else ``hint``."""
    result = result_store().get(cache_key)
    task = get_task(task_key)
    if result is not None:
        draw_result(result)
    elif task is not None and st.session_state.get(f"{task_key}_for") == cache_key:
        task_panel(task_key, draw_live)
    else:
        if task is not None and not task.snapshot().is_over:
            st.info(
                "A run with other settings is still going: its progress is below.", icon=":material/sync:"
            )
            task_panel(task_key, None)
        st.caption(hint)


def run_section(
    button: dict,
    task_key: str,
    cache_key: tuple,
    work: Callable,
    slots,
    draw_live: Callable[[TaskSnapshot], None],
    draw_result: Callable[[Any], None],
    hint: str,
    needs_keras: bool = False,
) -> None:
    """A button that starts ``work`` (unless cached), then its live panel or finished result."""
    elsewhere = fair_share.training_elsewhere(task_key) if slots is training_slots() else None
    if elsewhere is not None:  # one training per session at a time, whichever page started it
        st.caption(fair_share.one_at_a_time_message(elsewhere))
        button = {**button, "disabled": True}
    if st.button(**button):
        start_cached(task_key, cache_key, work, button["label"], slots, needs_keras)
    show_task_or_result(task_key, cache_key, draw_live, draw_result, hint)


# --- the settings shared by three tabs ---

TRAIN_SIZES = [1_000, 5_000, 10_000, 20_000, 60_000]
CUSTOM = "type your own"


def mlp_settings_form() -> MLPSettings | None:
    """The MLPClassifier's hyperparameters; None (with the reason shown) when they make no sense."""
    shape_column, iter_column, rate_column, seed_column, size_column = st.columns([3, 1, 1, 1, 1])
    shape_choice = shape_column.radio(
        "hidden_layer_sizes",
        [describe_sizes(LESSON_SIZES), describe_sizes(DEEP_NARROW_SIZES), CUSTOM],
        horizontal=True,
        key="sklearn_shape",
        bind="query-params",
        help="One number per hidden layer: (50,) is one layer of 50 neurons, (10, 10) two layers of 10.",
    )
    shape_text = (
        shape_column.text_input("Your sizes", "(20, 10)", key="sklearn_custom_sizes", bind="query-params")
        if shape_choice == CUSTOM
        else shape_choice
    )
    max_iter = iter_column.number_input(
        "max_iter", 1, 50, 10, key="sklearn_max_iter", bind="query-params", help="Passes over the data."
    )
    rate_text = rate_column.text_input(
        "learning_rate_init", "0.001", key="sklearn_learning_rate", bind="query-params"
    )
    seed = seed_column.number_input("random_state", 0, 2**31 - 1, 1, key="sklearn_seed", bind="query-params")
    samples = size_column.selectbox(
        "Training images",
        TRAIN_SIZES,
        index=len(TRAIN_SIZES) - 1,
        format_func="{:,}".format,
        key="sklearn_samples",
        bind="query-params",
        help="All 60,000 is the lesson's run: half a minute to two minutes here. Fewer images train faster.",
    )
    try:
        sizes, rate = parse_layer_sizes(shape_text), check_learning_rate(rate_text)
        return MLPSettings(sizes, int(max_iter), rate, int(seed), samples)
    except ValueError as error:
        st.error(f"Can't train that: {error}.", icon=":material/tune:")
        return None


# --- train one MLPClassifier ---


def train_work(settings: MLPSettings) -> Callable:
    return lambda data, store, control: train_mlp(settings, data, control)


def draw_training_live(snapshot: TaskSnapshot) -> None:
    curve = snapshot.detail.get("loss_curve", [])
    if curve:
        show_chart(loss_curves_figure({"training loss": curve}), key="sklearn_live_loss")
    else:
        st.caption("The first point appears after one pass over the training images.")
    if isinstance(snapshot.result, MLPRun):
        draw_training_result(snapshot.result)


def draw_training_result(run: MLPRun) -> None:
    show_chart(loss_curves_figure({"training loss": run.loss_curve}), key="sklearn_result_loss")
    columns = st.columns(4)
    columns[0].metric("Training accuracy", f"{run.train_accuracy:.4f}")
    columns[1].metric("Test accuracy", f"{run.test_accuracy:.4f}")
    columns[2].metric("Fitting time", f"{run.train_seconds:.1f} s")
    columns[3].metric("Parameters", f"{run.parameters:,}")
    stopped = " It was stopped early, so it saw fewer passes than asked." if run.stopped_early else ""
    st.caption(
        f"{run.train_accuracy:.1%} right on the {run.settings.train_samples:,} images it trained on, "
        f"{run.test_accuracy:.1%} on 10,000 test images written by other people: the test score is the one "
        f"to believe.{stopped}"
    )


# --- same 50 neurons, two shapes ---

SHAPES = (LESSON_SIZES, DEEP_NARROW_SIZES)


def shape_settings(settings: MLPSettings) -> list[MLPSettings]:
    return [
        MLPSettings(
            sizes,
            settings.max_iter,
            settings.learning_rate_init,
            settings.random_state,
            settings.train_samples,
        )
        for sizes in SHAPES
    ]


def parameter_table() -> pd.DataFrame:
    rows = []
    for sizes in SHAPES:
        for count in mlp_parameter_counts(sizes):
            rows.append(
                {
                    "network": describe_sizes(sizes),
                    "layer": count.name,
                    "formula": count.formula,
                    "parameters": count.parameters,
                }
            )
    return pd.DataFrame(rows)


def shapes_work(settings: MLPSettings) -> Callable:
    def work(data, store, control):
        runs = []
        for number, each in enumerate(shape_settings(settings)):
            cached = store.get(("mlp", each))
            if cached is None:
                control.update_detail(lambda detail: detail.update(loss_curve=[]))
                cached = train_mlp(each, data, ShiftedControl(control, number / 2, (number + 1) / 2))
                if cached.stopped_early:
                    raise TaskStopped()
                remember(store, ("mlp", each), cached)
            runs.append(cached)
            done = {"label": describe_sizes(each.hidden_layer_sizes), "curve": cached.loss_curve}
            control.update_detail(lambda detail, done=done: detail.setdefault("done", []).append(done))
        return runs

    return work


def draw_shapes_live(snapshot: TaskSnapshot) -> None:
    curves = {done["label"]: done["curve"] for done in snapshot.detail.get("done", [])}
    if snapshot.detail.get("loss_curve") and len(curves) < 2:
        curves["training now"] = snapshot.detail["loss_curve"]
    if curves:
        show_chart(loss_curves_figure(curves), key="sklearn_shapes_live")


def draw_shapes_result(runs: list[MLPRun]) -> None:
    curves = {describe_sizes(run.settings.hidden_layer_sizes): run.loss_curve for run in runs}
    show_chart(loss_curves_figure(curves), key="sklearn_shapes_loss")
    table = pd.DataFrame(
        [
            {
                "hidden_layer_sizes": describe_sizes(run.settings.hidden_layer_sizes),
                "hidden neurons": sum(run.settings.hidden_layer_sizes),
                "parameters": run.parameters,
                "training accuracy": run.train_accuracy,
                "test accuracy": run.test_accuracy,
                "fit seconds": round(run.train_seconds, 1),
            }
            for run in runs
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    wide, deep = runs
    st.caption(
        f"Same 50 hidden neurons: {wide.test_accuracy:.1%} test accuracy for one wide layer, "
        f"{deep.test_accuracy:.1%} for five narrow ones. The wide one has {wide.parameters / deep.parameters:.1f} times as many weights, because its 50 "
        "neurons each see all 784 pixels, while four of the five narrow layers only see 10 numbers each."
    )


# --- the grid search ---


def grid_work(spec: GridSpec) -> Callable:
    return lambda data, store, control: run_grid(spec, data, control)


def size_labels(spec: GridSpec) -> list[str]:
    return [describe_sizes(tuple(sizes)) for sizes in spec.layer_sizes]


def draw_grid_live(spec: GridSpec) -> Callable[[TaskSnapshot], None]:
    def draw(snapshot: TaskSnapshot) -> None:
        rows = snapshot.detail.get("candidates", [])
        matrix = matrix_from_rows(spec, rows)
        show_chart(
            grid_heatmap(
                matrix, list(spec.learning_rates), size_labels(spec), title="Validation accuracy so far"
            ),
            key="sklearn_grid_live",
        )
        if snapshot.state == TaskState.STOPPED and rows:
            st.caption(
                f"Stopped after {len(rows)} of {len(spec.candidates)} combinations: no winner was picked."
            )

    return draw


def heatmap(result: GridResult, which: str, picked: int, title: str, key: str) -> None:
    spec = result.spec
    show_chart(
        grid_heatmap(
            result.accuracy_matrix(which),
            list(spec.learning_rates),
            size_labels(spec),
            winner=divmod(picked, len(spec.layer_sizes)),
            title=title,
        ),
        key=key,
    )


def draw_grid_result(result: GridResult) -> None:
    spec = result.spec
    reported = result.reported
    if spec.select_by == "test":
        honest = result.candidates[result.honest_winner]
        test_column, validation_column = st.columns(2)
        with test_column:
            heatmap(result, "test", result.winner, "Test accuracy: ★ picked by it", "sklearn_grid_heatmap")
        with validation_column:
            heatmap(
                result,
                "validation",
                result.honest_winner,
                "Validation accuracy: ★ = honest pick",
                "sklearn_grid_val",
            )
        columns = st.columns(3)
        columns[0].metric("Reported score (picked by test)", f"{result.winner_test_accuracy:.4f}")
        columns[1].metric("Honest score (picked by validation)", f"{honest.test_accuracy:.4f}")
        columns[2].metric("Times the test set was used", result.test_evaluations)
        if result.winner == result.honest_winner:
            verdict = (
                "Here both ways pick the same model, so the two numbers match. The wrong way was lucky, not "
                "right: its score was chosen for being the highest of several test scores, and with closer "
                "candidates that choice flatters."
            )
        else:
            verdict = (
                f"Choosing by validation picks **{honest.label}** instead, and its test score is "
                f"{result.optimism:.4f} lower: that gap is how much the wrong way flatters itself."
            )
        st.warning(
            f"The wrong way picked **{reported.label}** because it scored best on the test set, then reported that "
            f"same score. The test set has now helped choose, so no untouched images are left to check it. "
            + verdict,
            icon=":material/visibility:",
        )
    else:
        heatmap(
            result,
            "validation",
            result.winner,
            "Validation accuracy: ★ is the one picked",
            "sklearn_grid_heatmap",
        )
        columns = st.columns(3)
        columns[0].metric("Winner (by validation)", reported.label)
        columns[1].metric("Its validation accuracy", f"{reported.validation_accuracy:.4f}")
        columns[2].metric("Its test accuracy, measured once", f"{result.winner_test_accuracy:.4f}")
        st.success(
            f"{spec.validation_size:,} of the {spec.train_samples:,} training images were held out to choose; "
            f"the test set was used {result.test_evaluations} time, for the winner only, after choosing. "
            "That single test score is an honest estimate for new handwriting.",
            icon=":material/verified:",
        )
    table = pd.DataFrame([candidate.as_row() for candidate in result.candidates])
    table.insert(0, "picked", ["★" if index == result.winner else "" for index in range(len(table))])
    # Written out as text: the grid would show a missing score as "None".
    table["test accuracy"] = [
        "not tested" if value is None or pd.isna(value) else f"{value:.4f}"
        for value in table["test accuracy"]
    ]
    accuracy_format = {"learning rate": "{:g}", "validation accuracy": "{:.4f}", "fit seconds": "{:.2f}"}
    st.dataframe(table.style.format(accuracy_format), hide_index=True, width="stretch")
    st.caption(f"{len(result.candidates)} networks trained in {result.seconds:.0f} s.")


# --- Keras and scikit-learn side by side ---


def keras_work(settings: MLPSettings) -> Callable:
    from mnist_core.sklearn_models import compare_with_keras

    return lambda data, store, control: compare_with_keras(settings, data, control)


def draw_keras_live(snapshot: TaskSnapshot) -> None:
    curve = snapshot.detail.get("loss_curve", [])
    if curve and "sklearn" not in snapshot.detail:
        show_chart(loss_curves_figure({"scikit-learn loss": curve}), key="sklearn_keras_live")
    elif "sklearn" in snapshot.detail:
        sklearn_score = snapshot.detail["sklearn"]
        st.caption(
            f"scikit-learn done: test accuracy {sklearn_score.test_accuracy:.4f} in {sklearn_score.fit_seconds:.1f} s."
        )


def draw_keras_result(scores) -> None:
    show_chart(
        framework_figure(
            [score.framework for score in scores],
            [score.test_accuracy for score in scores],
            [score.fit_seconds for score in scores],
        ),
        key="sklearn_keras_figure",
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "framework": score.framework,
                    "passes over the data": score.iterations,
                    "training accuracy": score.train_accuracy,
                    "test accuracy": score.test_accuracy,
                    "fit seconds": round(score.fit_seconds, 1),
                }
                for score in scores
            ]
        ),
        hide_index=True,
        width="stretch",
    )
