"""Inside the network's tabs 2 and 3: every layer's map of the test digits (and how it changes epoch by
epoch), and one image's tensors through a convnet.

The layers' outputs come from workers (the server never runs Keras): the maps once per model and
snapshot, kept server-wide; the t-SNE maps as a background job on the long pool; one image's
tensors per model and image.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app_pages.inside_the_network_ui.inside_trace import digest, on_model_for_input, pick_input
from mnist_core.data import projections
from mnist_core.engine.default_model import FIRST_NETWORK
from mnist_core.figures.data_figures import braille_sketches
from mnist_core.figures.prediction_figures import image_grid_figure
from mnist_core.figures.representation_figures import layer_maps_figure, separation_by_epoch_figure
from mnist_core.i18n import integer, ntr, number, percent, tr
from mnist_core.inspect.representations import (
    DRAWN,
    NEIGHBOURS,
    SAMPLE,
    SAMPLE_SEED,
    LayerMap,
    history_uncrumpling,
    layer_representations,
    representation_layers,
    sample_uncrumpling,
    tensor_shapes,
    tsne_of_sample,
)
from mnist_core.jobs.model_jobs import ModelCall, ModelRef
from mnist_core.jobs.tasks import TaskState
from ui.charts import chart, show_chart
from ui.model_choice import ModelChoice, choose_model, per_model, your_digit
from ui.resources import background_slots, mnist, shipped_history
from ui.results import finished, keep, server_result
from ui.tasks import get_task, start_task, task_panel
from ui.training_runs import finished_runs
from ui.worker_jobs import WorkerJobFailed, on_model, show_failure

TSNE_TASK = "inside_tsne_task"
TSNE_MODEL = "inside_tsne_model"  # the ModelRef the t-SNE task maps: its result is kept for that model
MAPS_SHOWN = 16  # feature maps drawn per layer: 32 tiles at a readable size would not fit the screen


@server_result("inside.sample")
def _sample() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The same test digits for every model and epoch: (images, labels, hover sketches of the drawn ones)."""
    _, (x_test, y_test) = mnist()
    indices = projections.subset_indices(len(y_test), SAMPLE, SAMPLE_SEED)  # the digits the workers read
    return x_test[indices], y_test[indices], braille_sketches(x_test[indices][DRAWN])


def weight_history(choice: ModelChoice) -> list | None:
    """The weights before training and after each epoch of the chosen model, if they were kept."""
    if choice.key == FIRST_NETWORK.key:
        return shipped_history(choice.key)
    if choice.key.startswith("run-"):
        run = next((r for r in finished_runs() if f"run-{r.number}" == choice.key), None)
        history = None if run is None else run.result.weight_history
        # A big run keeps only its first and last weights: that is no epoch-by-epoch story.
        return history if history is not None and len(history) == len(run.result.epochs) + 1 else None
    return None


def _maps(choice: ModelChoice, history: list | None, snapshot: int | None) -> list[LayerMap]:
    """Every layer's map of the sample at one snapshot (None: the model's own weights), kept per model."""
    return _all_maps(choice, history)[snapshot] if snapshot is not None else _own_maps(choice)


def _own_maps(choice: ModelChoice) -> list[LayerMap]:
    def compute():
        with st.spinner(tr("Running {n} test digits through every layer…").format(n=integer(SAMPLE))):
            return on_model(sample_uncrumpling, choice.ref)

    return per_model(choice.ref, "inside.uncrumpling", compute)


def _all_maps(choice: ModelChoice, history: list) -> list[list[LayerMap]]:
    """The maps at every snapshot of the history: one worker call for the slider and the epoch chart."""

    def compute():
        with st.spinner(
            ntr(
                "Running {n} test digits through every layer, before training and after {epochs} epoch…",
                "Running {n} test digits through every layer, before training and after each of {epochs} "
                "epochs…",
                len(history) - 1,
            ).format(n=integer(SAMPLE), epochs=len(history) - 1)
        ):
            return on_model(history_uncrumpling, choice.ref, history)

    return per_model(choice.ref, "inside.uncrumpling_history", compute)


def _tsne_maps(ref: ModelRef) -> dict:
    """Finished t-SNE maps of the model's layers, {layer name: (n, 2) coordinates}, for every session."""
    return finished("inside.uncrumpling_tsne", ref.fingerprint) or {}


def _start_tsne(ref: ModelRef) -> None:
    st.session_state[TSNE_MODEL] = ref
    start_task(
        TSNE_TASK,
        ModelCall(tsne_of_sample, ref, pass_control=True),
        name=tr("t-SNE of {n} digits in every layer").format(n=integer(SAMPLE // 2)),
        slots=background_slots(),
        in_worker=True,
    )


def _keep_finished_tsne() -> None:
    """A finished t-SNE job's maps go to its model's server-wide maps (the job ran on plain data)."""
    task = get_task(TSNE_TASK)
    ref = st.session_state.get(TSNE_MODEL)
    if task is None or ref is None:
        return
    snapshot = task.snapshot()
    kept = _tsne_maps(ref)
    if (
        snapshot.state == TaskState.FINISHED
        and isinstance(snapshot.result, dict)
        and snapshot.result.keys() - kept.keys()
    ):
        keep("inside.uncrumpling_tsne", ref.fingerprint, result={**kept, **snapshot.result})


def _percent(value: float) -> str:
    return percent(value, 1)


def uncrumpling_view(choice: ModelChoice) -> None:
    """Lesson 2's last bullet: the test digits at every layer, side by side, with a number per layer."""
    st.caption(tr("Life-cycle steps 4-5 · Fit, then evaluate: what each layer makes of the test digits"))
    st.header(tr("Layer by layer, the network uncrumples the digits"))
    st.write(
        tr(
            "The same {n} test digits as each layer sees them, flattened to 2-D, one colour per digit. "
            "Each layer is one simple transformation; together they pull the tangled classes apart."
        ).format(n=integer(SAMPLE // 2))
    )
    history = weight_history(choice)
    options = st.columns([1, 2])
    method = options[0].radio(
        tr("Flatten with"),
        ("PCA", "t-SNE"),
        horizontal=True,
        key="inside_projection",
        bind="query-params",
        persist_state="session",
        help=tr("PCA is instant. t-SNE keeps each digit near its neighbours; it runs in the background."),
    )
    snapshot = None
    if history is not None and method == "PCA":
        last = len(history) - 1
        snapshot = options[1].slider(
            tr("Epochs of training (0 = before training)"),
            0,
            last,
            last,
            key="inside_epoch",
            bind="query-params",
            persist_state="session",
        )
    try:
        maps = _maps(choice, history, snapshot)
    except WorkerJobFailed as failure:
        show_failure(failure)
        return
    _, labels, sketches = _sample()
    names = [tr("{name} · {n} values").format(name=m.name, n=integer(int(np.prod(m.shape)))) for m in maps]
    accuracies = ", ".join(f"{m.name} {_percent(m.knn_accuracy)}" for m in maps)
    when = (
        ""
        if snapshot is None
        else " " + ntr("after {n} epoch", "after {n} epochs", snapshot).format(n=snapshot)
        if snapshot
        else " " + tr("before training")
    )
    if method == "PCA":
        drawn = your_digit()
        marked = None
        if drawn is not None:
            weights = None if snapshot is None else history[snapshot]
            try:
                mine = on_model_for_input(
                    layer_representations,
                    choice.ref,
                    drawn["digit"][None],
                    weights,
                    inputs=digest(drawn["digit"]) + f"/snapshot {snapshot}",
                )
                marked = [m.place(r.values)[0] for m, r in zip(maps, mine)]
            except WorkerJobFailed as failure:
                show_failure(failure)
        show_chart(
            chart(
                layer_maps_figure,
                names,
                [m.coordinates[DRAWN] for m in maps],
                labels[DRAWN],
                sketches,
                marked,
            ),
            key="inside_layer_maps",
            alt=tr(
                "PCA maps of {n} test digits at every layer{when}, coloured by digit. "
                "{k}-nearest-neighbour accuracy per layer: {accuracies}."
            ).format(n=integer(SAMPLE // 2), when=when, k=NEIGHBOURS, accuracies=accuracies),
        )
        st.caption(
            tr(
                "Hover a point to see its digit. A flat PCA view shows few of the output's 10 corners apart; "
                "t-SNE shows them all."
            )
            + " "
            + (
                tr("The star is your digit.")
                if marked
                else tr("Draw a digit on the Predictions page and it appears here as a star.")
            )
        )
    else:
        _keep_finished_tsne()
        found = _tsne_maps(choice.ref)
        if all(m.name in found for m in maps):
            show_chart(
                chart(layer_maps_figure, names, [found[m.name] for m in maps], labels[DRAWN], sketches),
                key="inside_layer_maps",
                alt=tr(
                    "t-SNE maps of {n} test digits at every layer, coloured by digit. "
                    "{k}-nearest-neighbour accuracy per layer: {accuracies}."
                ).format(n=integer(SAMPLE // 2), k=NEIGHBOURS, accuracies=accuracies),
            )
            st.caption(
                tr(
                    "Hover a point to see its digit. t-SNE maps the trained model only, and has no place for "
                    "new digits."
                )
            )
        else:
            st.info(
                tr(
                    "t-SNE of {n} digits takes 10-40 s per layer here. It runs in the background; "
                    "once done it is kept for everyone."
                ).format(n=integer(SAMPLE // 2)),
                icon=":material/hourglass:",
            )
            if st.button(tr("Compute the t-SNE maps"), icon=":material/play_arrow:", key="inside_tsne_start"):
                _start_tsne(choice.ref)
            if get_task(TSNE_TASK) is not None:
                task_panel(TSNE_TASK)

    st.markdown(tr("**How well each layer separates the digits**{when}").format(when=when))
    columns = st.columns(len(maps))
    for column, (index, layer_map) in zip(columns, enumerate(maps)):
        before = maps[index - 1].knn_accuracy if index else None
        column.metric(
            layer_map.name,
            _percent(layer_map.knn_accuracy),
            None
            if before is None
            else tr("{change} points").format(
                change=("+" if layer_map.knn_accuracy >= before else "")
                + number((layer_map.knn_accuracy - before) * 100, 1)
            ),
        )
    skipped = representation_layers(choice.description)[1]
    st.caption(
        tr(
            "{k}-nearest-neighbour accuracy in each layer's full space: each digit drawn is named by a "
            "vote of its {k} nearest among {n} other test digits. Higher: classes further apart."
        ).format(k=NEIGHBOURS, n=integer(SAMPLE // 2))
        + (
            " "
            + tr("Left out for size: {layers}; the pooling after it stands for it.").format(
                layers=", ".join(skipped)
            )
            if skipped
            else ""
        )
    )
    if history is None:
        st.caption(
            tr(
                "This model kept no weights per epoch. Train one on Build & Train (or pick `default`) to watch "
                "the layers separate the digits epoch by epoch."
            )
        )
    else:
        by_epoch = np.array([[m.knn_accuracy for m in maps_then] for maps_then in _all_maps(choice, history)])
        layer_names = [m.name for m in maps]
        show_chart(
            chart(separation_by_epoch_figure, by_epoch, layer_names, snapshot),
            key="inside_separation_chart",
            alt=tr("{k}-nearest-neighbour accuracy per layer after each of {epochs} epochs:").format(
                k=NEIGHBOURS, epochs=len(history) - 1
            )
            + " "
            + "; ".join(
                tr("{name} from {before} before training to {after}").format(
                    name=name, before=_percent(by_epoch[0, k]), after=_percent(by_epoch[-1, k])
                )
                for k, name in enumerate(layer_names)
            )
            + ".",
        )
        st.caption(
            tr(
                "Before training, random weights crumple the digits further: each layer separates them worse "
                "than the pixels. Training turns that around, epoch by epoch."
            )
        )


def _axes(shape: tuple[int, ...]) -> str:
    image = ntr("{n} image", "{n} images", shape[0]).format(n=integer(shape[0]))
    if len(shape) >= 3:
        rows = ntr("{n} row", "{n} rows", shape[1]).format(n=integer(shape[1]))
        columns = ntr("{n} column", "{n} columns", shape[2]).format(n=integer(shape[2]))
        parts = [image, rows, columns]
        if len(shape) == 4:
            parts.append(ntr("{n} channel", "{n} channels", shape[3]).format(n=integer(shape[3])))
        return " × ".join(parts)
    return image + " × " + ntr("{n} value", "{n} values", shape[-1]).format(n=integer(shape[-1]))


def tensors_view(choice: ModelChoice) -> None:
    """One image's tensors through every layer, (batch, height, width, channels), and the maps they hold."""
    st.caption(
        tr("Life-cycle step 2 · Define the model: the shape of the tensor each layer hands to the next")
    )
    st.header(tr("One image's tensors, layer by layer"))
    st.write(
        tr(
            "Keras always works on a batch, here of one image. A convnet keeps the picture's rows and columns "
            "and adds channels, one per filter: 4-D tensors (batch, height, width, channels), until Flatten "
            "lines them up."
        )
    )
    if not choice.is_convnet:
        st.info(
            tr(
                "This model's tensors are 2-D, (batch, values): it reads the 784 pixels as one long vector. "
                "A convnet shows 4-D ones."
            ),
            icon=":material/info:",
        )
        st.button(
            tr("Show the shipped convnet"),
            key="inside_tensors_convnet",
            icon=":material/grid_on:",
            on_click=choose_model,
            args=("default-convnet",),
        )
    image, title = pick_input()
    try:
        tensors = on_model_for_input(tensor_shapes, choice.ref, image, inputs=digest(image))
    except WorkerJobFailed as failure:
        show_failure(failure)
        return
    numbers = tr("numbers")
    st.dataframe(
        pd.DataFrame(
            {
                tr("layer"): [t.name for t in tensors],
                tr("kind"): [t.kind for t in tensors],
                tr("output shape"): [str(t.shape) for t in tensors],
                numbers: [t.size for t in tensors],
                tr("what the axes are"): [_axes(t.shape) for t in tensors],
            }
        ),
        hide_index=True,
        column_config={numbers: st.column_config.NumberColumn(format="localized")},
    )
    conv = next((t for t in tensors if t.kind == "Conv2D"), None)
    if conv is None:
        return
    after = tensors[tensors.index(conv) + 1 :]
    pool = next((t for t in after if t.kind.endswith("Pooling2D")), None)
    shown = min(MAPS_SHOWN, conv.shape[-1])
    conv_side, pool_side = st.columns(2)
    with conv_side:
        st.markdown(
            tr("**After the convolution** {shape}: {shown} of {channels} channels").format(
                shape=f"`{conv.shape}`", shown=shown, channels=conv.shape[-1]
            )
        )
        maps = conv.maps()[:shown]
        show_chart(
            chart(image_grid_figure, maps, _channel_titles(shown), 4, "gray", tile_px=95),
            key="inside_conv_maps",
            alt=tr(
                "{shown} feature maps of {title} after {layer}, each {rows} x {columns} pixels, values 0 to "
                "{top}."
            ).format(
                shown=shown,
                title=title,
                layer=conv.name,
                rows=conv.shape[1],
                columns=conv.shape[2],
                top=number(maps.max(), 2),
            ),
        )
    if pool is not None:
        with pool_side:
            st.markdown(tr("**After pooling** {shape}: the same channels").format(shape=f"`{pool.shape}`"))
            pooled = pool.maps()[:shown]
            show_chart(
                chart(image_grid_figure, pooled, _channel_titles(shown), 4, "gray", tile_px=95),
                key="inside_pool_maps",
                alt=tr(
                    "The same {shown} maps after {layer}, each {rows} x {columns} pixels, values 0 to {top}."
                ).format(
                    shown=shown,
                    layer=pool.name,
                    rows=pool.shape[1],
                    columns=pool.shape[2],
                    top=number(pooled.max(), 2),
                ),
            )
        block = conv.shape[1] // pool.shape[1]
        st.caption(
            tr(
                "Pooling sums up each {side} x {side} block in one value (MaxPooling keeps the largest): the "
                "same maps, smaller, {times}x fewer numbers ({before} to {after})."
            ).format(
                side=block,
                times=conv.size // pool.size,
                before=integer(conv.size),
                after=integer(pool.size),
            )
        )


def _channel_titles(count: int) -> list[str]:
    return [tr("channel {number}").format(number=i) for i in range(count)]
