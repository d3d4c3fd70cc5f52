"""Build & Train's network diagram and layer table, and the setup as a runnable script."""

from __future__ import annotations

import functools
import threading

import streamlit as st

from mnist_core.engine.script_export import training_script
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.figures.network_figures import (
    convnet_blocks_alt,
    convnet_blocks_figure,
    dense_diagram_alt,
    dense_diagram_figure,
)
from mnist_core.i18n import tr
from mnist_core.inspect.network_diagram import DiagramWeights, initial_diagram_weights, layer_rows
from mnist_core.jobs.tasks import TaskState
from ui.charts import chart, show_chart
from ui.results import finished, keep
from ui.tasks import get_task
from ui.training_runs import TRAIN_TASK_KEY
from ui.worker_jobs import WorkerJobFailed, in_this_language, quick_executor, show_failure

DIAGRAM_POLL_SECONDS = 1.0  # the diagram changes once per epoch: no need to poll faster
DRAWING_POLL_SECONDS = 0.5  # while a worker samples the initial weights (a second; longer on a cold server)
MAX_DIAGRAM_JOBS = 64  # jobs remembered until a page sees them finish: a tab closed meanwhile leaves one


@st.cache_resource(show_spinner=False)
def _initial_diagram_jobs() -> tuple[threading.Lock, dict]:
    """Server-wide: the worker jobs sampling a (network, seed)'s initial weights, until they finish.

    A finished job's weights go to the result store (``ui.results``) and its handle is dropped.
    """
    return threading.Lock(), {}


def initial_diagram(spec: ModelSpec, seed: int) -> DiagramWeights | None:
    """The diagram's sample of the weights the engine starts this network from, for this seed.

    Asked of a worker (building the network needs Keras) without waiting: None while it is
    being drawn, so a cold server's first page run never waits for TensorFlow to import.

    Raises
    ------
    WorkerJobFailed
        When the worker could not build the network.
    """
    kept = finished("diagram.initial_weights", spec, seed)
    if kept is not None:
        return kept
    lock, jobs = _initial_diagram_jobs()
    key = repr((spec, seed))
    with lock:
        handle = jobs.get(key)
        if handle is None or handle.state == TaskState.STOPPED:
            work = in_this_language(functools.partial(initial_diagram_weights, spec, seed))
            handle = jobs[key] = quick_executor().submit(work, name="Initial weights of the diagram")
            while len(jobs) > MAX_DIAGRAM_JOBS:
                jobs.pop(next(iter(jobs)))
    snapshot = handle.snapshot()
    if snapshot.is_over:
        with lock:
            jobs.pop(key, None)  # a failed one is asked again on the next run
    if snapshot.state == TaskState.FAILED:
        raise WorkerJobFailed(tr(snapshot.message), snapshot.error_details)
    if snapshot.state != TaskState.FINISHED:
        return None
    keep("diagram.initial_weights", spec, seed, result=snapshot.result)
    return snapshot.result


def _initial_diagram_pending(spec: ModelSpec, seed: int) -> bool:
    try:
        return initial_diagram(spec, seed) is None
    except WorkerJobFailed:
        return False  # draw() says what went wrong


def layer_table_rows(spec: ModelSpec) -> list[dict]:
    """Every layer with its parameters, pooling, Flatten and Dropout included.

    The output shapes are in the diagram above the table: a fourth column would not fit a phone.
    """
    rows = layer_rows(spec)
    return [
        {
            # Short names (the diagram has the details): a phone fits the table without scrolling.
            tr("layer"): row.name.split(" (")[0] + (tr(" (output)") if index == len(rows) - 1 else ""),
            tr("weights + biases"): row.formula or tr("none"),
            tr("parameters"): row.parameters,
        }
        for index, row in enumerate(rows)
    ]


def _trained_diagram(spec: ModelSpec) -> tuple[DiagramWeights, str, bool] | None:
    """This network's weights from the run in progress (or just finished): (diagram, stage, running)."""
    task = get_task(TRAIN_TASK_KEY)
    if task is None or task.name != spec.describe():
        return None
    snapshot = task.snapshot()
    if "diagram_weights" not in snapshot.detail:
        return None
    epoch = snapshot.detail["diagram_epoch"]
    if not snapshot.is_over:
        stage = tr("after epoch {epoch} of this run").format(epoch=epoch)
    elif snapshot.state == TaskState.FINISHED:
        stage = tr("after training (epoch {epoch}, its last)").format(epoch=epoch)
    elif snapshot.state == TaskState.STOPPED:
        stage = tr("after epoch {epoch}, where the run was stopped").format(epoch=epoch)
    else:
        stage = tr("after epoch {epoch}, the last before the run failed").format(epoch=epoch)
    return snapshot.detail["diagram_weights"], stage, not snapshot.is_over


def network_diagram(spec: ModelSpec, config: TrainConfig) -> None:
    """The diagram of the network the settings describe: redrawn on every change, and each epoch while it trains."""
    if spec.architecture == "convnet":
        rows = layer_rows(spec)
        show_chart(
            chart(convnet_blocks_figure, rows), key="train_network_diagram", alt=convnet_blocks_alt(rows)
        )
        st.caption(
            tr(
                "Each block is one layer and the tensor it hands on: a batch of images stays 4-D (batch, height, "
                "width, channels) until Flatten unrolls it for the Dense layers. Pooling and Flatten learn nothing."
            )
        )
        return

    def draw() -> None:
        trained = _trained_diagram(spec)
        if trained is None:
            try:
                diagram = initial_diagram(spec, config.seed)
            except WorkerJobFailed as failure:
                show_failure(failure)
                return
            if diagram is None:
                st.info(tr("Drawing this seed's initial weights..."), icon=":material/hourglass:")
                return
            stage = tr("initial weights (seed {seed})").format(seed=config.seed)
        else:
            diagram, stage, _ = trained
        show_chart(
            chart(dense_diagram_figure, diagram, stage),
            key="train_network_diagram",
            alt=dense_diagram_alt(diagram, stage),
        )

    def draw_when_ready() -> None:
        if initial_diagram(spec, config.seed) is not None:
            st.rerun(scope="app")  # once: the page then draws the diagram without polling
        draw()

    trained = _trained_diagram(spec)
    if trained is not None and trained[2]:
        st.fragment(draw, run_every=DIAGRAM_POLL_SECONDS)()
    elif trained is None and _initial_diagram_pending(spec, config.seed):
        st.fragment(draw_when_ready, run_every=DRAWING_POLL_SECONDS)()
    else:
        draw()
    st.caption(
        tr(
            "Before training, the edges are the random weights this seed starts from: the same seed always gives "
            "the same start. Training moves them; while it runs the diagram is redrawn after each epoch. "
            "Hover a unit for its bias."
        )
    )


def script_download(spec: ModelSpec, config: TrainConfig) -> None:
    """The setup as code, to read and to download."""
    source = training_script(spec, config)
    with st.expander(tr("These settings as a Python script"), icon=":material/code:"):
        st.caption(
            tr(
                "The same network, trained the same way in plain Keras: same seed, same validation images, same "
                "initial weights, so it reaches the same test accuracy. `--epochs 1 --train-limit 6000` runs it "
                "small."
            )
        )
        st.download_button(
            tr("Download {filename}").format(filename="mnist_train.py"),
            data=source,
            file_name="mnist_train.py",
            mime="text/x-python",
            icon=":material/download:",
            key="train_script_download",
        )
        st.code(source, language="python", line_numbers=True)
