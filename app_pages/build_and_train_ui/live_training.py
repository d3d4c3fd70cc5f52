"""Build & Train's live run: step it, slow it down, change its learning rate, watch its curves and mistakes.

The run trains in a worker process; everything reaches the engine as a plain value left on the
task (``JobHandle.request``, sent on to the worker):
a step of n batches or to the end of the epoch, a speed, a new learning rate. The engine
(``mnist_core.engine.training``) reads them between gradient updates.
"""

from __future__ import annotations

import threading

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app_pages.build_and_train_ui.replays import replay_if_recorded, replay_note
from app_pages.build_and_train_ui.train_form import LEARNING_RATES
from mnist_core.engine.estimates import SpeedCalibration
from mnist_core.engine.training import rate_text
from mnist_core.figures.prediction_figures import confusion_figure
from mnist_core.figures.training_figures import batch_curves_figure, epoch_curves_figure
from mnist_core.i18n import N_, integer, ntr, number, tr
from mnist_core.jobs.keras_jobs import time_this_server
from mnist_core.jobs.tasks import BackgroundTask, TaskSnapshot, TaskState
from ui.charts import chart, show_chart
from ui.fair_share import slot_limit_note
from ui.resources import training_slots
from ui.worker_jobs import long_executor

# One per mnist_core.engine.training.SLOW_MOTION_SPEEDS, written out for the catalogue (ui/links.py has the same).
SPEED_LABELS = {
    0: N_("Full speed"),
    10: N_("Slow motion: 10 updates a second"),
    2: N_("Slow motion: 2 updates a second"),
}


@st.cache_resource(show_spinner=False)
def speed_calibration() -> SpeedCalibration:
    """This server's measured speed, shared by every session: refined by each run, and timed once.

    The timing (a small run, a few seconds, in a worker) starts when the server's first run has
    finished (``start_timing``): on a cold server it would otherwise make the workers' start, and
    so the first student's run, slower. It waits for the training slot like any run.
    """
    return SpeedCalibration()


@st.cache_resource(show_spinner=False)
def _timing_started() -> threading.Event:
    return threading.Event()


def start_timing(calibration: SpeedCalibration) -> None:
    """Time this server once, in a worker, queued for the training slot behind any student's run."""
    started = _timing_started()
    if started.is_set():
        return
    started.set()
    timing = long_executor().submit(time_this_server, name="Timing this server", slots=training_slots())
    threading.Thread(
        target=_keep_timing, args=(timing, calibration), name="speed-timing", daemon=True
    ).start()


def _keep_timing(timing, calibration: SpeedCalibration) -> None:
    snapshot = timing.join()
    if snapshot.state == TaskState.FINISHED:
        calibration.add_timing(snapshot.result)


def estimate_caption(spec, config) -> tuple[float, str]:
    """The estimate of a run at this server's measured speed, and a line saying what it is based on."""
    calibration = speed_calibration()
    seconds = calibration.estimate(spec, config)
    if calibration.runs:
        runs = min(calibration.runs, 8)
        basis = ntr(
            "measured from this server's last {n} run", "measured from this server's last {n} runs", runs
        ).format(n=runs)
    elif calibration.timed:
        basis = tr("from a small timing of this server")
    else:
        basis = tr("from this project's 2-core machines, until this server has trained a run")
    return (
        seconds,
        tr(
            "Estimated time on this server: about {seconds} s ({basis}); updated live while it trains."
        ).format(seconds=integer(round(seconds)), basis=basis),
    )


def record_speed(task: BackgroundTask, snapshot: TaskSnapshot) -> None:
    """Once per finished run at full speed: keep its real time, so later estimates match this server."""
    result = snapshot.result
    recorded = st.session_state.setdefault("train_speed_recorded", set())
    if snapshot.state != TaskState.FINISHED or task.id in recorded or result is None:
        return
    if "replay_of" in snapshot.detail:  # a replay's time says nothing of this server's speed
        return
    recorded.add(task.id)
    if not snapshot.detail.get("slow_motion"):
        speed_calibration().record_run(result.spec, result.config, snapshot.elapsed_seconds)
    start_timing(speed_calibration())  # the workers are warm now: the timing costs no student a wait


def speed_control(task: BackgroundTask | None) -> int:
    """Full speed or slow motion; a change reaches a run in progress at once."""

    def send():
        if task is not None and not task.state.is_over:
            task.request("speed", st.session_state["train_speed"])

    return st.selectbox(
        tr("Speed"),
        list(SPEED_LABELS),
        format_func=lambda speed: tr(SPEED_LABELS[speed]),
        key="train_speed",
        bind="query-params",
        persist_state="session",
        on_change=send,
        width=320,
        help=tr(
            "Slow motion trains one gradient update at a time, so each point of the curves can be watched. "
            "It can be changed while a run trains."
        ),
    )


def _step(task: BackgroundTask, kind: str, count: int) -> None:
    task.request("step", (kind, count))
    task.resume()


def _change_learning_rate(task: BackgroundTask) -> None:
    rate = st.session_state["train_live_learning_rate"]
    task.request("learning_rate", rate)
    st.session_state["train_live_learning_rate_sent"] = rate


def step_controls(task: BackgroundTask, snapshot: TaskSnapshot, presenter: bool = False) -> None:
    """Step one batch or to the end of the epoch, and change the learning rate, while a run is live.

    In presenter view the row drops its labels and captions, so the charts stay on a 720 px screen.
    """
    if snapshot.is_over or snapshot.state == TaskState.QUEUED or "replay_of" in snapshot.detail:
        return  # a replay plays a recorded run: there is nothing to step or steer
    detail = snapshot.detail
    running = snapshot.state == TaskState.RUNNING
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.button(
            tr("Step one batch"),
            key="train_step_batch",
            icon=":material/skip_next:",
            on_click=_step,
            args=(task, "batches", 1),
            help=tr(
                "One gradient update: one batch forward, its loss, the gradient backward, every weight "
                "moved a little. Then the run pauses."
            )
            + (tr(" (It pauses first.)") if running else ""),
        )
        st.button(
            tr("Step one epoch"),
            key="train_step_epoch",
            icon=":material/fast_forward:",
            on_click=_step,
            args=(task, "epoch", 1),
            help=tr(
                "Runs to the end of this epoch, its validation and confusion matrix included, then pauses."
            ),
        )
        current = detail.get("learning_rate")
        st.select_slider(
            tr("Learning rate from the next update on"),
            LEARNING_RATES,
            value=_nearest(LEARNING_RATES, current) if current else LEARNING_RATES[2],
            key="train_live_learning_rate",
            width="stretch" if presenter else 320,
            label_visibility="collapsed" if presenter else "visible",
        )
        st.button(
            tr("Set this learning rate") if presenter else tr("Change it"),
            key="train_change_learning_rate",
            icon=":material/tune:",
            on_click=_change_learning_rate,
            args=(task,),
            help=tr(
                "The optimizer takes the new rate at its next update; a dashed line marks the place on the curves."
            ),
        )
    if current is not None and not presenter:
        pending = st.session_state.get("train_live_learning_rate_sent")
        note = tr("Learning rate now: {learning_rate}").format(learning_rate=rate_text(current))
        if pending is not None and not np.isclose(pending, current) and not running:
            note += " · " + tr("{learning_rate} from update {update} on").format(
                learning_rate=rate_text(pending), update=integer(detail.get("updates_done", 0) + 1)
            )
        st.caption(note)


def _nearest(options: list[float], value: float) -> float:
    return min(options, key=lambda option: abs(np.log(option) - np.log(value)))


def confusion_alt(matrix: np.ndarray, epoch: int) -> str:
    """The confusion matrix in words, for a screen reader: correct count and the most common mistake."""
    correct = int(np.trace(matrix))
    off = matrix - np.diag(np.diag(matrix))
    true_digit, predicted_digit = np.unravel_index(int(np.argmax(off)), off.shape)
    mistake = (
        tr("; the most common mistake: {true} read as {predicted}, {count} times").format(
            true=true_digit, predicted=predicted_digit, count=integer(off[true_digit, predicted_digit])
        )
        if off.any()
        else tr("; no mistakes")
    )
    return tr(
        "Confusion matrix of the {images} validation images after epoch {epoch}: "
        "{correct} on the diagonal, read correctly{mistake}."
    ).format(images=integer(matrix.sum()), epoch=epoch, correct=integer(correct), mistake=mistake)


def curves_alt(detail: dict) -> tuple[str, str]:
    """Alt texts of the batch and epoch charts, with their latest numbers and any learning rate changes."""
    batches, epochs = detail.get("batches", {}), detail.get("epochs", [])
    changes = detail.get("learning_rate_changes", [])
    marks = "".join(
        tr("; learning rate changed to {learning_rate} after update {update}").format(
            learning_rate=rate_text(c["learning_rate"]), update=integer(c["update"])
        )
        for c in changes
    )
    batch_alt = ""
    if batches.get("update"):
        batch_alt = tr(
            "Training loss and accuracy of the latest batches over {updates} gradient updates: "
            "now loss {loss}, accuracy {accuracy}{marks}."
        ).format(
            updates=integer(batches["update"][-1]),
            loss=number(batches["loss"][-1], 3),
            accuracy=number(batches["accuracy"][-1], 3),
            marks=marks,
        )
    epoch_alt = ""
    if epochs:
        last = epochs[-1]
        epoch_alt = ntr(
            "Training and validation loss and accuracy over {n} epoch: after epoch {epoch}, "
            "training accuracy {accuracy}, validation accuracy {val_accuracy}{marks}.",
            "Training and validation loss and accuracy over {n} epochs: after epoch {epoch}, "
            "training accuracy {accuracy}, validation accuracy {val_accuracy}{marks}.",
            len(epochs),
        ).format(
            n=len(epochs),
            epoch=last["epoch"],
            accuracy=number(last["accuracy"], 4),
            val_accuracy=number(last["val_accuracy"], 4),
            marks=marks,
        )
    return batch_alt, epoch_alt


def epoch_one_note(epochs: list[dict], dropout: bool) -> str:
    """Why epoch 1's training loss can sit above its validation loss, with its numbers, when it does."""
    first = epochs[0]
    if not first["loss"] > first["val_loss"]:
        return ""
    text = (
        tr(
            "Epoch 1's training loss ({loss}) is above its validation loss ({val_loss}): it is the average over "
            "the epoch, much of it measured while the weights were still poor, and dropout is on in training "
            "only. The validation loss is measured once, at the end of the epoch. "
        )
        if dropout
        else tr(
            "Epoch 1's training loss ({loss}) is above its validation loss ({val_loss}): it is the average over "
            "the epoch, much of it measured while the weights were still poor. The validation loss is measured "
            "once, at the end of the epoch. "
        )
    )
    return text.format(loss=number(first["loss"], 2), val_loss=number(first["val_loss"], 2))


def epoch_confusion_figure(matrix: np.ndarray, epoch: int, height: int) -> go.Figure:
    """The live run's confusion matrix on the validation images after ``epoch``, titled with it."""
    figure = confusion_figure(matrix)
    figure.update_layout(
        title=tr("Validation, after epoch {epoch}").format(epoch=epoch),
        height=height,
        margin={"t": 70, "b": 10, "l": 50, "r": 10},
    )
    figure.update_xaxes(title_text=None)  # its place on top goes to the title; the caption says it
    return figure


def draw_live(
    snapshot: TaskSnapshot,
    task: BackgroundTask,
    presenter: bool,
    chart_height: int | None,
    dropout: bool = False,
) -> None:
    """Step controls, then the charts that grow while the run trains, its confusion matrix beside them."""
    detail = snapshot.detail
    replay_if_recorded(task, snapshot)  # an identical run finished while this one waited: replay it
    if snapshot.state == TaskState.QUEUED:
        st.info(tr("Another run is training on this server; yours starts as soon as it ends."))
    record_speed(task, snapshot)
    slot_limit_note(snapshot)
    if not presenter:  # in presenter view it goes beside the curves, so they stay on the first screen
        replay_note(snapshot)  # in the polling panel: a queued run learns at its turn that it can replay
    if not presenter:
        step_controls(task, snapshot)
    if "updates_total" in detail and not presenter:  # in presenter view the progress line says it
        st.caption(
            tr(
                "{done} of {total} gradient updates · {training} training images · {validation} validation images"
            ).format(
                done=integer(detail.get("updates_done", 0)),
                total=integer(detail["updates_total"]),
                training=integer(detail.get("training_samples", 0)),
                validation=integer(detail.get("validation_samples", 0)),
            )
        )
    if presenter:
        # The step controls take the third column, over the confusion matrix, so the curves
        # stay on the first 720 px screen beside the buttons that drive them.
        batch_area, epoch_area, confusion_area = st.columns([4, 4, 3])
        with confusion_area:
            if "replay_of" in detail:  # a replay has no steps: the column says it is one instead
                replay_note(snapshot, narrow=True)
            else:
                step_controls(task, snapshot, presenter=True)
    else:
        curves, confusion_area = st.columns([2, 1])
        batch_area = epoch_area = curves
    changes = detail.get("learning_rate_changes", [])
    batch_alt, epoch_alt = curves_alt(detail)
    if detail.get("batches", {}).get("update"):
        # Stored once over (or paused): a finished run's page reruns on every click, and 13 tabs poll.
        # While it runs the curves change at every poll, so storing them would only push out others.
        batch_args = (detail["batches"], detail.get("updates_per_epoch"), changes)
        running = snapshot.state == TaskState.RUNNING
        show_chart(
            batch_curves_figure(*batch_args) if running else chart(batch_curves_figure, *batch_args),
            key="train_batch_chart",
            where=batch_area,
            height=chart_height,
            alt=batch_alt,
        )
        batch_area.caption(
            tr("Each point: the mean over the latest few batches. Dotted lines: the end of an epoch.")
            + (tr(" Dashed: the learning rate changed.") if changes else "")
        )
    if detail.get("epochs"):
        show_chart(  # built once an epoch, for every tab that shows it
            chart(epoch_curves_figure, detail["epochs"], changes, detail.get("updates_per_epoch")),
            key="train_epoch_chart",
            where=epoch_area,
            height=chart_height,
            alt=epoch_alt,
        )
        epoch_area.caption(
            epoch_one_note(detail["epochs"], dropout)
            + tr("When training accuracy pulls away above validation accuracy, the network is overfitting.")
        )
    confusion = detail.get("confusion")
    if confusion:
        matrix = np.asarray(confusion["matrix"])
        show_chart(
            chart(epoch_confusion_figure, matrix, confusion["epoch"], chart_height or 340),
            key="train_confusion_chart",
            where=confusion_area,
            alt=confusion_alt(matrix, confusion["epoch"]),
        )
        confusion_area.caption(
            tr(
                "Rows: the true digit; columns (on top): the digit the network answered. Redrawn after every epoch."
            )
        )
