"""784 dimensions (life-cycle step 1): the data set as points of a 784-dimensional cube."""

import numpy as np
import streamlit as st

from mnist_core.data import projections, vectors
from mnist_core.figures import data_figures
from mnist_core.i18n import integer, number, percent, tr
from ui import data_views
from ui.charts import chart, show_chart
from ui.lazy_tabs import run_open_tab
from ui.links import link_to_this_view
from ui.presentation import presenter_view_on
from ui.tasks import get_task, task_panel
from ui.worker_jobs import long_executor

TSNE_TASK = "dimensions_tsne_task"
SEED = 0  # one subset of digits for every view, so the same points appear in each chart
# In presenter view a map and the control above it fit under the lesson bar on one 1280 x 720 screen.
PRESENTER_MAP_HEIGHT = 380
# Widgets keep their values while their tab is closed (persist_state="session").

st.caption(tr("Life-cycle step 1 · Gather and prepare the data"))
st.title(tr("784 dimensions"))
link_to_this_view("dimensions")
st.write(
    tr(
        "Every image is a vector of 784 numbers, so every image is a **point in a 784-dimensional space**. "
        "Picture an *MNIST cube*: each dimension is one pixel, running from black (0) on one side to white "
        "(255) on the other. Every possible 28 × 28 picture is somewhere in that cube."
    )
)
images, labels = data_views.split_arrays("train")


def away(distance: float) -> str:
    """A tile's caption: its distance to the nearest training digit."""
    return tr("{distance} away").format(distance=number(distance, 1))


def show_selected(chart_key: str, indices: np.ndarray) -> None:
    """Draw the digits the user clicked or lasso-selected in a ``class_scatter`` of ``images[indices]``."""
    points = st.session_state.get(chart_key, {}).get("selection", {}).get("points", [])
    chosen = [indices[p] for p in data_figures.selected_positions(labels[indices], points)[:20]]
    if chosen:
        show_chart(
            chart(
                data_figures.image_grid, images[chosen], [f"#{i} · {labels[i]}" for i in chosen], columns=10
            ),
            key=f"{chart_key}_selected",
        )
    else:
        st.caption(
            tr("Click a point, or drag a box or lasso around some, to see the digits themselves here.")
        )


def two_pixels_as_axes() -> None:
    """Olah's MNIST cube seen along two of its 784 axes."""
    st.header(tr("Look at the cube along two pixels"))
    axes = st.columns(5)
    row_a = axes[0].slider(
        tr("Pixel A row"), 0, 27, 14, key="dimensions_a_row", bind="query-params", persist_state="session"
    )
    col_a = axes[1].slider(
        tr("Pixel A column"), 0, 27, 10, key="dimensions_a_col", bind="query-params", persist_state="session"
    )
    row_b = axes[2].slider(
        tr("Pixel B row"), 0, 27, 14, key="dimensions_b_row", bind="query-params", persist_state="session"
    )
    col_b = axes[3].slider(
        tr("Pixel B column"), 0, 27, 18, key="dimensions_b_col", bind="query-params", persist_state="session"
    )
    n_cube = axes[4].select_slider(
        tr("Digits"),
        [500, 1000, 2000, 5000],
        2000,
        key="dimensions_cube_n",
        bind="query-params",
        persist_state="session",
    )
    cube_indices = data_views.subset(n_cube, SEED)
    flat = images[cube_indices].reshape(n_cube, -1)
    a, b = vectors.pixel_index(row_a, col_a), vectors.pixel_index(row_b, col_b)
    jitter = st.toggle(
        tr("Jitter the points a little"),
        True,
        key="dimensions_jitter",
        bind="query-params",
        persist_state="session",
        help=tr("Many pixels are exactly 0 or 255."),
    )
    noise = np.random.default_rng(SEED).uniform(-6, 6, (n_cube, 2)) if jitter else np.zeros((n_cube, 2))
    show_chart(
        chart(
            data_figures.class_scatter,
            flat[:, [a, b]] + noise,
            labels[cube_indices],
            data_views.sketches(n_cube, SEED),
            (
                tr("pixel A: row {row}, column {col} (index {index})").format(row=row_a, col=col_a, index=a),
                tr("pixel B: row {row}, column {col} (index {index})").format(row=row_b, col=col_b, index=b),
            ),
        ),
        key="dimensions_cube_chart",
        on_select="rerun",
        height=PRESENTER_MAP_HEIGHT if presenter_view_on() else None,
    )
    st.write(
        tr(
            "Two of the 784 axes at a time. Hover a point to see a sketch of its digit. Most points pile up at 0 "
            "(background) or near 255 (ink): with only two pixels the classes overlap, which is why a network "
            "needs all 784."
        )
    )
    show_selected("dimensions_cube_chart", cube_indices)


def random_points_are_noise() -> None:
    """Random points of the cube next to real digits, and how far each is from a training digit."""
    st.header(tr("Random points of the cube are noise"))
    seed = st.number_input(
        tr("Random seed"),
        0,
        10_000,
        1,
        key="dimensions_random_seed",
        bind="query-params",
        persist_state="session",
    )
    random_points, random_distances, _ = data_views.nearest_training_distances("random", 200, seed)
    test_points, test_distances, _ = data_views.nearest_training_distances("test", 200, seed)
    noise_side, digit_side = st.columns(2)
    show_chart(
        chart(data_figures.image_grid, random_points[:10], [away(d) for d in random_distances[:10]]),
        key="dimensions_random_chart",
        where=noise_side,
    )
    show_chart(
        chart(data_figures.image_grid, test_points[:10], [away(d) for d in test_distances[:10]]),
        key="dimensions_test_chart",
        where=digit_side,
    )
    n_train = integer(len(labels))
    st.markdown(tr("**Median distance to the nearest of the {count} training digits**").format(count=n_train))
    metrics = st.columns(3)
    metrics[0].metric(tr("200 random points"), number(np.median(random_distances), 1))
    metrics[1].metric(tr("200 real test digits"), number(np.median(test_distances), 1))
    metrics[2].metric(
        tr("For scale: black to white"),
        number(projections.cube_diagonal(), 0),
        help=tr("The cube's longest diagonal."),
    )
    st.write(
        tr(
            "Left: pictures whose 784 pixels were drawn at random. Right: real test digits, never seen in "
            "training. Distances are in pixel units (a pixel going from black to white counts 1). Real digits "
            "have a close neighbour among the {count} training digits; random points are far from all of them. "
            "The digits are not the whole space: they live on a thin, folded surface inside it, a **manifold**."
        ).format(count=n_train)
    )


def flatten_to_two_or_three() -> None:
    """PCA and t-SNE maps of the digits, and the principal components as images."""
    st.header(tr("Flatten 784 dimensions to 2 or 3"))
    options = st.columns(3)
    method = options[0].radio(
        tr("Method"),
        ("PCA", "t-SNE"),
        horizontal=True,
        key="dimensions_method",
        bind="query-params",
        persist_state="session",
    )
    n_projected = options[1].select_slider(
        tr("Digits"),
        [1000, 2000, 5000, 10_000],
        2000,
        key="dimensions_n",
        bind="query-params",
        persist_state="session",
    )
    dims = options[2].radio(
        tr("Dimensions"),
        (2, 3),
        horizontal=True,
        key="dimensions_dims",
        bind="query-params",
        persist_state="session",
    )
    projected_indices = data_views.subset(n_projected, SEED)
    fit = data_views.pca(n_projected, SEED)
    if method == "PCA":
        coordinates = fit.coordinates[:, :dims]
        axis_titles = tuple(f"PC{k + 1} ({percent(fit.explained_variance_ratio[k], 1)})" for k in range(dims))
    else:
        coordinates = data_views.tsne_result(n_projected, dims, SEED, TSNE_TASK)
        axis_titles = ("t-SNE 1", "t-SNE 2", "t-SNE 3")
        if coordinates is None:
            long_executor()  # t-SNE is a worker's job: start the workers while the student reads
            st.info(
                tr(
                    "t-SNE of {count} digits takes from half a minute to a few minutes here. It runs in the "
                    "background: keep exploring, and the map appears when it is done. Once computed, it is kept "
                    "for everyone."
                ).format(count=integer(n_projected)),
                icon=":material/hourglass:",
            )
            if st.button(
                tr("Compute the t-SNE map"), icon=":material/play_arrow:", key="dimensions_tsne_start"
            ):
                data_views.start_tsne(TSNE_TASK, n_projected, dims, SEED)
            if get_task(TSNE_TASK) is not None:
                task_panel(TSNE_TASK)
    if coordinates is not None:
        show_chart(
            chart(
                data_figures.class_scatter,
                coordinates,
                labels[projected_indices],
                data_views.sketches(n_projected, SEED),
                axis_titles,
                marker_size=3 if n_projected > 2000 else 4,
            ),
            key="dimensions_projection_chart",
            on_select="rerun" if dims == 2 else "ignore",
            height=PRESENTER_MAP_HEIGHT if presenter_view_on() else None,
        )
        st.write(
            tr(
                "**PCA** keeps the straight-line directions along which the digits vary most: instant, but "
                "classes overlap. **t-SNE** bends the space to keep each digit next to its nearest neighbours: "
                "the classes separate into islands. Separating the classes is what a trained network's layers "
                "do, step by step."
            )
        )
        if dims == 2:
            show_selected("dimensions_projection_chart", projected_indices)

    st.subheader(tr("The principal components, as images"))
    show_chart(
        chart(
            data_figures.image_grid,
            fit.components.reshape(-1, 28, 28),
            [f"PC{k + 1}: {percent(r, 1)}" for k, r in enumerate(fit.explained_variance_ratio)],
            zmin=-0.15,
            zmax=0.15,
            colorscale="RdBu",
            hover=tr("row %{customdata[1]}, column %{customdata[2]}<br>weight %{z:.3f}<extra></extra>"),
            colorbar_title=tr("blue +, red −"),
        ),
        key="dimensions_components_chart",
    )
    show_chart(
        chart(data_figures.explained_variance_figure, fit.explained_variance_ratio),
        key="dimensions_variance_chart",
    )
    st.caption(
        tr(
            "Each component is a direction in the cube, drawn as a 28 × 28 picture: moving along it, blue pixels "
            "get brighter and red ones darker (the same colours as the weights on Inside the network)."
        )
    )


def walk_between_digits() -> None:
    """The straight line from one digit to another leaves the manifold."""
    st.header(tr("Walk in a straight line from one digit to another"))
    walk = st.columns(4)
    start_digit = walk[0].selectbox(
        tr("From a"), range(10), 3, key="dimensions_walk_from", bind="query-params", persist_state="session"
    )
    end_digit = walk[1].selectbox(
        tr("To a"), range(10), 8, key="dimensions_walk_to", bind="query-params", persist_state="session"
    )
    which = walk[2].slider(
        tr("Which examples"),
        0,
        50,
        0,
        key="dimensions_walk_which",
        bind="query-params",
        persist_state="session",
    )
    steps = walk[3].slider(
        tr("Steps"),
        3,
        11,
        7,
        step=2,
        key="dimensions_walk_steps",
        bind="query-params",
        persist_state="session",
    )
    frames, walk_distances = data_views.walk(start_digit, end_digit, which, steps)
    show_chart(chart(data_figures.walk_figure, frames, walk_distances), key="dimensions_walk_chart")
    middle = steps // 2
    st.write(
        tr(
            "The two ends are real test digits; every step in between is {formula}. The midpoint is "
            "{middle} away from the nearest of the {count} training digits (the ends: {start} and {end}). It is "
            "a blur of two digits, not a digit: the straight line leaves the manifold, because real digits sit "
            "on a curved surface, not a flat one."
        ).format(
            formula="`(1 - t) × start + t × end`",
            middle=number(walk_distances[middle], 1),
            count=integer(len(labels)),
            start=number(walk_distances[0], 1),
            end=number(walk_distances[-1], 1),
        )
    )


# Only the open tab runs and is drawn, which keeps a page switch quick although the sections hold
# thousands of points between them.
run_open_tab(
    [  # the same labels as ui/links.py's DIMENSIONS_TABS
        tr("1 · Two pixels as axes"),
        tr("2 · Random points are noise"),
        tr("3 · Flatten to 2-D or 3-D"),
        tr("4 · Walk between digits"),
    ],
    [two_pixels_as_axes, random_points_are_noise, flatten_to_two_or_three, walk_between_digits],
    key="dimensions_section",
)
