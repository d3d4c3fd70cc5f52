"""Pages that need no model must not pay for TensorFlow: it costs seconds and 0.7 GB."""

from tests.app.tensorflow_free import open_each_tab, tensorflow_imported_by_pages

# Each page, and the interactions on it that must stay light too.
PAGES_WITHOUT_TENSORFLOW = {
    "app_pages/home.py": "",
    "app_pages/lessons.py": "",
    "app_pages/data.py": "",
    "app_pages/pixels_as_vectors.py": "",
    "app_pages/dimensions.py": open_each_tab(
        "dimensions_section",
        [
            "2 · Random points are noise",
            "3 · Flatten to 2-D or 3-D",
            "4 · Walk between digits",
        ],
    ),
    "app_pages/loss_surface.py": open_each_tab("surface_part", ["2 · Two weights: optimizers race"])
    + "; app.select_slider(key='surface_lr_adam').set_value(0.3).run(); "
    + open_each_tab("surface_part", ["3 · Your network's landscape"])
    + "; assert app.selectbox(key='surface_run').value.startswith('Default')",
    "app_pages/sklearn_tuning.py": "",
}


def test_pages_without_a_model_do_not_import_tensorflow():
    assert tensorflow_imported_by_pages(PAGES_WITHOUT_TENSORFLOW) == dict.fromkeys(
        PAGES_WITHOUT_TENSORFLOW, False
    )
