"""Build & Train (life-cycle steps 2-4): define a network, compile it, fit it live."""

import functools

import pandas as pd
import streamlit as st

from app_pages.build_and_train_ui.experiment_log import experiment_log
from app_pages.build_and_train_ui.live_training import draw_live, estimate_caption, speed_control
from app_pages.build_and_train_ui.network_views import layer_table_rows, network_diagram, script_download
from app_pages.build_and_train_ui.replays import start_training
from app_pages.build_and_train_ui.train_form import (
    compile_controls,
    define_controls,
    ensure_defaults,
    fit_controls,
    layer_formula_text,
    preset_picker,
    read_form,
)
from app_pages.build_and_train_ui.uploads import model_upload
from mnist_core.engine.spec import parameter_counts
from mnist_core.engine.training import diagnose
from mnist_core.i18n import integer, number, tr
from ui import fair_share
from ui.links import link_to_this_view
from ui.model_choice import open_with_model
from ui.presentation import presenter_view_on
from ui.tasks import get_task, task_panel
from ui.training_runs import TRAIN_TASK_KEY, finished_runs
from ui.worker_jobs import long_executor

WARN_SECONDS = 120  # longer runs get a warning with the estimate
CONFIRM_SECONDS = 15 * 60  # much longer runs must be confirmed first

st.title(tr("Build & Train"))
link_to_this_view("build_and_train")
st.caption(tr("Life-cycle steps 2, 3 and 4: define the network, compile it, fit it to the data."))

long_executor()  # the training workers start now, importing Keras while the student picks settings
ensure_defaults()
# Presenter view keeps Train and its live charts on one 1280 x 720 screen: the preset and Train
# share a row at the top, and the settings fold into an expander.
presenter = presenter_view_on()
live_chart_height = 250 if presenter else None  # px: two charts side by side end above 720 px
top_row = st.container(horizontal=presenter, vertical_alignment="bottom")
with top_row:
    preset_picker()
settings = (
    st.expander(tr("Settings: define, compile, fit"), icon=":material/tune:") if presenter else st.container()
)
define_column, compile_column, fit_column = settings.columns(3, border=True)
with define_column:
    st.subheader(tr("2 · Define"))
    define_controls()
with compile_column:
    st.subheader(tr("3 · Compile"))
    compile_controls()
with fit_column:
    st.subheader(tr("4 · Fit"))
    fit_controls()

form = read_form()
if form.error:
    st.error(tr("These settings can't be trained: {error}").format(error=form.error), icon=":material/tune:")
    st.stop()
spec, config = form.spec, form.config

with settings:
    network_diagram(spec, config)
summary_column, updates_column = settings.columns([3, 2])
with summary_column:
    st.markdown(tr("**Your network:** `{network}`").format(network=spec.describe()))
    counts = parameter_counts(spec)
    table = pd.DataFrame(layer_table_rows(spec))
    st.dataframe(table, hide_index=True, width="stretch")  # short headers: fits a phone without scrolling
    st.caption(
        tr("{count} parameters in all.").format(count=integer(sum(c.parameters for c in counts)))
        + " "
        + layer_formula_text(spec)
    )
with updates_column:
    per_epoch = config.gradient_updates_per_epoch
    st.metric(tr("Gradient updates per epoch"), integer(per_epoch))
    st.caption(
        tr(
            "ceil({images} training images / batch {batch_size}) = {per_epoch}; "
            "x {epochs} epochs = **{total} updates** in all."
        ).format(
            images=integer(config.training_samples),
            batch_size=integer(config.batch_size),
            per_epoch=integer(per_epoch),
            epochs=config.epochs,
            total=integer(config.gradient_updates_total),
        )
    )
    estimate, estimate_text = estimate_caption(spec, config)
    st.caption(estimate_text)
with settings:
    script_download(spec, config)

current = get_task(TRAIN_TASK_KEY)
busy = current is not None and not current.snapshot().is_over
confirmed = True
elsewhere = fair_share.training_elsewhere(TRAIN_TASK_KEY)  # one training per session, on any page
if elsewhere is not None:
    st.info(fair_share.one_at_a_time_message(elsewhere), icon=":material/group:")
busy = busy or elsewhere is not None
too_long = fair_share.too_long_message(estimate)
if too_long:
    st.error(too_long, icon=":material/timer_off:")
    confirmed = False
if estimate > WARN_SECONDS and not too_long:
    st.warning(
        tr(
            "This run would take about {minutes} minutes here. A larger batch size or fewer epochs is much faster."
        ).format(minutes=integer(round(estimate / 60))),
        icon=":material/hourglass:",
    )
    if estimate > CONFIRM_SECONDS:
        confirmed = st.checkbox(
            tr("I really want to start this long run"), key="train_confirm_long", persist_state="session"
        )

train_row = top_row if presenter else st.container(horizontal=True, vertical_alignment="bottom")
# A callback starts the run before the page runs again, so that same run already shows it (a replay's
# first curve within a second); a run already trained here with these settings replays.
train_row.button(
    tr("Train"), type="primary", icon=":material/play_arrow:", disabled=busy or not confirmed, key="train_start",
    on_click=start_training, args=(spec, config),
)  # fmt: skip
with train_row:
    speed_control(current)

if current is not None:
    if not presenter:  # in presenter view the room goes to the charts
        st.subheader(tr("Run: {name}").format(name=current.name))
    task_panel(
        TRAIN_TASK_KEY,
        functools.partial(
            draw_live,
            task=current,
            presenter=presenter,
            chart_height=live_chart_height,
            dropout="+ dropout" in current.name,
        ),
    )

runs = finished_runs()
if runs:
    run = runs[-1]
    result = run.result
    earlier = current is not None and run.task_id != current.id  # the latest run has no model
    evaluate = tr("5 · Evaluate: the {count} test images").format(count=integer(10_000))
    if earlier:
        evaluate += " " + tr("(run {number}, an earlier run)").format(number=run.number)
    st.subheader(evaluate)
    if earlier:
        st.caption(
            tr(
                "The run above has no trained model to evaluate yet, so these are the results of run {number}, "
                "the latest that has one."
            ).format(number=run.number)
        )
    accuracy_column, loss_column, correct_column, incorrect_column = st.columns(4)
    accuracy_column.metric(tr("Test accuracy"), number(result.test_accuracy, 4))
    loss_column.metric(tr("Test loss"), number(result.test_loss, 4))
    correct_column.metric(tr("Correctly classified"), integer(result.correct))
    incorrect_column.metric(tr("Incorrectly classified"), integer(result.incorrect))
    st.caption(
        tr("{correct} correctly classified, {incorrect} incorrectly · fit took {seconds} s · {run}").format(
            correct=integer(result.correct),
            incorrect=integer(result.incorrect),
            seconds=number(result.train_seconds, 1),
            run=run.label,
        )
    )
    if result.warning:  # written in the language of the run's start: said again in the viewer's
        st.warning(
            diagnose(result.epochs, result.spec, result.config) or result.warning, icon=":material/warning:"
        )
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(tr("**Next with this run:**"), width="content")
        if st.button(tr("See its predictions"), icon=":material/target:", key="train_next_predictions"):
            open_with_model("app_pages/predictions.py", f"run-{run.number}")
        if st.button(tr("Look inside it"), icon=":material/biotech:", key="train_next_inside"):
            open_with_model("app_pages/inside_the_network.py", f"run-{run.number}")
    st.download_button(
        tr("Download this model (.keras)"),
        data=run.keras_bytes,
        file_name=f"mnist-run-{run.number}.keras",
        mime="application/octet-stream",
        icon=":material/download:",
        key="train_download",
        help=tr("Architecture, weights, training configuration and optimizer state in one file."),
    )
    with st.expander(tr("Keras model summary")):
        st.code(run.summary_text)
        st.caption(
            tr(
                "Keras's total counts the optimizer's own state as well ({optimizer} keeps numbers of "
                "its own for every weight). The network's own parameters are the trainable ones: {count}."
            ).format(
                optimizer=result.spec.optimizer,
                count=integer(sum(c.parameters for c in parameter_counts(result.spec))),
            )
        )
    experiment_log(runs, spec, config, can_start=not busy and confirmed)

with st.expander(tr("Upload a trained model (.keras)")):
    model_upload()
