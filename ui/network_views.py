"""Build & Train's network diagram and layer table, and the setup as a runnable script."""

from __future__ import annotations

import streamlit as st

from mnist_core.figures.network_figures import (
    convnet_blocks_alt,
    convnet_blocks_figure,
    dense_diagram_alt,
    dense_diagram_figure,
)
from mnist_core.i18n import tr
from mnist_core.network_diagram import DiagramWeights, layer_rows, sample_dense_weights
from mnist_core.script_export import training_script
from mnist_core.spec import ModelSpec, TrainConfig
from ui.charts import show_chart
from ui.tasks import get_task
from ui.training_runs import TRAIN_TASK_KEY

DIAGRAM_POLL_SECONDS = 1.0  # the diagram changes once per epoch: no need to poll faster


@st.cache_data(max_entries=32, show_spinner=False)
def initial_diagram(spec: ModelSpec, seed: int) -> DiagramWeights:
    """The diagram's sample of the weights the engine starts this network from, for this seed."""
    from mnist_core.one_step import initial_model

    return sample_dense_weights(initial_model(spec, seed).get_weights())


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
    stage = (
        tr("after epoch {epoch} of this run").format(epoch=epoch)
        if not snapshot.is_over
        else tr("after training (epoch {epoch}, its last)").format(epoch=epoch)
    )
    return snapshot.detail["diagram_weights"], stage, not snapshot.is_over


def network_diagram(spec: ModelSpec, config: TrainConfig) -> None:
    """The diagram of the network the settings describe: redrawn on every change, and each epoch while it trains."""
    if spec.architecture == "convnet":
        rows = layer_rows(spec)
        show_chart(convnet_blocks_figure(rows), key="train_network_diagram", alt=convnet_blocks_alt(rows))
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
            diagram = initial_diagram(spec, config.seed)
            stage = tr("initial weights (seed {seed})").format(seed=config.seed)
        else:
            diagram, stage, _ = trained
        show_chart(
            dense_diagram_figure(diagram, stage),
            key="train_network_diagram",
            alt=dense_diagram_alt(diagram, stage),
        )

    trained = _trained_diagram(spec)
    if trained is not None and trained[2]:
        st.fragment(draw, run_every=DIAGRAM_POLL_SECONDS)()
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
