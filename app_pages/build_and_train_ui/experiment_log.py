"""Build & Train's experiment log: every run of the session against a pinned baseline.

A table of the runs (what differs from the baseline highlighted), a comparison chart, the
log as CSV, and "change one thing": re-run the baseline with one setting changed, from the
same initial weights and in the same batch order, so any difference is due to that change.
Which run is the baseline is session data (the runs exist only in this session), so it is
not part of the page's link; the chart's metric is.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace

import pandas as pd
import streamlit as st

from app_pages.build_and_train_ui.replays import watch_run
from mnist_core.engine.experiments import (
    SETTING_NAMES,
    LogRow,
    describe_differences,
    differences,
    log_csv,
    run_label,
    run_settings,
    same_weight_shapes,
)
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.figures.training_figures import compare_runs_figure
from mnist_core.i18n import N_, decimal_separators, integer, ntr, number, tr
from mnist_core.jobs.keras_jobs import train_network
from mnist_core.jobs.tasks import TaskState
from ui.charts import chart, show_chart
from ui.resources import training_slots
from ui.tasks import start_task
from ui.training_runs import (
    KEPT_MODELS,
    TRAIN_TASK_KEY,
    FinishedRun,
    baseline_run,
    pin_baseline,
    remember_origin,
)

BASELINE_PICKER_KEY = "train_log_baseline"
HIGHLIGHT = "background-color: rgba(230, 159, 0, 0.35)"  # amber, readable on light and dark themes
METRICS = ["val_accuracy", "val_loss", "accuracy", "loss"]
# The English labels are ui/links.py's for train_compare_metric: a link carries them.
METRIC_LABELS = {
    "val_accuracy": N_("validation accuracy"),
    "val_loss": N_("validation loss"),
    "accuracy": N_("accuracy"),
    "loss": N_("loss"),
}


def metric_name(metric: str) -> str:
    return tr(METRIC_LABELS[metric])


def gap_text(gap: float) -> str:
    """Two significant digits (0.0031, 0.12) with the language's decimal mark."""
    return f"{gap:.2g}".replace(".", decimal_separators()[0])


def gradient_updates(run: FinishedRun) -> int:
    """Updates the run really made: fewer than planned when it was stopped early."""
    if run.batches.get("update"):
        return int(run.batches["update"][-1])
    return run.result.config.gradient_updates_per_epoch * len(run.result.epochs)


def log_rows(runs: list[FinishedRun], baseline: FinishedRun) -> list[LogRow]:
    """One ``LogRow`` per run, labelled by what differs from ``baseline``."""
    base = run_settings(baseline.result.spec, baseline.result.config)
    rows = []
    for run in runs:
        settings = run_settings(run.result.spec, run.result.config)
        changed = differences(settings, base)
        notes = [run.origin] if run.origin else []
        if run.state == TaskState.STOPPED:
            notes.append(tr("stopped early"))
        if run.has_model:
            notes.append(tr("model kept"))
        rows.append(
            LogRow(
                number=run.number,
                label=run_label(run.number, changed, run is baseline, settings),
                is_baseline=run is baseline,
                changed=changed,
                settings=settings,
                test_accuracy=run.result.test_accuracy,
                test_loss=run.result.test_loss,
                fit_seconds=run.result.train_seconds,
                gradient_updates=gradient_updates(run),
                note="; ".join(notes),
            )
        )
    return rows


def log_table(rows: list[LogRow]) -> pd.io.formats.style.Styler:
    """The runs as a table, each setting that differs from the baseline highlighted."""
    table = pd.DataFrame(
        [
            {
                tr("run"): tr("{number} (baseline)").format(number=row.number)
                if row.is_baseline
                else str(row.number),
                tr("changed from baseline"): "" if row.is_baseline else describe_differences(row.changed),
                tr("test accuracy"): row.test_accuracy,
                tr("test loss"): row.test_loss,
                tr("fit s"): row.fit_seconds,
                tr("updates"): row.gradient_updates,
                **{tr(name): value for name, value in row.settings.items()},
                tr("note"): row.note,
            }
            for row in rows
        ]
    )

    def highlight(frame: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for position, row in enumerate(rows):
            for name in row.changed:
                styles.iloc[position, frame.columns.get_loc(tr(name))] = HIGHLIGHT
            if row.changed:
                styles.iloc[position, frame.columns.get_loc(tr("changed from baseline"))] = HIGHLIGHT
        return styles

    return table.style.apply(highlight, axis=None).format(
        {
            tr("test accuracy"): lambda value: number(value, 4),
            tr("test loss"): lambda value: number(value, 4),
            tr("fit s"): lambda value: number(value, 1),
            tr("updates"): integer,
        }
    )


def pick_baseline(runs: list[FinishedRun]) -> FinishedRun:
    """A picker of the pinned baseline, the first run until another is pinned."""
    numbers = [run.number for run in runs]
    pinned = baseline_run(runs)
    if st.session_state.get(BASELINE_PICKER_KEY) not in numbers:
        st.session_state[BASELINE_PICKER_KEY] = pinned.number
    picked = st.selectbox(
        tr("Baseline"),
        numbers,
        key=BASELINE_PICKER_KEY,
        format_func=lambda number: tr("Run {number}").format(number=number),
        help=tr(
            "Every run is compared with this one: its label names what differs from it. Only this "
            "session has these runs, so the choice is not part of the page's link."
        ),
    )
    pin_baseline(picked)
    return next(run for run in runs if run.number == picked)


def curve_gap(run: FinishedRun, baseline: FinishedRun, metric: str) -> float:
    """The largest difference between two runs' per-epoch ``metric`` (inf when their lengths differ)."""
    ours = [row.get(metric, math.nan) for row in run.result.epochs]
    theirs = [row.get(metric, math.nan) for row in baseline.result.epochs]
    if len(ours) != len(theirs):
        return math.inf
    return max((abs(a - b) for a, b in zip(ours, theirs)), default=0.0)


def reproducibility_notes(runs, rows, baseline, metric) -> list[str]:
    """For runs that share the baseline's settings, or differ only in seed: how far their curves are apart."""
    notes = []
    for run, row in zip(runs, rows):
        if run is baseline or set(row.changed) - {"seed"}:
            continue
        gap = curve_gap(run, baseline, metric)
        if not row.changed:
            text = (
                tr(
                    "Run {number} has run {baseline}'s settings and seed: its {metric} curve is identical to "
                    "the baseline's. Same code, same data, same seed: same model."
                )
                if gap == 0
                else tr(
                    "Run {number} has run {baseline}'s settings and seed: its {metric} curve is up to {gap} "
                    "away from the baseline's. Same code, same data, same seed: same model."
                )
            )
            notes.append(
                text.format(
                    number=run.number, baseline=baseline.number, metric=metric_name(metric), gap=gap_text(gap)
                )
            )
        else:
            notes.append(
                tr(
                    "Run {number} differs only in its seed ({seed}): other initial weights and another batch "
                    "order put its {metric} up to {gap} away from the baseline's."
                ).format(
                    number=run.number,
                    seed=row.changed["seed"],
                    metric=metric_name(metric),
                    gap=number(gap, 4),
                )
            )
    return notes


def comparison_chart(runs, rows, baseline_row, metric) -> None:
    labels = [row.label for row in rows]
    last = [f"{row.label.split(':')[0]} {number(run.result.epochs[-1].get(metric, math.nan), 4)}" for run, row
            in zip(runs, rows) if run.result.epochs]  # fmt: skip
    show_chart(
        chart(
            compare_runs_figure,
            [(label, run.result.epochs) for label, run in zip(labels, runs)],
            metric,
            baseline_row.label,
        ),
        key="train_compare_chart",
        alt=tr(
            "{metric} per epoch for {count} runs, the baseline run {number} drawn thicker. Last epoch: {last}."
        ).format(
            metric=metric_name(metric).capitalize(),
            count=len(runs),
            number=baseline_row.number,
            last=", ".join(last),
        ),
    )


def start_branch(spec: ModelSpec, config: TrainConfig, baseline: FinishedRun, origin: str, same_start: bool):
    """Train ``spec``/``config`` in a worker, from the baseline's initial weights when ``same_start``."""
    start_of = (baseline.result.spec, baseline.result.config.seed) if same_start else None
    job = functools.partial(train_network, spec, config, None, initial_weights_of=start_of)
    task = start_task(
        TRAIN_TASK_KEY, job, name=f"{spec.describe()} ({origin})", slots=training_slots(), in_worker=True
    )
    watch_run(task, None)  # the slot's time limit; a branch is not recorded for replays
    remember_origin(task.id, origin)
    st.rerun()


def change_one_thing(
    runs: list[FinishedRun], spec: ModelSpec, config: TrainConfig, baseline: FinishedRun, can_start: bool
) -> None:
    """Offer the branch the settings above make of the baseline: one change, or the same seed again."""
    base_spec, base_config = baseline.result.spec, baseline.result.config
    changed = differences(run_settings(spec, config), run_settings(base_spec, base_config))
    number = baseline.number
    st.markdown(tr("**Change one thing**"))
    if not changed:
        st.caption(
            tr(
                "The settings above are run {number}'s. Train it again with the same seed and the curves "
                "overlay it exactly; with another seed, the initial weights and the batch order change, and so "
                "do the curves. Or change one setting above to branch."
            ).format(number=number)
        )
        again, other = st.columns(2)
        if again.button(
            tr("Train again with this seed ({seed})").format(seed=base_config.seed),
            key="train_again_same_seed",
            icon=":material/replay:",
            disabled=not can_start,
        ):
            origin = tr("run {number} again, same seed").format(number=number)
            start_branch(spec, config, baseline, origin, same_start=True)
        new_seed = (base_config.seed + 1) % 2**31
        if other.button(
            tr("Train again with seed {seed}").format(seed=new_seed),
            key="train_again_other_seed",
            icon=":material/casino:",
            disabled=not can_start,
        ):
            reseeded = replace(base_config, seed=new_seed)
            origin = tr("run {number} with seed {seed}").format(number=number, seed=new_seed)
            start_branch(base_spec, reseeded, baseline, origin, same_start=False)
        return
    described = describe_differences(changed)
    if len(changed) > 1:
        st.caption(
            tr(
                "The settings above differ from run {number} in {count} things ({changes}). Change just "
                "one, and the difference in the curves is due to that change alone. (Train still runs them all.)"
            ).format(number=number, count=len(changed), changes=described)
        )
        return
    (name,) = changed
    if name == "seed":
        same_start, how = False, tr("another seed: new initial weights and another batch order")
    elif not same_weight_shapes(spec, base_spec):
        same_start = False
        how = tr("the same batch order")
        st.info(
            tr(
                "The layers changed, so the weights have other shapes: this run cannot start from run {number}'s "
                "initial weights. It starts from seed {seed}'s own, in the same batch order."
            ).format(number=number, seed=config.seed),
            icon=":material/info:",
        )
    else:
        same_start = True
        how = (
            tr("the same initial weights")
            if name in ("training images", "validation")
            else tr("the same initial weights and batch order")
        )
    if name in ("training images", "validation"):
        st.caption(tr("The training images change, so the batches cannot be the same ones."))
    st.caption(tr("One change from run {number}: **{changes}**, starting from {how}.").format(
        number=number, changes=described, how=how
    ))  # fmt: skip
    # A branch's origin ends with how it started: its beginning names the run it branched from.
    branch_of = tr("branch of run {number}, {how}").format(number=number, how="")
    twins = [run.number for run in runs if run.origin.startswith(branch_of)
             and run_settings(run.result.spec, run.result.config) == run_settings(spec, config)]  # fmt: skip
    if twins and same_start:
        st.caption(
            tr("Run {number} is this branch already: training it again overlays it exactly.").format(
                number=twins[-1]
            )
        )
    if st.button(
        tr("Branch run {number}: {changes}").format(number=number, changes=described),
        key="train_branch",
        icon=":material/call_split:",
        disabled=not can_start,
    ):
        origin = tr("branch of run {number}, {how}").format(number=number, how=how)
        start_branch(spec, config, baseline, origin, same_start=same_start)


def experiment_log(runs: list[FinishedRun], spec: ModelSpec, config: TrainConfig, can_start: bool) -> None:
    """The whole section: baseline picker, table, CSV, change one thing, comparison chart."""
    st.subheader(tr("Experiment log: this session's runs"))
    picker_column, note_column = st.columns([1, 3], vertical_alignment="bottom")
    with picker_column:
        baseline = pick_baseline(runs)
    note_column.caption(
        ntr(
            "{n} run: all are kept with their settings, curves and results; the latest {kept} also keep "
            "their model for Predictions, Inside the network and the Loss surface.",
            "{n} runs: all are kept with their settings, curves and results; the latest {kept} also keep "
            "their model for Predictions, Inside the network and the Loss surface.",
            len(runs),
        ).format(n=len(runs), kept=KEPT_MODELS)
    )
    rows = log_rows(runs, baseline)
    st.dataframe(
        log_table(rows),
        hide_index=True,
        width="stretch",
        column_order=[
            tr(name)
            for name in (
                "run",
                "changed from baseline",
                "test accuracy",
                "test loss",
                "fit s",
                "updates",
                "note",  # how the run started: before the settings, so it is on screen at 1280 px
                *SETTING_NAMES,
            )
        ],
    )
    st.download_button(
        tr("Download the log (.csv)"),
        data=log_csv(rows),
        file_name="mnist-experiment-log.csv",
        mime="text/csv",
        icon=":material/download:",
        key="train_log_download",
    )
    change_one_thing(runs, spec, config, baseline, can_start)
    if len(runs) < 2:
        return
    metric = st.radio(
        tr("Metric"),
        METRICS,
        horizontal=True,
        key="train_compare_metric",
        bind="query-params",
        persist_state="session",
        format_func=metric_name,
    )
    baseline_row = next(row for row in rows if row.is_baseline)
    comparison_chart(runs, rows, baseline_row, metric)
    for note in reproducibility_notes(runs, rows, baseline, metric):
        st.caption(note)
