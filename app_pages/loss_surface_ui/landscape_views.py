"""Streamlit views of the loss-surface page: optimizer controls (Part 2) and the network's landscape (Part 3).

Nothing here imports Keras: Parts 1 and 2 are NumPy, and Part 3's landscapes and its quick network
are jobs for the worker processes (``ui.worker_jobs``), which load the model and read MNIST themselves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from mnist_core.engine.default_model import FIRST_NETWORK
from mnist_core.engine.spec import PRESETS, ModelSpec, TrainConfig
from mnist_core.figures import surface_figures as figures
from mnist_core.i18n import (
    N_,
    decimal_separators,
    integer,
    number,
    percent,
    tr,
)
from mnist_core.jobs.keras_jobs import training_job
from mnist_core.jobs.model_jobs import ModelCall, ModelRef
from mnist_core.jobs.result_store import fingerprint as result_key
from mnist_core.jobs.tasks import TaskState
from mnist_core.landscape import surfaces, walker
from mnist_core.landscape.loss_landscape import (
    Landscape,
    LandscapeSettings,
    estimate_landscape_seconds,
    fingerprint,
    landscape_of_model,
    loss_evaluations,
)
from ui import fair_share
from ui.charts import chart, show_chart
from ui.resources import background_slots, shipped_history, training_slots
from ui.results import data_source, server_results
from ui.tasks import get_task, start_task, task_panel
from ui.training_runs import TRAIN_TASK_KEY, finished_runs
from ui.worker_jobs import long_executor, spooled_ref

LEARNING_RATES = [
    0.0001,
    0.0002,
    0.0005,
    0.001,
    0.002,
    0.005,
    0.01,
    0.02,
    0.03,  # the bowl's momentum rate
    0.05,
    0.1,
    0.2,
    0.3,
    0.45,
    0.5,
    1.0,
]
HYPERPARAMETERS = {  # optimizer -> (keyword, symbol, what it does)
    "momentum": ("momentum", "μ", N_("how much of the last step carries on")),
    "rmsprop": ("rho", "ρ", N_("how long it remembers past gradients' sizes")),
    "adam": ("beta_1", "β₁", N_("how much of the past gradients carries on")),
}
QUICK_SPEC = ModelSpec()  # the lesson's first network, 784-32-10, RMSProp
QUICK_CONFIG = TrainConfig(epochs=3, train_limit=12_000, validation_size=2_000)  # 10,000 images: ~5 s
LANDSCAPE_TASK_KEY = "surface_landscape_task"
LANDSCAPE_FOR_KEY = "surface_landscape_task_for"  # (task id, store key) of the landscape it computes


# --- Part 1 ---


def walker_alt(shown: np.ndarray) -> str:
    """The walker chart's text alternative: the curve's valleys and where the walker is, with numbers."""
    valleys = {name: number(x, 2) for name, x in walker.VALLEYS.items()}
    text = tr(
        "The loss against one weight from 0 to 10: valleys A at x = {a}, B at x = {b} and C, the lowest, "
        "at x = {c}."
    ).format(a=valleys["A"], b=valleys["B"], c=valleys["C"])
    if len(shown):
        here = float(shown[-1])
        text += " " + tr(
            "After {steps} steps from x = {start}, the walker is at x = {x}, loss {loss}."
        ).format(
            steps=integer(len(shown) - 1),
            start=number(float(shown[0]), 2),
            x=number(here, 2),
            loss=number(float(walker.curve(here)), 3),
        )
    return text


# --- Part 2 ---


def point(x: float, y: float) -> str:
    """A point (x, y) with its numbers in the current language ("(0,40; 1,20)" in Spanish)."""
    return tr("({x}, {y})").format(x=coordinate(x), y=coordinate(y))


def coordinate(value: float) -> str:
    """A weight to 2 decimals; a far-flung one (a walk that is diverging) as 1.2e+150."""
    return number(value, 2) if abs(value) < 1e6 else scientific(value)


def scientific(value: float) -> str:
    """``value`` as 1.2e-05, with the current language's decimal mark."""
    return f"{value:.1e}".replace(".", decimal_separators()[0])


def reset_race_defaults() -> None:
    """Put the start and each learning rate back to what suits the chosen surface."""
    surface = surfaces.SURFACES[st.session_state.get("surface_name", "ravine")]
    st.session_state["surface_start_x"], st.session_state["surface_start_y"] = surface.start
    for name in surfaces.OPTIMIZERS:
        st.session_state[f"surface_lr_{name}"] = surface.learning_rates[name]


def optimizer_controls(name: str) -> dict | None:
    """One optimizer's column: show it or not, its learning rate, its own knob, its update rule."""
    if not st.checkbox(
        tr(figures.OPTIMIZER_LABELS[name]),
        value=True,
        key=f"surface_show_{name}",
        bind="query-params",
        persist_state="session",
    ):
        st.caption(tr("Hidden from the race."))
        return None
    settings = {
        "learning_rate": st.select_slider(
            tr("learning rate η"),
            LEARNING_RATES,
            value=surfaces.SURFACES[st.session_state.get("surface_name", "ravine")].learning_rates[name],
            key=f"surface_lr_{name}",
            bind="query-params",
            persist_state="session",
            help=tr("The size of each step."),
        )
    }
    if name in HYPERPARAMETERS:
        keyword, symbol, meaning = HYPERPARAMETERS[name]
        settings[keyword] = st.slider(
            f"{symbol}: {tr(meaning)}",
            0.0,
            0.99,
            0.9,
            0.01,
            key=f"surface_{keyword}_{name}",
            bind="query-params",
            persist_state="session",
        )
    # Footnote size and centred lines: Adam's four lines fit a quarter of a 1280 px screen.
    st.latex(r"\footnotesize\begin{gathered}" + r"\\ ".join(surfaces.UPDATE_RULES[name]) + r"\end{gathered}")
    return settings


def race(surface: str, start: tuple[float, float], steps: int, chosen: dict[str, dict]):
    """Every chosen optimizer's path and its losses, and how long computing them took (ms)."""
    began = time.perf_counter()
    paths = {
        name: surfaces.trajectory(surface, name, start=start, steps=steps, **s) for name, s in chosen.items()
    }
    losses = {name: surfaces.loss(surface, path[:, 0], path[:, 1]) for name, path in paths.items()}
    return paths, losses, 1000 * (time.perf_counter() - began)


def _race_ends(surface: str, paths: dict, losses: dict) -> list[tuple[str, str, str]]:
    """(optimizer, where it ended, its loss above the lowest or why it has none) per optimizer."""
    spec = surfaces.SURFACES[surface]
    ends = []
    for name, path in paths.items():
        diverged = surfaces.diverged_at(path)
        end = path[diverged - 1] if diverged else path[-1]
        inside = spec.x_range[0] <= end[0] <= spec.x_range[1] and spec.y_range[0] <= end[1] <= spec.y_range[1]
        status = (
            tr("diverged at step {step}").format(step=integer(diverged))
            if diverged
            else (tr("left the map") if not inside else scientific(losses[name][-1] - spec.lowest))
        )
        ends.append((tr(figures.OPTIMIZER_LABELS[name]), point(end[0], end[1]), status))
    return ends


def race_summary(surface: str, paths: dict, losses: dict) -> list[dict]:
    """One row per optimizer: where it ended, its loss, whether it diverged or left the map."""
    return [
        {tr("optimizer"): name, tr("ends at"): end, tr("loss − lowest"): status}
        for name, end, status in _race_ends(surface, paths, losses)
    ]


def race_alt(spec: surfaces.Surface, paths: dict, losses: dict, what: str) -> str:
    """A race chart's text alternative: the surface, the start and where each optimizer ended."""
    text = tr("{chart} of the surface {surface}, lowest loss {lowest}.").format(
        chart=what, surface=tr(spec.title), lowest=number(spec.lowest)
    )
    if not paths:
        return text + " " + tr("No optimizer is racing.")
    start = next(iter(paths.values()))[0]
    ends = "; ".join(
        tr("{optimizer} ends at {point}, loss above the lowest {status}").format(
            optimizer=name, point=end, status=status
        )
        for name, end, status in _race_ends(spec.name, paths, losses)
    )
    return text + " " + tr("From the start {point}: {ends}.").format(point=point(*start), ends=ends)


# --- Part 3 ---


@dataclass(frozen=True)
class LandscapeSource:
    """A trained network whose landscape can be drawn: a run of this session, or the shipped model."""

    label: str
    name: str  # for the task's title: "run 2", "the default model"
    spec: ModelSpec
    config: TrainConfig
    weight_history: list  # model.get_weights() before training and after each epoch
    keras_bytes: bytes | None = field(default=None, repr=False)  # a run's model, or None: the shipped one

    def model_ref(self) -> ModelRef:
        """The name a worker loads the network by (a run's model is spooled to a file once)."""
        if self.keras_bytes is None:
            return ModelRef.of_shipped(FIRST_NETWORK.key)
        return spooled_ref(self.keras_bytes)


def landscape_sources() -> list[LandscapeSource]:
    """This session's runs that kept their weight history (newest first), then the default model."""
    sources = [
        LandscapeSource(
            run.label,
            tr("run {number}").format(number=integer(run.number)),
            run.result.spec,
            run.result.config,
            run.result.weight_history,
            run.keras_bytes,
        )  # fmt: skip
        for run in reversed(finished_runs())
        if run.has_model and run.result.weight_history and len(run.result.weight_history) >= 2
    ]
    preset = PRESETS[FIRST_NETWORK.preset]
    sources.append(
        LandscapeSource(
            FIRST_NETWORK.label,
            tr("the default model"),
            preset.model,
            preset.train,
            shipped_history(FIRST_NETWORK.key),
        )  # fmt: skip
    )
    return sources


SLOW_LANDSCAPE_SECONDS = 20  # a longer computation is announced before Compute
MAX_REMEMBERED_FINGERPRINTS = 8  # this session's kept runs and the shipped model, with room to spare


def source_fingerprint(source: LandscapeSource) -> str:
    """The weight history's hash, computed once per history per session.

    The memo holds the history itself beside its hash: an ``id()`` alone can be reused by a
    new run once an old one is dropped, and the new run would get the old run's landscape.
    """
    memo = st.session_state.setdefault("surface_fingerprints", {})
    history = source.weight_history
    known = memo.get(id(history))
    if known is None or known[0] is not history:
        known = memo[id(history)] = (history, fingerprint(history))
        while len(memo) > MAX_REMEMBERED_FINGERPRINTS:
            memo.pop(next(iter(memo)))
    return known[1]


def quick_model_offer() -> None:
    """Offer to train the lesson's first network here, in the background, for a landscape of its own."""
    task = get_task(TRAIN_TASK_KEY)
    if task is not None and not task.snapshot().is_over:
        st.info(
            tr("A network is training. It will appear in the list above when it finishes."),
            icon=":material/hourglass:",
        )
        task_panel(TRAIN_TASK_KEY)
        return
    left, right = st.columns([3, 2], vertical_alignment="center")
    left.caption(
        tr(
            "Want your own? Train a network on **Build & Train**, or the lesson's first network "
            "(784-32-10, RMSProp) right here: 3 epochs on {images} images, a few seconds."
        ).format(images=integer(QUICK_CONFIG.train_limit - QUICK_CONFIG.validation_size))
    )
    elsewhere = fair_share.training_elsewhere(TRAIN_TASK_KEY)  # one training per session at a time
    if elsewhere is not None:
        left.caption(fair_share.one_at_a_time_message(elsewhere))
    if right.button(
        tr("Train a quick first network"),
        key="surface_train_quick",
        icon=":material/model_training:",
        disabled=elsewhere is not None,
    ):
        start_task(
            TRAIN_TASK_KEY,
            training_job(QUICK_SPEC, QUICK_CONFIG),
            name=tr("Quick first network for the loss landscape"),
            slots=training_slots(),
            in_worker=True,
        )
        st.rerun()
    task_panel(TRAIN_TASK_KEY)


def landscape_job(source: LandscapeSource, settings: LandscapeSettings) -> ModelCall:
    """The background task's work, for a worker: load the network, read MNIST, compute."""
    arguments = (source.spec, source.config, source.weight_history, settings)
    return ModelCall(landscape_of_model, source.model_ref(), arguments, pass_control=True)


def landscape_key(source: LandscapeSource, settings: LandscapeSettings) -> str:
    """The result store's key of a landscape: the network's weights, the settings and the data read."""
    return result_key("landscape", source_fingerprint(source), settings, data_source())


def keep_finished_landscape() -> None:
    """Put the landscape the session's task finished into the server's result store, once.

    The worker returns it; the store's key was noted when Compute was pressed (the student may have
    moved the sliders since).
    """
    task, started = get_task(LANDSCAPE_TASK_KEY), st.session_state.get(LANDSCAPE_FOR_KEY)
    if task is None or started is None or started[0] != task.id or task.state != TaskState.FINISHED:
        return
    landscape = task.snapshot().result
    if isinstance(landscape, Landscape) and started[1] not in server_results():
        server_results().put(started[1], landscape)


def landscape_section() -> None:
    """Part 3: pick a network, compute its landscape in the background, draw it."""
    sources = {source.label: source for source in landscape_sources()}
    newest = next(iter(sources))
    if st.session_state.get("surface_newest_network") != newest:  # a run just finished: show it
        st.session_state["surface_newest_network"] = st.session_state["surface_run"] = newest
    source = sources[
        st.selectbox(
            tr("Network"),
            list(sources),
            format_func=tr,
            key="surface_run",
            bind="query-params",
            persist_state="session",
            help=tr("This session's trained networks, newest first, and the model shipped with the app."),
        )
    ]
    quick_model_offer()
    resolution_column, span_column = st.columns(2)
    resolution = resolution_column.select_slider(
        tr("Grid points per side"),
        [11, 21, 31],
        value=21,
        key="surface_landscape_resolution",
        bind="query-params",
        persist_state="session",
        help=tr("More points, finer picture, longer wait (a convnet is much slower than a dense network)."),
    )
    span = span_column.select_slider(
        tr("How far the random plane reaches"),
        [0.25, 0.5, 1.0, 2.0],
        value=1.0,
        key="surface_landscape_span",
        bind="query-params",
        persist_state="session",
        help=tr("In filter-normalized units: 1 means as far as each unit's weights are long."),
    )
    settings = LandscapeSettings(resolution=resolution, span=span)
    keep_finished_landscape()
    cache_key = landscape_key(source, settings)
    landscape = server_results().get(cache_key)
    if landscape is None:
        # The landscape runs on the long-job pool. Its workers start (TensorFlow imports, MNIST loads)
        # when the pool is first asked for; asking now lets them start while the student picks the
        # settings: a cold pool added 40 s to the first landscape at a load average of 12.
        long_executor()
        estimate = estimate_landscape_seconds(source.spec, settings)
        st.caption(
            tr(
                "Computed on {training} training and {validation} validation images, {evaluations} loss "
                "evaluations: about {seconds} s on a quiet server, longer while others train."
            ).format(
                training=integer(settings.samples),
                validation=integer(settings.validation_samples),
                evaluations=integer(loss_evaluations(settings)),
                seconds=integer(round(estimate)),
            )
        )
        if estimate > SLOW_LANDSCAPE_SECONDS:
            first = estimate_landscape_seconds(PRESETS[FIRST_NETWORK.preset].model, settings)
            why = (
                tr(
                    "The landscape of {network} takes about {seconds} s here, the first network's about "
                    "{first} s: every loss is a pass over {images} images through the whole network and a "
                    "convolution costs far more per image."
                )
                if source.spec.architecture == "convnet"
                else tr(
                    "The landscape of {network} takes about {seconds} s here, the first network's about "
                    "{first} s: every loss is a pass over {images} images through the whole network."
                )
            )
            st.warning(
                why.format(
                    network=source.name,
                    seconds=integer(round(estimate)),
                    first=integer(round(first)),
                    images=integer(settings.samples),
                )
                + " "
                + tr("Fewer grid points per side are much faster (11 instead of 21: about 3 times)."),
                icon=":material/hourglass:",
            )
        if st.button(
            tr("Compute the landscape"), key="surface_compute", type="primary", icon=":material/landscape:"
        ):
            task = start_task(
                LANDSCAPE_TASK_KEY,
                landscape_job(source, settings),
                name=tr("Loss landscape of {network}").format(network=source.name),
                slots=background_slots(),
                in_worker=True,
            )
            st.session_state[LANDSCAPE_FOR_KEY] = (task.id, cache_key)
        task_panel(LANDSCAPE_TASK_KEY, draw=draw_partial, pausable=True)
        return
    draw_landscape(landscape)


def draw_partial(snapshot) -> None:
    """While the grids compute, the 1-D line is already there to look at."""
    line = snapshot.detail.get("interpolation")
    if line and not snapshot.is_over:
        alphas, train_losses, validation_losses = map(
            np.array, (line["alphas"], line["train"], line["validation"])
        )
        show_chart(
            figures.interpolation_figure(alphas, train_losses, validation_losses),
            key="surface_partial_line",
            alt=interpolation_alt(alphas, train_losses, validation_losses),
        )


def interpolation_alt(alphas: np.ndarray, train_losses: np.ndarray, validation_losses: np.ndarray) -> str:
    """The 1-D line's text alternative: its losses at the initial and the trained weights."""
    alphas = list(alphas)
    at_start, at_end = alphas.index(0.0), alphas.index(1.0)
    return tr(
        "The loss on the straight line from the initial weights (alpha = 0) to the trained ones (alpha = 1) "
        "and beyond, from alpha {low} to {high}: on training images {train_start} at 0 and {train_end} at 1, "
        "on validation images {validation_start} and {validation_end}."
    ).format(
        low=number(alphas[0], 2),
        high=number(alphas[-1], 2),
        train_start=number(train_losses[at_start], 3),
        train_end=number(train_losses[at_end], 3),
        validation_start=number(validation_losses[at_start], 3),
        validation_end=number(validation_losses[at_end], 3),
    )


def plane_alt(plane: str, grid: np.ndarray, path_losses: np.ndarray | None) -> str:
    """A plane's text alternative: the range of its losses, and the path's if drawn."""
    text = tr("{plane}: the loss on a plane through the trained weights, from {low} to {high}.").format(
        plane=plane, low=number(float(grid.min()), 3), high=number(float(grid.max()), 3)
    )
    if path_losses is not None:
        text += " " + tr(
            "The training path goes from loss {start} before training to {end} after it."
        ).format(start=number(float(path_losses[0]), 3), end=number(float(path_losses[-1]), 3))
    return text


def draw_landscape(landscape: Landscape) -> None:
    st.markdown(
        tr(
            "**1-D: from where training started to where it ended.** Every point is a whole network: "
            "its weights are `initial + alpha x (trained - initial)`. At alpha = 0 it is your untrained network, "
            "at 1 your trained one."
        )
    )
    line = (landscape.alphas, landscape.interpolation_train, landscape.interpolation_validation)
    show_chart(chart(figures.interpolation_figure, *line), key="surface_line", alt=interpolation_alt(*line))
    trained = landscape.interpolation_train[list(landscape.alphas).index(1.0)]
    st.caption(
        tr(
            "Loss of the trained weights: {loss} on {images} training images. Computed in {seconds} s."
        ).format(
            loss=number(trained, 3), images=integer(landscape.samples), seconds=number(landscape.seconds, 1)
        )
    )
    plane = st.radio(
        tr("Plane through the trained weights"),
        [N_("Along the training path"), N_("Two random directions")],  # as in ui/links.py
        format_func=tr,
        horizontal=True,
        key="surface_landscape_plane",
        bind="query-params",
        persist_state="session",
    )
    if plane == "Along the training path":
        share = landscape.explained.sum()
        st.markdown(
            tr(
                "**The road your run took.** The two directions in which the weights moved most during training "
                "(a PCA of the weights saved after each epoch; together they hold {share} of the movement). "
                "The star is the trained network."
            ).format(share=percent(share, 1))
        )
        for note in landscape.notes:
            st.caption(tr(note))
        args = (landscape.pca_x, landscape.pca_y, landscape.pca_grid, (tr("direction 1"), tr("direction 2")))
        kwargs = {"path": landscape.path, "path_losses": landscape.path_losses}
    else:
        st.markdown(
            tr(
                "**Around the trained weights, in two random directions** (Li et al., 2018). Each direction is "
                "*filter-normalized*: every unit's share of it is as long as that unit's weights, biases left "
                "out, so 1 on an axis means the same size of change in every layer. A wide, round basin tends "
                "to generalize better than a narrow one."
            )
        )
        args = (
            landscape.random_axis,
            landscape.random_axis,
            landscape.random_grid,
            (tr("direction 1"), tr("direction 2")),
        )
        kwargs = {}
    alt = plane_alt(tr(plane), args[2], kwargs.get("path_losses"))
    contour_column, surface_column = st.columns(2)
    show_chart(
        chart(figures.landscape_contour_figure, *args, **kwargs),
        key="surface_landscape_contour",
        where=contour_column,
        alt=tr("Contour map") + ". " + alt,
    )
    show_chart(
        chart(figures.landscape_surface_figure, *args, **kwargs),
        key="surface_landscape_3d",
        where=surface_column,
        alt=tr("The surface in 3-D") + ". " + alt,
    )
