"""Views for the scikit-learn & tuning page: cached runs, live panels and result blocks.

Every run is a job in a worker process (``mnist_core`` functions of plain data, bound with
``functools.partial``). Finished results live in one server-wide dict keyed by their settings,
kept there when the page first sees its task finished, so when a lecturer re-opens the page with
the same settings the result shows at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from mnist_core.figures.sklearn_figures import framework_figure, grid_heatmap, loss_curves_figure
from mnist_core.i18n import N_, decimal_separators, integer, ntr, number, percent, tr
from mnist_core.jobs.result_store import fingerprint
from mnist_core.jobs.tasks import TaskSnapshot, TaskState
from mnist_core.scikit.sklearn_models import (
    DEEP_NARROW_SIZES,
    LESSON_SIZES,
    MLPRun,
    MLPSettings,
    check_learning_rate,
    compare_with_keras_job,
    describe_sizes,
    mlp_parameter_counts,
    parse_layer_sizes,
    train_mlp_job,
    train_shapes_job,
)
from mnist_core.scikit.tuning import GridResult, GridSpec, matrix_from_rows, run_grid_job
from ui import fair_share
from ui.charts import chart, show_chart
from ui.resources import training_slots
from ui.results import data_source, server_results
from ui.tasks import get_task, start_task, task_panel


def stored_key(cache_key: tuple) -> str:
    """The result store's key of ("kind", settings...): the settings and the data the worker reads."""
    return fingerprint(f"sklearn.{cache_key[0]}", *cache_key[1:], data_source())


def stored(cache_key: tuple) -> Any:
    """The finished result of every session for ("kind", settings...), or None."""
    return server_results().get(stored_key(cache_key))


def remember(cache_key: tuple, value: Any) -> None:
    server_results().put(stored_key(cache_key), value)


def start_cached(task_key: str, cache_key: tuple, work: Callable, name: str, slots) -> None:
    """Start ``work(control)`` in a worker unless this exact result is already known.

    ``work`` is a picklable job (a ``mnist_core`` function bound with ``functools.partial``): it
    reads MNIST in the worker, so neither its CPU nor the comparison's TensorFlow is the server's.
    """
    if stored_key(cache_key) in server_results():
        return
    st.session_state[f"{task_key}_for"] = cache_key
    start_task(task_key, work, name, slots, in_worker=True)


def runs_inside(result: Any) -> list[tuple[tuple, MLPRun]]:
    """The single runs a result holds (the two shapes' runs), so the Train tab reuses them."""
    if isinstance(result, list) and all(isinstance(run, MLPRun) for run in result):
        return [(("mlp", run.settings), run) for run in result]
    return []


def finished_result(task_key: str, cache_key: tuple) -> Any:
    """The result for ``cache_key``: kept for every session once the task started for it has finished."""
    task = get_task(task_key)
    if (
        stored_key(cache_key) not in server_results()
        and task is not None
        and st.session_state.get(f"{task_key}_for") == cache_key
    ):
        snapshot = task.snapshot()
        if snapshot.state == TaskState.FINISHED:  # a stopped task's result is not the one asked for
            for key, run in runs_inside(snapshot.result):
                remember(key, run)
            remember(cache_key, snapshot.result)
    return stored(cache_key)


def show_task_or_result(
    task_key: str,
    cache_key: tuple,
    draw_live: Callable[[TaskSnapshot], None],
    draw_result: Callable[[Any], None],
    hint: str,
) -> None:
    """The cached result for ``cache_key``, else the live task started for it, else ``hint``."""
    result = finished_result(task_key, cache_key)
    task = get_task(task_key)
    if result is not None:
        draw_result(result)
    elif task is not None and st.session_state.get(f"{task_key}_for") == cache_key:
        task_panel(task_key, draw_live)
    else:
        if task is not None and not task.snapshot().is_over:
            st.info(
                tr("A run with other settings is still going: its progress is below."), icon=":material/sync:"
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
) -> None:
    """A button that starts ``work`` (unless cached), then its live panel or finished result."""
    elsewhere = fair_share.training_elsewhere(task_key) if slots is training_slots() else None
    if elsewhere is not None:  # one training per session at a time, whichever page started it
        st.caption(fair_share.one_at_a_time_message(elsewhere))
        button = {**button, "disabled": True}
    if st.button(**button):
        start_cached(task_key, cache_key, work, button["label"], slots)
    show_task_or_result(task_key, cache_key, draw_live, draw_result, hint)


def rate_label(rate: float) -> str:
    """A learning rate as ``:g`` writes it (0.001, 1e-05), with the language's decimal mark."""
    return f"{rate:g}".replace(".", decimal_separators()[0])


def show_table(table: pd.DataFrame, formats: dict[str, int | Callable[[Any], str]]) -> None:
    """A table with its column names in the viewer's language; ``formats``: decimals or a function per column.

    The data keeps its numbers (for the code and the tests); only what is shown is formatted, as the
    language writes numbers (0,9512).
    """
    shown = table.rename(columns=tr)
    writers = {
        tr(column): form if callable(form) else (lambda value, d=form: number(value, d))
        for column, form in formats.items()
    }
    st.dataframe(shown.style.format(writers), hide_index=True, width="stretch")


# --- the settings shared by three tabs ---

TRAIN_SIZES = [1_000, 5_000, 10_000, 20_000, 60_000]
CUSTOM = N_("type your own")
# The select boxes of image counts are bound to the link, which holds their label: these English
# labels are ui.links' (f"{n:,}"), and each language writes its own ("60.000").
IMAGE_COUNT_LABELS = {
    1_000: N_("1,000"),
    2_000: N_("2,000"),
    5_000: N_("5,000"),
    10_000: N_("10,000"),
    20_000: N_("20,000"),
    60_000: N_("60,000"),
}


def image_count_label(count: int) -> str:
    return tr(IMAGE_COUNT_LABELS[count]) if count in IMAGE_COUNT_LABELS else integer(count)


def mlp_settings_form() -> MLPSettings | None:
    """The MLPClassifier's hyperparameters; None (with the reason shown) when they make no sense."""
    shape_column, iter_column, rate_column, seed_column, size_column = st.columns([3, 1, 1, 1, 1])
    shape_choice = shape_column.radio(
        "hidden_layer_sizes",
        [describe_sizes(LESSON_SIZES), describe_sizes(DEEP_NARROW_SIZES), CUSTOM],
        format_func=lambda option: tr(option) if option == CUSTOM else option,
        horizontal=True,
        key="sklearn_shape",
        bind="query-params",
        help=tr("One number per hidden layer: (50,) is one layer of 50 neurons, (10, 10) two layers of 10."),
    )
    shape_text = (
        shape_column.text_input(tr("Your sizes"), "(20, 10)", key="sklearn_custom_sizes", bind="query-params")
        if shape_choice == CUSTOM
        else shape_choice
    )
    max_iter = iter_column.number_input(
        "max_iter", 1, 50, 10, key="sklearn_max_iter", bind="query-params", help=tr("Passes over the data.")
    )
    rate_text = rate_column.text_input(
        "learning_rate_init", "0.001", key="sklearn_learning_rate", bind="query-params"
    )
    seed = seed_column.number_input("random_state", 0, 2**31 - 1, 1, key="sklearn_seed", bind="query-params")
    samples = size_column.selectbox(
        tr("Training images"),
        TRAIN_SIZES,
        index=len(TRAIN_SIZES) - 1,
        format_func=image_count_label,
        key="sklearn_samples",
        bind="query-params",
        help=tr(
            "All 60,000 is the lesson's run: half a minute to two minutes here. Fewer images train faster."
        ),
    )
    try:
        sizes, rate = parse_layer_sizes(shape_text), check_learning_rate(rate_text)
        return MLPSettings(sizes, int(max_iter), rate, int(seed), samples)
    except ValueError as error:
        st.error(tr("Can't train that: {error}.").format(error=error), icon=":material/tune:")
        return None


# --- train one MLPClassifier ---


def train_work(settings: MLPSettings) -> Callable:
    return functools.partial(train_mlp_job, settings)


def draw_training_live(snapshot: TaskSnapshot) -> None:
    curve = snapshot.detail.get("loss_curve", [])
    if curve:
        show_chart(loss_curves_figure({tr("training loss"): curve}), key="sklearn_live_loss")
    else:
        st.caption(tr("The first point appears after one pass over the training images."))


def draw_training_result(run: MLPRun) -> None:
    show_chart(chart(loss_curves_figure, {tr("training loss"): run.loss_curve}), key="sklearn_result_loss")
    columns = st.columns(4)
    columns[0].metric(tr("Training accuracy"), number(run.train_accuracy, 4))
    columns[1].metric(tr("Test accuracy"), number(run.test_accuracy, 4))
    columns[2].metric(tr("Fitting time"), f"{number(run.train_seconds, 1)} s")
    columns[3].metric(tr("Parameters"), integer(run.parameters))
    st.caption(
        tr(
            "{train} right on the {count} images it trained on, {test} on {test_count} test images written "
            "by other people: the test score is the one to believe."
        ).format(
            train=percent(run.train_accuracy, 1),
            count=integer(run.settings.train_samples),
            test=percent(run.test_accuracy, 1),
            test_count=integer(10_000),
        )
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
                    tr("network"): describe_sizes(sizes),
                    tr("layer"): count.name,
                    tr("formula"): count.formula,
                    tr("parameters"): count.parameters,
                }
            )
    return pd.DataFrame(rows)


def shapes_work(settings: MLPSettings) -> Callable:
    """The job that trains both shapes; a shape this server trained already is sent along, not retrained."""
    each = tuple(shape_settings(settings))
    return functools.partial(train_shapes_job, each, tuple(stored(("mlp", one)) for one in each))


def draw_shapes_live(snapshot: TaskSnapshot) -> None:
    curves = {done["label"]: done["curve"] for done in snapshot.detail.get("done", [])}
    if snapshot.detail.get("loss_curve") and len(curves) < 2:
        curves[tr("training now")] = snapshot.detail["loss_curve"]
    if curves:
        show_chart(loss_curves_figure(curves), key="sklearn_shapes_live")


def draw_shapes_result(runs: list[MLPRun]) -> None:
    curves = {describe_sizes(run.settings.hidden_layer_sizes): run.loss_curve for run in runs}
    show_chart(chart(loss_curves_figure, curves), key="sklearn_shapes_loss")
    table = pd.DataFrame(
        [
            {
                "hidden_layer_sizes": describe_sizes(run.settings.hidden_layer_sizes),
                N_("hidden neurons"): sum(run.settings.hidden_layer_sizes),
                N_("parameters"): run.parameters,
                N_("training accuracy"): run.train_accuracy,
                N_("test accuracy"): run.test_accuracy,
                N_("fit seconds"): round(run.train_seconds, 1),
            }
            for run in runs
        ]
    )
    show_table(table, {"training accuracy": 4, "test accuracy": 4, "fit seconds": 1})
    wide, deep = runs
    st.caption(
        tr(
            "Same 50 hidden neurons: {wide} test accuracy for one wide layer, {deep} for five narrow ones. "
            "The wide one has {ratio} times as many weights, because its 50 neurons each see all 784 pixels, "
            "while four of the five narrow layers only see 10 numbers each."
        ).format(
            wide=percent(wide.test_accuracy, 1),
            deep=percent(deep.test_accuracy, 1),
            ratio=number(wide.parameters / deep.parameters, 1),
        )
    )


# --- the grid search ---


def grid_work(spec: GridSpec) -> Callable:
    return functools.partial(run_grid_job, spec)


def size_labels(spec: GridSpec) -> list[str]:
    return [describe_sizes(tuple(sizes)) for sizes in spec.layer_sizes]


def draw_grid_live(spec: GridSpec) -> Callable[[TaskSnapshot], None]:
    def draw(snapshot: TaskSnapshot) -> None:
        rows = snapshot.detail.get("candidates", [])
        matrix = matrix_from_rows(spec, rows)
        show_chart(
            grid_heatmap(
                matrix, list(spec.learning_rates), size_labels(spec), title=tr("Validation accuracy so far")
            ),
            key="sklearn_grid_live",
        )
        if snapshot.state == TaskState.STOPPED and rows:
            st.caption(
                tr("Stopped after {done} of {total} combinations: no winner was picked.").format(
                    done=integer(len(rows)), total=integer(len(spec.candidates))
                )
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
            heatmap(
                result, "test", result.winner, tr("Test accuracy: ★ picked by it"), "sklearn_grid_heatmap"
            )
        with validation_column:
            heatmap(
                result,
                "validation",
                result.honest_winner,
                tr("Validation accuracy: ★ = honest pick"),
                "sklearn_grid_val",
            )
        columns = st.columns(3)
        columns[0].metric(tr("Reported score (picked by test)"), number(result.winner_test_accuracy, 4))
        columns[1].metric(tr("Honest score (picked by validation)"), number(honest.test_accuracy, 4))
        columns[2].metric(tr("Times the test set was used"), integer(result.test_evaluations))
        if result.winner == result.honest_winner:
            verdict = tr(
                "Here both ways pick the same model, so the two numbers match. The wrong way was lucky, not "
                "right: its score was chosen for being the highest of several test scores, and with closer "
                "candidates that choice flatters."
            )
        else:
            verdict = tr(
                "Choosing by validation picks **{label}** instead, and its test score is {gap} lower: that gap "
                "is how much the wrong way flatters itself."
            ).format(label=honest.label, gap=number(result.optimism, 4))
        st.warning(
            tr(
                "The wrong way picked **{label}** because it scored best on the test set, then reported that "
                "same score. The test set has now helped choose, so no untouched images are left to check it."
            ).format(label=reported.label)
            + " "
            + verdict,
            icon=":material/visibility:",
        )
    else:
        heatmap(
            result,
            "validation",
            result.winner,
            tr("Validation accuracy: ★ is the one picked"),
            "sklearn_grid_heatmap",
        )
        columns = st.columns(3)
        columns[0].metric(tr("Winner (by validation)"), reported.label)
        columns[1].metric(tr("Its validation accuracy"), number(reported.validation_accuracy, 4))
        columns[2].metric(tr("Its test accuracy, measured once"), number(result.winner_test_accuracy, 4))
        st.success(
            tr(
                "{held_out} of the {total} training images were held out to choose; the test set was used "
                "{times} time, for the winner only, after choosing. That single test score is an honest "
                "estimate for new handwriting."
            ).format(
                held_out=integer(spec.validation_size),
                total=integer(spec.train_samples),
                times=integer(result.test_evaluations),
            ),
            icon=":material/verified:",
        )
    table = pd.DataFrame([candidate.as_row() for candidate in result.candidates])
    table.insert(0, "picked", ["★" if index == result.winner else "" for index in range(len(table))])
    # Written out as text: the grid would show a missing score as "None".
    table["test accuracy"] = [
        tr("not tested") if value is None or pd.isna(value) else number(value, 4)
        for value in table["test accuracy"]
    ]
    # Learning rates as typed in the settings and in the code (0.001), not as a Spanish decimal.
    show_table(table, {"learning rate": "{:g}".format, "validation accuracy": 4, "fit seconds": 2})
    st.caption(
        ntr(
            "{count} network trained in {seconds} s.",
            "{count} networks trained in {seconds} s.",
            len(result.candidates),
        ).format(count=integer(len(result.candidates)), seconds=number(result.seconds, 0))
    )


# The columns of mnist_core.scikit.tuning's rows (``Candidate.as_row``), marked for the catalogue: shown translated.
GRID_COLUMNS = (
    N_("learning rate"),
    N_("hidden layers"),
    N_("validation accuracy"),
    N_("iterations"),
    N_("picked"),
)


# --- Keras and scikit-learn side by side ---


def keras_work(settings: MLPSettings) -> Callable:
    """The comparison's job: its Keras half runs in the worker, which owns TensorFlow."""
    return functools.partial(compare_with_keras_job, settings)


def draw_keras_live(snapshot: TaskSnapshot) -> None:
    curve = snapshot.detail.get("loss_curve", [])
    if curve and "sklearn" not in snapshot.detail:
        show_chart(loss_curves_figure({tr("scikit-learn loss"): curve}), key="sklearn_keras_live")
    elif "sklearn" in snapshot.detail:
        sklearn_score = snapshot.detail["sklearn"]
        st.caption(
            tr("scikit-learn done: test accuracy {accuracy} in {seconds} s.").format(
                accuracy=number(sklearn_score.test_accuracy, 4), seconds=number(sklearn_score.fit_seconds, 1)
            )
        )


def draw_keras_result(scores) -> None:
    show_chart(
        chart(
            framework_figure,
            [score.framework for score in scores],
            [score.test_accuracy for score in scores],
            [score.fit_seconds for score in scores],
        ),
        key="sklearn_keras_figure",
    )
    table = pd.DataFrame(
        [
            {
                N_("framework"): score.framework,
                N_("passes over the data"): score.iterations,
                "training accuracy": score.train_accuracy,
                "test accuracy": score.test_accuracy,
                "fit seconds": round(score.fit_seconds, 1),
            }
            for score in scores
        ]
    )
    show_table(table, {"training accuracy": 4, "test accuracy": 4, "fit seconds": 1})
