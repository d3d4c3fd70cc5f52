"""Pixels as vectors (life-cycle step 1): a 28 x 28 image unrolled into 784 numbers, and back."""

import numpy as np
import streamlit as st

from mnist_core.data import vectors
from mnist_core.data.mnist import IMAGE_SIDE, N_PIXELS, one_hot
from mnist_core.figures import data_figures
from mnist_core.i18n import N_, integer, tr
from ui import data_views
from ui.charts import chart, show_chart
from ui.links import link_to_this_view

# The options' labels, as in ui/links.py (the link holds them).
DIRECTIONS = {"unroll": N_("Unroll: image.reshape(784)"), "wrap": N_("Wrap back: vector.reshape((28, 28))")}
# A colour's name inside a sentence: each sentence is translated whole (colours have genders).
CHANNEL_SENTENCES = (
    N_(
        "The red value of pixel ({row}, {col}) sits at index **{formula} = {index}** of {count}, value {value}."
    ),
    N_(
        "The green value of pixel ({row}, {col}) sits at index **{formula} = {index}** of {count}, value {value}."
    ),
    N_(
        "The blue value of pixel ({row}, {col}) sits at index **{formula} = {index}** of {count}, value {value}."
    ),
)
LAYOUTS = {
    vectors.CHANNELS_LAST: N_("channels last (28, 28, 3): R G B of each pixel side by side"),
    vectors.CHANNELS_FIRST: N_("channels first (3, 28, 28): all reds, then all greens, then all blues"),
}

st.caption(tr("Life-cycle step 1 · Gather and prepare the data"))
st.title(tr("Pixels as vectors"))
link_to_this_view("pixels_as_vectors")
st.write(
    tr(
        "A dense network does not see a picture: it sees a list of numbers. **Unrolling** (or flattening) "
        "turns the 28 × 28 grid into one vector of 784 numbers, row after row."
    )
)

images, labels = data_views.split_arrays("train")
pick = st.columns([3, 1], vertical_alignment="bottom")
index = pick[0].slider(
    tr("Training sample"), 0, len(labels) - 1, 7, key="pixels_sample_index", bind="query-params"
)
image, label = images[index], int(labels[index])
pick[1].metric(tr("Label"), label)

# --- Grid and vector, linked ---
st.header(tr("Where does a pixel go?"))


def select_index(position: int) -> None:
    st.session_state["pixels_index"] = position
    st.session_state["pixels_row"], st.session_state["pixels_col"] = vectors.pixel_position(position)


def on_grid_click() -> None:
    points = st.session_state["pixels_grid_chart"].selection.points
    if points:  # the grid's points sit at x = column, y = row
        select_index(vectors.pixel_index(int(points[0]["y"]), int(points[0]["x"])))


def on_strip_click() -> None:
    points = st.session_state["pixels_vector_chart"].selection.points
    if points:  # the strip's points sit at x = index
        select_index(int(points[0]["x"]))


controls = st.columns(3)
controls[0].slider(
    tr("Row i"),
    0,
    IMAGE_SIDE - 1,
    14,
    key="pixels_row",
    bind="query-params",
    on_change=lambda: select_index(
        vectors.pixel_index(st.session_state.pixels_row, st.session_state.pixels_col)
    ),
)
controls[1].slider(
    tr("Column j"),
    0,
    IMAGE_SIDE - 1,
    14,
    key="pixels_col",
    bind="query-params",
    on_change=lambda: select_index(
        vectors.pixel_index(st.session_state.pixels_row, st.session_state.pixels_col)
    ),
)
controls[2].number_input(
    tr("Vector index"),
    0,
    N_PIXELS - 1,
    vectors.pixel_index(14, 14),
    key="pixels_index",
    bind="query-params",
    on_change=lambda: select_index(st.session_state.pixels_index),
)
row, col, position = st.session_state.pixels_row, st.session_state.pixels_col, st.session_state.pixels_index
vector = image.reshape(-1)

grid_side, vector_side = st.columns([1, 2])
show_chart(
    chart(
        data_figures.digit_heatmap,
        image,
        tr("The 28 × 28 grid (click a pixel)"),
        highlight=(row, col),
        clickable=True,
    ),
    key="pixels_grid_chart",
    on_select=on_grid_click,
    selection_mode="points",
    where=grid_side,
)
with vector_side:
    show_chart(
        chart(data_figures.vector_strip, vector, highlight=position, clickable=True),
        key="pixels_vector_chart",
        on_select=on_strip_click,
        selection_mode="points",
    )
    st.markdown(
        tr(
            "Pixel (row **{row}**, column **{col}**) lands at index **28 × {row} + {col} = {index}**, "
            "and holds the value **{value}** in both places. Going back: {index} ÷ 28 = {quotient} remainder "
            "{remainder}, so row {quotient}, column {remainder}. Click a pixel or a cell of the strip, or move "
            "the sliders."
        ).format(
            row=row,
            col=col,
            index=position,
            value=vector[position],
            quotient=position // 28,
            remainder=position % 28,
        )
    )

# --- Unrolling, step by step ---
st.header(tr("Unrolling, one row at a time"))
direction = st.radio(
    tr("Direction"),
    list(DIRECTIONS),
    format_func=lambda d: tr(DIRECTIONS[d]),
    horizontal=True,
    key="pixels_direction",
    bind="query-params",
)
rows_done = st.slider(tr("Rows moved so far"), 0, IMAGE_SIDE, 10, key="pixels_rows_done", bind="query-params")
if direction == "unroll":
    grid, strip = vectors.unroll_partially(image, rows_done)
    note = tr("Each row of 28 pixels is laid after the previous one.")
else:
    grid, strip = vectors.reshape_partially(vector, rows_done), vector.astype(float)
    note = tr("Every 28 values of the vector wrap into the next row of the image.")
last = max(rows_done - 1, 0)
step_grid, step_vector = st.columns([1, 2])
show_chart(chart(data_figures.digit_heatmap, grid, tr("The grid")), key="pixels_step_grid", where=step_grid)
show_chart(
    chart(data_figures.vector_strip, strip, window_start=IMAGE_SIDE * last, window=IMAGE_SIDE),
    key="pixels_step_vector",
    where=step_vector,
)
step_vector.write(
    note
    + " "
    + tr(
        "Row {row} covers entries {first} to {last} (shown magnified). After all 28 rows: {count} numbers, "
        "nothing lost, nothing added."
    ).format(row=last, first=IMAGE_SIDE * last, last=IMAGE_SIDE * last + IMAGE_SIDE - 1, count=N_PIXELS)
)

# --- Colour ---
st.header(tr("Colour images unroll the same way"))
st.write(
    tr(
        "A colour image stores three numbers per pixel: red, green and blue. This 28 × 28 × 3 version of the "
        "digit becomes 28 × 28 × 3 = **{count}** numbers. Where each channel goes depends on the array's layout."
    ).format(count=integer(3 * N_PIXELS))
)
colour_image = vectors.colourise(image)
layout = st.radio(
    tr("Layout"),
    vectors.CHANNEL_LAYOUTS,
    format_func=lambda s: tr(LAYOUTS[s]),
    key="pixels_colour_layout",
    bind="query-params",
)
colour_vector = vectors.unroll_colour(colour_image, layout)
channel_of_entry = vectors.unroll_colour(np.broadcast_to(np.arange(3), colour_image.shape), layout)
channel = st.radio(
    tr("Channel"),
    range(3),
    format_func=lambda c: tr(vectors.CHANNEL_NAMES[c]),
    key="pixels_colour_channel",
    bind="query-params",
    horizontal=True,
)
colour_position = vectors.colour_index(row, col, channel, layout)
show_chart(
    chart(data_figures.colour_vector_figure, colour_image, colour_vector, channel_of_entry, colour_position),
    key="pixels_colour_chart",
)
formula = (
    f"3 × (28 × {row} + {col}) + {channel}"
    if layout == vectors.CHANNELS_LAST
    else f"{channel} × 784 + 28 × {row} + {col}"
)
st.markdown(
    tr(CHANNEL_SENTENCES[channel]).format(
        row=row,
        col=col,
        formula=formula,
        index=colour_position,
        count=integer(colour_vector.size),
        value=colour_vector[colour_position],
    )
)

# --- Why 784 in, 10 out ---
st.header(tr("Why 784 input neurons and 10 output neurons"))
n_inputs, n_outputs = vectors.network_io_sizes()
io = st.columns(2)
io[0].metric(tr("Input neurons"), n_inputs, help=tr("One per number in the vector above."))
io[0].write(
    tr(
        "The vector above has {entries} entries, one per pixel, so the first layer takes {inputs} inputs."
    ).format(entries=vector.size, inputs=n_inputs)
)
io[1].metric(tr("Output neurons"), n_outputs, help=tr("One per class."))
io[1].write(
    tr(
        "The answer is one of 10 digits, so there are {outputs} outputs, one per class. For this sample "
        "(a {label}) the target the network should output is its one-hot vector, one entry per class 0-9:"
    ).format(outputs=n_outputs, label=label)
)
target = one_hot(np.array([label]))[0].astype(int)
# A markdown table is as narrow as its numbers: all ten classes fit, even on a phone (a dataframe scrolled 8 and 9 away).
io[1].container(key="pixels_one_hot").markdown(
    "| " + " | ".join(str(d) for d in range(len(target))) + " |\n"
    "|" + "---|" * len(target) + "\n"
    "| " + " | ".join(f"**{v}**" if v else str(v) for v in target) + " |"
)
