"""AppTest for the three data pages: they run, and their key controls change what is shown."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from lazy_tabs import open_lazy_tab

from mnist_core.data.mnist import load_mnist
from ui.results import data_source, keep, server_results

APP_FILE = Path(__file__).resolve().parents[2] / "app.py"
DATA_PAGES = ["app_pages/data.py", "app_pages/pixels_as_vectors.py", "app_pages/dimensions.py"]


def chart(app, key):
    """The plotly figure (as a dict) of the chart with this key."""
    for element in app.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart with key {key}")


def values(array_spec):
    """Decode a plotly typed array ({dtype, bdata, shape}) or a plain list into numpy."""
    if isinstance(array_spec, dict):
        data = np.frombuffer(base64.b64decode(array_spec["bdata"]), dtype=array_spec["dtype"])
        shape = array_spec.get("shape")
        return data.reshape([int(n) for n in str(shape).split(",")]) if shape else data
    return np.asarray(array_spec)


def texts(app):
    return " ".join(element.value for element in [*app.markdown, *app.subheader, *app.caption])


@pytest.fixture(scope="module")
def mnist_arrays():
    return load_mnist()


def test_data_page_sample_browser(open_page, mnist_arrays):
    (x_train, y_train), _ = mnist_arrays
    app = open_page("app_pages/data.py")
    assert "Sample 0 of the train set · label **5**" in texts(app)
    assert (values(chart(app, "data_raw_chart")["data"][0]["z"]) == x_train[0]).all()

    app.number_input(key="data_sample_index").set_value(1234).run()
    assert f"Sample 1,234 of the train set · label **{y_train[1234]}**" in texts(app)
    assert (values(chart(app, "data_raw_chart")["data"][0]["z"]) == x_train[1234]).all()

    app.selectbox(key="data_class").set_value(7).run()
    app.button(key="data_next").click().run()
    index = app.session_state["data_sample_index"]
    assert index > 1234 and y_train[index] == 7 and (y_train[1235:index] != 7).all()

    app.button(key="data_random").click().run()
    assert not app.exception

    app.toggle(key="data_invert").set_value(True).run()
    shown = values(chart(app, "data_raw_chart")["data"][0]["z"])
    assert (shown == 255 - x_train[app.session_state["data_sample_index"]]).all()
    scaled = values(chart(app, "data_scaled_chart")["data"][0]["z"])
    np.testing.assert_allclose(scaled, shown / 255)

    assert not [c for c in app.get("plotly_chart") if c.proto.id.endswith("-data_annotated_chart")]
    app.segmented_control(key="data_annotate").set_value("scaled").run()
    annotated = chart(app, "data_annotated_chart")["data"][0]
    assert annotated["texttemplate"] == "%{z:.2f}" and annotated["zmax"] == 1


def test_data_page_csv_row_idx_headers_and_montage(open_page):
    app = open_page("app_pages/data.py")
    assert any("appear twice" in w.value for w in app.warning)
    app.radio(key="data_csv_style").set_value("unambiguous").run()
    assert not app.warning
    assert "label,pixel1x1,pixel1x2" in app.code[0].value
    app.checkbox(key="data_csv_label_last").set_value(True).run()
    assert app.code[0].value.splitlines()[0].endswith(",pixel28x28,label")
    assert app.code[0].value.splitlines()[1].endswith(",5")

    assert "0x00000803" in texts(app)
    files = app.selectbox(key="data_idx_file")
    assert len(files.options) == 4
    files.select_index(3).run()
    assert "shape (10000,)" in texts(app) and "0x00000801" in texts(app)

    zoom = chart(app, "data_zoom_chart")
    assert (
        len(zoom["data"][1]["x"] if isinstance(zoom["data"][1]["x"], list) else values(zoom["data"][1]["x"]))
        == 100
    )
    app.slider(key="data_zoom_size").set_value(4).run()
    hover = chart(app, "data_zoom_chart")["data"][1]
    assert len(values(hover["x"])) == 16
    app.toggle(key="data_montage_sorted").set_value(True).run()
    assert not app.exception
    tile_labels = [int(t) for t in chart(app, "data_zoom_chart")["data"][2]["text"]]
    assert tile_labels == [0] * 16  # sorted by class: the first tiles are all zeros


def test_data_page_csv_export_is_generated_then_offered(open_page):
    def csv_downloads():
        return [b.proto.label for b in app.download_button if ".csv" in b.proto.label]

    app = open_page("app_pages/data.py")
    app.radio(key="data_export_split").set_value("test").run()
    app.number_input(key="data_export_rows").set_value(37).run()
    assert not csv_downloads()
    app.button(key="data_export_start").click().run()
    task = app.session_state["data_export_task"]
    snapshot = task.join(60)
    assert snapshot.state.value == "finished", snapshot.message
    path = snapshot.result
    lines = path.read_text().splitlines()
    assert len(lines) == 38 and lines[0].startswith("label,pixel11,pixel12")
    app.run()
    assert "mnist_test_37_lesson_label-first.csv" in csv_downloads()[0]


def test_pixels_page_links_grid_and_vector(open_page):
    app = open_page("app_pages/pixels_as_vectors.py")
    assert "28 × 14 + 14 = 406" in texts(app)
    app.number_input(key="pixels_index").set_value(59).run()
    assert app.slider(key="pixels_row").value == 2 and app.slider(key="pixels_col").value == 3
    assert "28 × 2 + 3 = 59" in texts(app)
    strip = chart(app, "pixels_vector_chart")
    assert 59 in values(strip["data"][1]["x"])  # the magnified window follows the chosen index

    app.slider(key="pixels_row").set_value(20).run()
    assert app.number_input(key="pixels_index").value == 20 * 28 + 3


def test_pixels_page_unrolling_steps_and_colour_layouts(open_page, mnist_arrays):
    (x_train, _), _ = mnist_arrays
    app = open_page("app_pages/pixels_as_vectors.py")
    app.slider(key="pixels_rows_done").set_value(28).run()
    step_vector = values(chart(app, "pixels_step_vector")["data"][0]["z"]).reshape(-1)
    assert (step_vector == x_train[7].reshape(-1)).all()
    app.radio(key="pixels_direction").set_value("wrap").run()
    app.slider(key="pixels_rows_done").set_value(5).run()
    grid = values(chart(app, "pixels_step_grid")["data"][0]["z"])
    assert (grid[:5] == x_train[7][:5]).all() and np.isnan(grid[5:]).all()

    assert "3 × (28 × 14 + 14) + 0 = 1218" in texts(app)
    app.radio(key="pixels_colour_layout").set_value("channels_first").run()
    app.radio(key="pixels_colour_channel").set_value(2).run()
    assert "2 × 784 + 28 × 14 + 14 = 1974" in texts(app)

    app.slider(key="pixels_sample_index").set_value(0).run()
    assert app.metric[0].value == "5"


DIMENSIONS_TABS = {
    "cube": "1 · Two pixels as axes",
    "random": "2 · Random points are noise",
    "projection": "3 · Flatten to 2-D or 3-D",
    "walk": "4 · Walk between digits",
}


def open_tab(app, name):
    return open_lazy_tab(app, "dimensions_section", DIMENSIONS_TABS[name])


def chart_keys(app):
    return {element.proto.id.rsplit("-", 1)[-1] for element in app.get("plotly_chart")}


def test_dimensions_page_runs_only_the_open_tab_and_keeps_settings_of_closed_ones(open_page):
    app = open_page("app_pages/dimensions.py")
    assert [tab.label for tab in app.tabs] == list(DIMENSIONS_TABS.values())
    assert chart_keys(app) == {"dimensions_cube_chart"}
    app.slider(key="dimensions_a_row").set_value(0).run()
    open_tab(app, "walk")
    assert chart_keys(app) == {"dimensions_walk_chart"}
    open_tab(app, "cube")
    assert app.slider(key="dimensions_a_row").value == 0
    assert "index 10" in chart(app, "dimensions_cube_chart")["layout"]["xaxis"]["title"]["text"]


def test_dimensions_page_cube_random_points_and_walk(open_page):
    app = open_page("app_pages/dimensions.py")
    layout = chart(app, "dimensions_cube_chart")["layout"]
    assert "index 402" in layout["xaxis"]["title"]["text"]
    app.slider(key="dimensions_a_row").set_value(0).run()
    assert "index 10" in chart(app, "dimensions_cube_chart")["layout"]["xaxis"]["title"]["text"]

    open_tab(app, "random")
    random_median = float(app.metric[0].value)
    real_median = float(app.metric[1].value)
    assert random_median > 2 * real_median

    open_tab(app, "walk")
    steps_before = len(chart(app, "dimensions_walk_chart")["layout"]["annotations"])
    app.slider(key="dimensions_walk_steps").set_value(3).run()
    titles = [a["text"] for a in chart(app, "dimensions_walk_chart")["layout"]["annotations"]]
    assert steps_before == 7 and len(titles) == 3 and titles[1].startswith("t=0.50")


def test_dimensions_page_projections(open_page):
    from ui import data_views

    app = open_tab(open_page("app_pages/dimensions.py"), "projection")
    assert "PC1" in chart(app, "dimensions_projection_chart")["layout"]["xaxis"]["title"]["text"]
    app.radio(key="dimensions_dims").set_value(3).run()
    assert chart(app, "dimensions_projection_chart")["data"][0]["type"] == "scatter3d"

    app.radio(key="dimensions_method").set_value("t-SNE").run()
    app.select_slider(key="dimensions_n").set_value(1000).run()
    if data_views.tsne_result(1000, 3, 0) is None:
        assert app.button(key="dimensions_tsne_start")
        app.button(key="dimensions_tsne_start").click().run()
        task = app.session_state["dimensions_tsne_task"]
        assert task.name == "t-SNE of 1,000 digits in 3-D"
        task.stop()  # it ends at its next checkpoint; the unit tests check stopping and the result
    # A map in the server-wide cache is drawn at once, without a button.
    keep("data.tsne", data_source(), 1000, 3, 0, result=data_views.pca(1000, 0).coordinates[:, :3])
    app.run()
    assert "t-SNE 1" in chart(app, "dimensions_projection_chart")["layout"]["scene"]["xaxis"]["title"]["text"]
    assert not [b for b in app.button if b.key == "dimensions_tsne_start"]
    server_results().forget("data.tsne")
