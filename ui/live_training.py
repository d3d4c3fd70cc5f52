"""Build & Train's live run: step it, slow it down, change its learning rate, watch its curves and mistakes.

Everything reaches the engine as a plain value left on the task (``BackgroundTask.request``):
a step of n batches or to the end of the epoch, a speed, a new learning rate. The engine
(``mnist_core.training``) reads them between gradient updates.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from mnist_core.estimates import SpeedCalibration, measure_speed
from mnist_core.figures.prediction_figures import confusion_figure
from mnist_core.figures.training_figures import batch_curves_figure, epoch_curves_figure
from mnist_core.tasks import BackgroundTask, TaskSnapshot, TaskState
from mnist_core.training import SLOW_MOTION_SPEEDS
from ui.charts import show_chart
from ui.fair_share import slot_limit_note
from ui.replays import replay_note
from ui.resources import mnist, training_slots
from ui.train_form import LEARNING_RATES

SPEED_LABELS = {
    0: "Full speed",
    **{speed: f"Slow motion: {speed} updates a second" for speed in SLOW_MOTION_SPEEDS},
}


@st.cache_resource(show_spinner=False)
def speed_calibration() -> SpeedCalibration:
    """This server's measured speed, shared by every session: timed once, then refined by each run.

    The timing (a small run, a few seconds) waits for the training slot like any run, so it
    never slows a student's run down, and the page shows the built-in estimate meanwhile.
    """
    calibration = SpeedCalibration()
    data = mnist()
    BackgroundTask(
        lambda control: calibration.add_timing(measure_speed(data)),
        name="Timing this server",
        slots=training_slots(),
    ).start()
    return calibration


def estimate_caption(spec, config) -> tuple[float, str]:
    """The estimate of a run at this server's measured speed, and a line saying what it is based on."""
    calibration = speed_calibration()
    seconds = calibration.estimate(spec, config)
    if calibration.runs:
        basis = f"measured from this server's last {min(calibration.runs, 8)} run{'s' if calibration.runs > 1 else ''}"
    elif calibration.timed:
        basis = "from a small timing of this server"
    else:
        basis = "from this project's 2-core machines, while this server is being timed"
    return (
        seconds,
        f"Estimated time on this server: about {seconds:,.0f} s ({basis}); updated live while it trains.",
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


def speed_control(task: BackgroundTask | None) -> int:
    """Full speed or slow motion; a change reaches a run in progress at once."""

    def send():
        if task is not None and not task.state.is_over:
            task.request("speed", st.session_state["train_speed"])

    return st.selectbox(
        "Speed",
        list(SPEED_LABELS),
        format_func=SPEED_LABELS.get,
        key="train_speed",
        bind="query-params",
        persist_state="session",
        on_change=send,
        width=320,
        help="Slow motion trains one gradient update at a time, so each point of the curves can be watched. "
        "It can be changed while a run trains.",
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
            "Step one batch",
            key="train_step_batch",
            icon=":material/skip_next:",
            on_click=_step,
            args=(task, "batches", 1),
            help="One gradient update: one batch forward, its loss, the gradient backward, every weight "
            "moved a little. Then the run pauses." + (" (It pauses first.)" if running else ""),
        )
        st.button(
            "Step one epoch",
            key="train_step_epoch",
            icon=":material/fast_forward:",
            on_click=_step,
            args=(task, "epoch", 1),
            help="Runs to the end of this epoch, its validation and confusion matrix included, then pauses.",
        )
        current = detail.get("learning_rate")
        st.select_slider(
            "Learning rate from the next update on",
            LEARNING_RATES,
            value=_nearest(LEARNING_RATES, current) if current else LEARNING_RATES[2],
            key="train_live_learning_rate",
            width="stretch" if presenter else 320,
            label_visibility="collapsed" if presenter else "visible",
        )
        st.button(
            "Set this learning rate" if presenter else "Change it",
            key="train_change_learning_rate",
            icon=":material/tune:",
            on_click=_change_learning_rate,
            args=(task,),
            help="The optimizer takes the new rate at its next update; a dashed line marks the place on the curves.",
        )
    if current is not None and not presenter:
        pending = st.session_state.get("train_live_learning_rate_sent")
        note = f"Learning rate now: {current:g}"
        if pending is not None and not np.isclose(pending, current) and not running:
            note += f" · {pending:g} from update {detail.get('updates_done', 0) + 1:,} on"
        st.caption(note)


def _nearest(options: list[float], value: float) -> float:
    return min(options, key=lambda option: abs(np.log(option) - np.log(value)))


def confusion_alt(matrix: np.ndarray, epoch: int) -> str:
    """The confusion matrix in words, for a screen reader: correct count and the most common mistake."""
    correct = int(np.trace(matrix))
    off = matrix - np.diag(np.diag(matrix))
    true_digit, predicted_digit = np.unravel_index(int(np.argmax(off)), off.shape)
    mistake = (
        f"; the most common mistake: {true_digit} read as {predicted_digit}, {off[true_digit, predicted_digit]} times"
        if off.any()
        else "; no mistakes"
    )
    return (
        f"Confusion matrix of the {int(matrix.sum()):,} validation images after epoch {epoch}: "
        f"{correct:,} on the diagonal, read correctly{mistake}."
    )


def curves_alt(detail: dict) -> tuple[str, str]:
    """Alt texts of the batch and epoch charts, with their latest numbers and any learning rate changes."""
    batches, epochs = detail.get("batches", {}), detail.get("epochs", [])
    changes = detail.get("learning_rate_changes", [])
    marks = "".join(
        f"; learning rate changed to {c['learning_rate']:g} after update {c['update']:,}" for c in changes
    )
    batch_alt = ""
    if batches.get("update"):
        batch_alt = (
            f"Training loss and accuracy of the latest batches over {batches['update'][-1]:,} gradient updates: "
            f"now loss {batches['loss'][-1]:.3f}, accuracy {batches['accuracy'][-1]:.3f}{marks}."
        )
    epoch_alt = ""
    if epochs:
        last = epochs[-1]
        epoch_alt = (
            f"Training and validation loss and accuracy over {len(epochs)} epochs: after epoch {last['epoch']}, "
            f"training accuracy {last['accuracy']:.4f}, validation accuracy {last['val_accuracy']:.4f}{marks}."
        )
    return batch_alt, epoch_alt


def epoch_one_note(epochs: list[dict], dropout: bool) -> str:
    """Why epoch 1's training loss can sit above its validation loss, with its numbers, when it does."""
    first = epochs[0]
    if not first["loss"] > first["val_loss"]:
        return ""
    return (
        f"Epoch 1's training loss ({first['loss']:.2f}) is above its validation loss ({first['val_loss']:.2f}): "
        "it is the average over the epoch, much of it measured while the weights were still poor"
        + (", and dropout is on in training only" if dropout else "")
        + ". The validation loss is measured once, at the end of the epoch. "
    )


def draw_live(
    snapshot: TaskSnapshot,
    task: BackgroundTask,
    presenter: bool,
    chart_height: int | None,
    dropout: bool = False,
) -> None:
    """Step controls, then the charts that grow while the run trains, its confusion matrix beside them."""
    detail = snapshot.detail
    if snapshot.state == TaskState.QUEUED:
        st.info("Another run is training on this server; yours starts as soon as it ends.")
    record_speed(task, snapshot)
    slot_limit_note(snapshot)
    replay_note(snapshot)  # in the polling panel: a queued run learns at its turn that it can replay
    if not presenter:
        step_controls(task, snapshot)
    if "updates_total" in detail and not presenter:  # in presenter view the progress line says it
        st.caption(
            f"{detail.get('updates_done', 0):,} of {detail['updates_total']:,} gradient updates · "
            f"{detail.get('training_samples', 0):,} training images · "
            f"{detail.get('validation_samples', 0):,} validation images"
        )
    if presenter:
        # The step controls take the third column, over the confusion matrix, so the curves
        # stay on the first 720 px screen beside the buttons that drive them.
        batch_area, epoch_area, confusion_area = st.columns([4, 4, 3])
        with confusion_area:
            step_controls(task, snapshot, presenter=True)
    else:
        curves, confusion_area = st.columns([2, 1])
        batch_area = epoch_area = curves
    changes = detail.get("learning_rate_changes", [])
    batch_alt, epoch_alt = curves_alt(detail)
    if detail.get("batches", {}).get("update"):
        show_chart(
            batch_curves_figure(detail["batches"], detail.get("updates_per_epoch"), changes),
            key="train_batch_chart",
            where=batch_area,
            height=chart_height,
            alt=batch_alt,
        )
        batch_area.caption(
            "Each point: the mean over the latest few batches. Dotted lines: the end of an epoch."
            + (" Dashed: the learning rate changed." if changes else "")
        )
    if detail.get("epochs"):
        show_chart(
            epoch_curves_figure(detail["epochs"], changes, detail.get("updates_per_epoch")),
            key="train_epoch_chart",
            where=epoch_area,
            height=chart_height,
            alt=epoch_alt,
        )
        epoch_area.caption(
            epoch_one_note(detail["epochs"], dropout)
            + "When training accuracy pulls away above validation accuracy, the network is overfitting."
        )
    confusion = detail.get("confusion")
    if confusion:
        matrix = np.asarray(confusion["matrix"])
        figure = confusion_figure(matrix)
        figure.update_layout(
            title=f"Validation, after epoch {confusion['epoch']}",
            height=chart_height or 340,
            margin={"t": 70, "b": 10, "l": 50, "r": 10},
        )
        figure.update_xaxes(title_text=None)  # its place on top goes to the title; the caption says it
        show_chart(
            figure,
            key="train_confusion_chart",
            where=confusion_area,
            alt=confusion_alt(matrix, confusion["epoch"]),
        )
        confusion_area.caption(
            "Rows: the true digit; columns (on top): the digit the network answered. Redrawn after every epoch."
        )
