"""Loss surface (life-cycle steps 3-4): gradient descent you can watch, from one weight to your own network."""

import numpy as np
import pandas as pd
import streamlit as st

from app_pages.loss_surface_ui.landscape_views import (
    landscape_section,
    optimizer_controls,
    race,
    race_alt,
    race_summary,
    reset_race_defaults,
    walker_alt,
)
from mnist_core.figures import surface_figures as figures
from mnist_core.figures.surface_figures import signed
from mnist_core.i18n import integer, ntr, number, tr
from mnist_core.landscape import surfaces, walker
from ui.charts import chart, show_chart
from ui.lazy_tabs import run_open_tab
from ui.links import link_to_this_view
from ui.presentation import presenter_view_on

PRESENTER_MAP_HEIGHT = 420  # px: the race's map under its surface picker on one 1280 x 720 screen

st.title(tr("The loss surface"))
link_to_this_view("loss_surface")
st.caption(
    tr(
        "Life-cycle steps 3 and 4: the optimizer you pick when you compile is the walker that, "
        "while the network fits, goes downhill on this surface."
    )
)
st.markdown(
    tr(
        "The loss is one number that says how wrong the network is. Change a weight and the loss changes: "
        "plot the loss against the weights and you get a landscape. Training walks downhill on it, one "
        "step per batch, in the direction the slope (the **gradient**) points down."
    )
)


# --- Part 1 ---
def one_weight() -> None:
    """A walker on a curve with three valleys: the slope, one step at a time."""

    def place_walker(x: float) -> None:
        st.session_state["surface_walker_start"] = x
        st.session_state["surface_walker_steps"] = 0

    def take_steps(n: int) -> None:
        st.session_state["surface_walker_steps"] = min(st.session_state["surface_walker_steps"] + n, 100)

    controls, walker_column = st.columns([1, 2.4])
    with controls:
        st.slider(
            tr("Start here"), *walker.X_RANGE, walker.START_POSITIONS["1"], 0.1, key="surface_walker_start", bind="query-params", persist_state="session",
            on_change=lambda: st.session_state.update(surface_walker_steps=0),
        )  # fmt: skip
        left, right = st.columns(2)
        left.button(
            tr("Start 1"),
            key="surface_walker_start_1",
            on_click=place_walker,
            args=(walker.START_POSITIONS["1"],),
        )
        right.button(
            tr("Start 2"),
            key="surface_walker_start_2",
            on_click=place_walker,
            args=(walker.START_POSITIONS["2"],),
        )
        learning_rate = st.select_slider(
            tr("Learning rate η"), [0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 1.5, 3.0], value=0.1,
            key="surface_walker_learning_rate", bind="query-params", persist_state="session", help=tr("Each step moves the walker by η x slope."),
        )  # fmt: skip
        st.slider(
            tr("Steps taken"),
            0,
            100,
            0,
            key="surface_walker_steps",
            bind="query-params",
            persist_state="session",
        )
        left, right = st.columns(2)
        left.button(
            tr("One step"), key="surface_walker_one", on_click=take_steps, args=(1,), icon=":material/step:"
        )
        right.button(
            tr("Ten steps"),
            key="surface_walker_ten",
            on_click=take_steps,
            args=(10,),
            icon=":material/fast_forward:",
        )

    positions = walker.steps(
        st.session_state["surface_walker_start"], learning_rate, st.session_state["surface_walker_steps"]
    )
    walked = positions[np.isfinite(positions)]
    here = float(walked[-1])
    on_curve = walker.X_RANGE[0] <= here <= walker.X_RANGE[1]
    shown = walked if on_curve else walked[:-1]
    curve_x = np.linspace(*walker.X_RANGE, 400)
    with walker_column:
        show_chart(
            chart(figures.walker_figure,
                curve_x, walker.curve(curve_x), shown, walker.curve(shown), walker.slope(shown),
                {name: (x, float(walker.curve(x))) for name, x in walker.VALLEYS.items()},
                {name: (x, float(walker.curve(x))) for name, x in walker.START_POSITIONS.items()},
            ),
            key="surface_walker_chart",
            alt=walker_alt(shown),
        )  # fmt: skip
    with controls:
        if on_curve:
            slope = float(walker.slope(here))
            explanation = (
                tr(
                    "At **x = {x}** the slope is **{slope}**. Downhill is to the right, so the next step goes "
                    "to x - η x slope = {x} - {rate} x ({slope}) = **{next}**."
                )
                if slope < 0
                else tr(
                    "At **x = {x}** the slope is **{slope}**. Downhill is to the left, so the next step goes "
                    "to x - η x slope = {x} - {rate} x ({slope}) = **{next}**."
                )
            )
            st.markdown(
                explanation.format(
                    x=number(here, 2),
                    slope=signed(slope, 3),
                    rate=number(learning_rate),
                    next=number(here - learning_rate * slope, 2),
                )
            )
        if st.session_state["surface_walker_steps"]:
            st.info(walker.outcome(positions).sentence)
        else:
            st.caption(
                tr(
                    "Take a step. Then try start 1 and start 2: which valley does each reach? Can you reach C?"
                )
            )


# --- Part 2 ---
def two_weights() -> None:
    """Four optimizers race on a surface of two weights."""
    surface_column, start_column, steps_column = st.columns([1.3, 2, 1])
    name = surface_column.selectbox(
        tr("Surface"), list(surfaces.SURFACES), index=list(surfaces.SURFACES).index("ravine"),
        format_func=lambda n: tr(surfaces.SURFACES[n].title), key="surface_name", bind="query-params", persist_state="session", on_change=reset_race_defaults,
    )  # fmt: skip
    surface = surfaces.SURFACES[name]
    if "surface_start_x" not in st.session_state:  # after the surface: a link may name another one
        reset_race_defaults()
    surface_column.latex(f"L(x, y) = {surface.formula}")
    with start_column:
        start = (
            st.slider(
                tr("Start x"),
                *surface.x_range,
                surface.start[0],
                0.05,
                key="surface_start_x",
                bind="query-params",
                persist_state="session",
            ),
            st.slider(
                tr("Start y"),
                *surface.y_range,
                surface.start[1],
                0.05,
                key="surface_start_y",
                bind="query-params",
                persist_state="session",
            ),
        )
    steps = steps_column.slider(
        tr("Steps"), 10, 500, 200, 10, key="surface_steps", bind="query-params", persist_state="session"
    )
    steps_column.button(tr("Reset start and rates"), key="surface_reset", on_click=reset_race_defaults)
    # In presenter view the map comes right under the surface picker, on one 1280 x 720 screen: the
    # optimizers' settings fold into an expander and the surface's lesson moves under the map.
    presenter = presenter_view_on()
    lesson = f"**{tr(surface.title)}.** {tr(surface.lesson)}"
    if not presenter:
        st.markdown(lesson)
    chosen = {}
    optimizer_area = (
        st.expander(tr("The four optimizers: which race, their learning rates and update rules"))
        if presenter
        else st.container()
    )
    with optimizer_area:
        for column, optimizer in zip(st.columns(4, border=True), surfaces.OPTIMIZERS):
            with column:
                settings = optimizer_controls(optimizer)
                if settings is not None:
                    chosen[optimizer] = settings

    paths, losses, milliseconds = race(name, start, steps, chosen)
    xs, ys, z = surfaces.grid(name, 90)
    contour_column, surface_column = st.columns(2)
    show_chart(
        chart(figures.race_contour_figure, xs, ys, z, surface.lowest, paths),
        key="surface_contour",
        where=contour_column,
        height=PRESENTER_MAP_HEIGHT if presenter else None,
        alt=race_alt(surface, paths, losses, tr("Contour map")),
    )
    show_chart(
        chart(figures.race_surface_figure, xs, ys, z, surface.lowest, paths, losses),
        key="surface_3d",
        where=surface_column,
        height=PRESENTER_MAP_HEIGHT if presenter else None,
        alt=race_alt(surface, paths, losses, tr("The surface in 3-D")),
    )
    if presenter:
        st.markdown(lesson)
    st.caption(
        ntr(
            "Press ▶ Play under the map to watch the race step by step. The path was recomputed in "
            "{milliseconds} ms with the same update rules as keras.optimizers.",
            "Press ▶ Play under the map to watch the race step by step. The {n} paths were recomputed in "
            "{milliseconds} ms with the same update rules as keras.optimizers.",
            len(paths),
        ).format(n=integer(len(paths)), milliseconds=number(milliseconds, 1))
    )
    if paths:
        losses_column, table_column = st.columns([3, 2])
        show_chart(
            chart(figures.race_losses_figure, losses, surface.lowest),
            key="surface_losses",
            where=losses_column,
            alt=race_alt(surface, paths, losses, tr("Loss above the lowest point, step by step")),
        )
        table_column.dataframe(pd.DataFrame(race_summary(name, paths, losses)), hide_index=True)
        table_column.caption(
            tr(
                "Plain SGD's step is η x slope: tiny on flat ground, huge on cliffs. Momentum adds up past "
                "steps; RMSProp and Adam divide by the recent size of the slope, so their steps stay about η long."
            )
        )
    else:
        st.warning(tr("Tick at least one optimizer to start the race."))


# --- Part 3 ---
def your_network() -> None:
    """Slices through the loss surface of a real network."""
    st.markdown(
        tr(
            "A real network has thousands of weights, so its surface has thousands of dimensions. You can "
            "still look at slices of it: a line, or a plane, through weight space."
        )
    )
    landscape_section()


# Only the open part runs. With all three running, every rerun (each click in Part 3
# too) rebuilt the race's figures: 0.18 s of server time and 1 MB of chart data sent each time,
# against 0.03 s and 20 KB with Part 1 open alone (measured through AppTest).
run_open_tab(
    # The same English labels as SURFACE_TABS in ui/links.py.
    [
        tr("1 · One weight: slope and valleys"),
        tr("2 · Two weights: optimizers race"),
        tr("3 · Your network's landscape"),
    ],
    [one_weight, two_weights, your_network],
    key="surface_part",
)
