"""The data (life-cycle step 1): MNIST as numbers, as a CSV, as raw IDX files, and all at once."""

import numpy as np
import pyarrow as pa
import streamlit as st

from mnist_core.data import dataset_views
from mnist_core.data.mnist import MnistFacts, invert
from mnist_core.figures import data_figures
from mnist_core.i18n import N_, integer, number, tr
from ui import data_views
from ui.charts import chart, show_chart
from ui.links import link_to_this_view
from ui.tasks import get_task, task_panel
from ui.worker_jobs import long_executor

EXPORT_TASK = "data_export_task"
facts = MnistFacts()
# The split's name inside a sentence: each sentence is translated whole, so its grammar can differ.
SAMPLE_HEADING = {
    "train": N_("Sample {index} of the train set · label **{label}**"),
    "test": N_("Sample {index} of the test set · label **{label}**"),
}
MONTAGE_CAPTION = {
    "train": N_(
        "All {count} train images, {per_row} per row, shrunk to fit the screen (full-screen button at its top right)."
    ),
    "test": N_(
        "All {count} test images, {per_row} per row, shrunk to fit the screen (full-screen button at its top right)."
    ),
}
MONTAGE_ALT = {
    "train": N_("{count} handwritten train digits, light on dark, {per_row} per row"),
    "test": N_("{count} handwritten test digits, light on dark, {per_row} per row"),
}
VALUE_VIEWS = {"raw": N_("raw"), "scaled": N_("scaled")}  # the labels of ui/links.py's data_annotate
# The columns of the IDX header table (``dataset_views.explain_header``'s keys).
HEADER_COLUMNS = {
    "bytes": N_("bytes"),
    "hex": N_("hex"),
    "field": N_("field"),
    "value": N_("value"),
    "meaning": N_("meaning"),
}

st.caption(tr("Life-cycle step 1 · Gather and prepare the data"))
st.title(tr("The data"))
link_to_this_view("data")
st.write(
    tr(
        "Before any network, there are numbers. MNIST is a collection of small grayscale pictures of "
        "handwritten digits. Each picture is a **sample**; the digit it shows is its **label** (the target)."
    )
)

# --- Facts at a glance ---
columns = st.columns(5)
columns[0].metric(tr("Images"), integer(facts.n_train + facts.n_test))
columns[1].metric(tr("For training"), integer(facts.n_train))
columns[2].metric(tr("For testing"), integer(facts.n_test))
columns[3].metric(tr("Image size"), f"{facts.image_side} × {facts.image_side}")
columns[4].metric(tr("Classes (digits 0-9)"), facts.n_classes)
st.write(
    tr(
        "**Who wrote them:** the training digits by {train_writers}; the test digits by "
        "{test_writers}. Every digit was size-normalised and centred in its box."
    ).format(train_writers=tr(facts.writers_train), test_writers=tr(facts.writers_test))
)
show_chart(
    chart(
        data_figures.class_counts_figure, data_views.class_counts("train"), data_views.class_counts("test")
    ),
    key="data_counts_chart",
)
st.caption(tr("Not quite balanced: there are more 1s than 5s in both sets."))

# --- One sample ---
st.header(tr("One sample, up close"))
split = st.radio(
    tr("Set"),
    data_views.SPLITS,
    horizontal=True,
    key="data_split",
    bind="query-params",
    format_func=lambda s: tr(data_views.SPLIT_TITLES[s]),  # "Train": the same label as in ui/links.py
)
images, labels = data_views.split_arrays(split)
index_key = "data_sample_index"
st.session_state[index_key] = min(st.session_state.get(index_key, 0), len(labels) - 1)


def jump_to_random() -> None:
    st.session_state[index_key] = int(np.random.default_rng().integers(len(labels)))


def jump_to_next_of_class() -> None:
    members = dataset_views.samples_of_class(labels, st.session_state["data_class"])
    later = members[members > st.session_state[index_key]]
    st.session_state[index_key] = int(later[0] if len(later) else members[0])


pick = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
pick[0].number_input(
    tr("Sample index (0 to {last})").format(last=integer(len(labels) - 1)),
    0,
    len(labels) - 1,
    key=index_key,
    bind="query-params",
)
pick[1].button(tr("Random sample"), icon=":material/casino:", on_click=jump_to_random, key="data_random")
pick[2].selectbox(tr("Digit"), range(10), key="data_class", bind="query-params")
pick[3].button(
    tr("Next of this digit"), icon=":material/skip_next:", on_click=jump_to_next_of_class, key="data_next"
)
index = st.session_state[index_key]
inverted = st.toggle(
    tr("Dark ink on light paper (invert)"),
    key="data_invert",
    bind="query-params",
    help=tr(
        "In the data the digit is light (high values) on a dark background (0). Printed examples are "
        "often the other way round. Which way does not matter; knowing which way it is does."
    ),
)
image = invert(images[index]) if inverted else images[index]
st.subheader(tr(SAMPLE_HEADING[split]).format(index=integer(index), label=labels[index]))

left, right = st.columns(2)
show_chart(
    chart(data_figures.digit_heatmap, image, tr("Raw pixels, 0-255")), key="data_raw_chart", where=left
)
show_chart(
    chart(data_figures.digit_heatmap, image, tr("Scaled pixels, 0-1"), scaled=True),
    key="data_scaled_chart",
    where=right,
)
st.write(
    tr(
        "Hover any pixel: the left chart gives its raw value, the right one shows the exact scaling "
        "**value / 255**. Same picture, same information: dividing by 255 loses nothing, it only moves "
        "the numbers into 0-1, where networks train much better."
    )
)
values_view = st.segmented_control(
    tr("Every pixel's value, written in its cell (drag on the chart to zoom in)"),
    list(VALUE_VIEWS),
    format_func=lambda v: tr(VALUE_VIEWS[v]),
    key="data_annotate",
    bind="query-params",
    help=tr("784 numbers: drawn only when you ask for them."),
)
if values_view:
    show_chart(
        chart(data_figures.digit_heatmap, image, annotate=True, scaled=values_view == "scaled", height=760),
        key="data_annotated_chart",
    )

# --- As a CSV row ---
st.header(tr("The same sample as a row of a spreadsheet"))
st.write(
    tr(
        "A small converter turns MNIST into a CSV file: one **row per sample** (an observation), the label in "
        "the first column, then one **column per pixel** (a feature), named after the pixel's row and column."
    )
)
csv_columns = st.columns(2)
style = csv_columns[0].radio(
    tr("Pixel column names"),
    dataset_views.COLUMN_STYLES,
    format_func=lambda s: tr("pixel11, pixel12, … (as in the lesson)")
    if s == "lesson"
    else "pixel1x1, pixel1x2, …",
    key="data_csv_style",
    bind="query-params",
)
label_last = csv_columns[1].checkbox(
    tr("Put the label last (the usual convention for a target column)"),
    key="data_csv_label_last",
    bind="query-params",
)
repeated = dataset_views.repeated_names(dataset_views.pixel_column_names(style))
if repeated:
    example = next(iter(repeated))
    st.warning(
        tr(
            "Gluing row and column together makes {count} names appear twice: {example} is row 1, "
            "column 11 *and* row 11, column 1. pandas renames the second one pixel111.1, as in the table below."
        ).format(count=len(repeated), example=example),
        icon=":material/warning:",
    )
st.dataframe(
    # As an Arrow table made column by column: Streamlit's own conversion of this 785-column row,
    # through pandas, cost 0.4 s of CPU on every rerun of the page (12 times this).
    pa.table(dataset_views.csv_row(images[index], labels[index], style, label_last)),
    key="data_csv_row",
    hide_index=True,
)
with st.expander(
    tr("The same as raw CSV text: the header line, then this sample's line"), icon=":material/notes:"
):
    st.code(
        dataset_views.csv_text(images[index : index + 1], labels[index : index + 1], style, label_last),
        language=None,
        wrap_lines=True,
    )

st.subheader(tr("Download the data set as CSV"))
long_executor()  # the export is a worker's job: start the workers now, not when Generate is pressed
export = st.columns(2)
export_split = export[0].radio(
    tr("Set"),
    data_views.SPLITS,
    horizontal=True,
    format_func=lambda s: tr(data_views.SPLIT_NAMES[s]),
    key="data_export_split",
    bind="query-params",
)
n_available = len(data_views.split_arrays(export_split)[1])
n_rows = export[1].number_input(
    tr("First N rows (up to {count})").format(count=integer(n_available)),
    1,
    n_available,
    1000,
    key="data_export_rows",
    bind="query-params",
)
ready = data_views.finished_export(export_split, n_rows, style, label_last)
if ready is None:
    if st.button(tr("Generate the CSV"), icon=":material/table_view:", key="data_export_start"):
        data_views.start_export(EXPORT_TASK, export_split, n_rows, style, label_last)
    st.caption(
        tr("Written to a file a few thousand rows at a time, so the server never holds it all in memory.")
    )
    if get_task(EXPORT_TASK) is not None:
        task_panel(EXPORT_TASK)
else:
    st.download_button(
        tr("Download {file} ({size} MB)").format(file=ready.name, size=number(ready.stat().st_size / 1e6, 1)),
        data=lambda: ready.open("rb"),
        file_name=ready.name,
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="data_export_download",
    )

# --- The raw IDX files ---
st.header(tr("Where the arrays come from: four IDX files"))
st.write(
    tr(
        "The original database is four binary files: images and labels, for training and for testing. Each "
        "starts with a short header saying what follows; after it come the values, one byte each, row after "
        "row. Reading a file is: parse the header, then {code}."
    ).format(code="`np.frombuffer(data, offset=header_size).reshape(dimensions)`")
)
files = data_views.idx_facts()
chosen = st.selectbox(
    tr("File"), files, format_func=lambda f: f.file_name, key="data_idx_file", bind="query-params"
)
st.dataframe(
    [
        {tr(HEADER_COLUMNS[k]): v for k, v in row.items()}
        for row in dataset_views.explain_header(chosen.header)
    ],
    hide_index=True,
    key="data_idx_table",
)
st.caption(
    tr(
        "Magic number {magic} · header {header_size} bytes, then {data_size} bytes of data · shape {shape} · "
        "{size} MB gzip'd on disk"
    ).format(
        magic=chosen.header.magic_hex,
        header_size=chosen.header.header_bytes,
        data_size=integer(chosen.data_bytes),
        shape=chosen.header.dims,
        size=number(chosen.compressed_bytes / 1e6, 1),
    )
)

# --- The whole data set in one picture ---
st.header(tr("Every image at once"))
whole = st.columns(2)
montage_split = whole[0].radio(
    tr("Set"),
    data_views.SPLITS,
    horizontal=True,
    format_func=lambda s: tr(data_views.SPLIT_NAMES[s]),
    key="data_montage_split",
    bind="query-params",
)
by_class = whole[1].toggle(tr("Sorted by class"), key="data_montage_sorted", bind="query-params")
overview_png, per_row, order = data_views.montage_png(montage_split, by_class)
m_images, m_labels = data_views.split_arrays(montage_split)
st.image(
    overview_png,
    output_format="PNG",  # as it is: "auto" re-encodes a grey PNG as JPEG on every run (30 ms, and bigger)
    caption=tr(MONTAGE_CAPTION[montage_split]).format(count=integer(len(order)), per_row=per_row),
    alt=tr(MONTAGE_ALT[montage_split]).format(count=integer(len(order)), per_row=per_row)
    + (tr(", sorted from the zeros to the nines.") if by_class else tr(", in the order of the file.")),
)
st.download_button(
    tr("Full-size picture ({width} × {height} pixels, PNG)").format(
        width=integer(per_row * 28), height=integer(-(-len(order) // per_row) * 28)
    ),
    data=lambda: data_views.full_montage_png(montage_split, by_class),
    file_name=f"mnist_{montage_split}{'_by_class' if by_class else ''}.png",
    mime="image/png",
    on_click="ignore",
    icon=":material/download:",
    key="data_montage_download",
)
st.write(tr("Or zoom in here: each tile is one sample at full size; hover a tile for its index and label."))
zoom = st.columns(3)
tile_row = zoom[0].slider(
    tr("Tile row"), 0, -(-len(order) // per_row) - 1, 0, key="data_zoom_row", bind="query-params"
)
tile_col = zoom[1].slider(tr("Tile column"), 0, per_row - 1, 0, key="data_zoom_col", bind="query-params")
size = zoom[2].slider(tr("Tiles across"), 2, 40, 10, key="data_zoom_size", bind="query-params")
cells, across = dataset_views.montage_window(len(order), per_row, tile_row, tile_col, size)
if len(cells):
    show_chart(
        chart(
            data_figures.montage_zoom, m_images[order[cells]], m_labels[order[cells]], order[cells], across
        ),
        key="data_zoom_chart",
    )
else:
    st.info(tr("The last row of the picture ends before this column: pick a smaller tile row or column."))

# --- Mean digits ---
st.header(tr("The average digit of each class"))
st.write(
    tr(
        "Add up every image of a digit and divide by how many there are: the blur shows where ink usually goes."
    )
)
means = data_views.class_means(montage_split)
show_chart(
    chart(
        data_figures.image_grid,
        means,
        titles=[tr("mean {digit}").format(digit=d) for d in range(10)],
        columns=10,
        height_per_row=120,
    ),
    key="data_means_chart",
)
