"""AppTest: the three data pages in Spanish write their numbers the Spanish way, and what runs off the
page (a CSV export, a t-SNE map) and what goes wrong (a broken MNIST folder) speaks Spanish too."""

import time

import pytest
from test_bad_inputs import broken_folder
from test_data_pages import chart, texts
from test_links import arrive

from mnist_core.i18n import in_language
from mnist_core.jobs.control import WorkerControl
from ui.resources import _mnist

SPANISH = {"_language_chosen": "es"}


@pytest.fixture(autouse=True)
def spanish_test_thread():
    """AppTest calls the widgets' format_func on the test's thread, which has no session: give it Spanish."""
    with in_language("es"):
        yield


def test_the_data_page_writes_numbers_the_spanish_way(open_page):
    app = open_page("app_pages/data.py", session_state=SPANISH)
    assert app.metric[0].value == "70.000"
    app.number_input(key="data_sample_index").set_value(1234).run()
    assert "Muestra 1.234 del conjunto de entrenamiento · etiqueta **3**" in texts(app)
    assert app.number_input(key="data_sample_index").label == "Índice de la muestra (0 a 59.999)"
    bars = chart(app, "data_counts_chart")["data"]
    assert [bar["name"] for bar in bars] == ["entrenamiento (60.000)", "prueba (10.000)"]
    assert chart(app, "data_raw_chart")["layout"]["separators"] == ",."  # hover numbers: 0,5 and 1.000
    # The IDX header table: its columns and meanings in Spanish, its values unchanged.
    table = next(frame.value for frame in app.dataframe if "campo" in frame.value.columns)
    assert list(table.columns) == ["bytes", "hex", "campo", "valor", "significado"]
    assert table["significado"][1] == "cada valor, un byte sin signo: 0-255 (píxeles), 0-9 (etiquetas)"
    assert list(table["valor"]) == [0, 8, 3, 60000, 28, 28]


def test_a_spanish_link_opens_its_split():
    app = arrive("data", {"lang": "es", "data_montage_split": "prueba", "data_split": "Prueba"})
    assert app.radio(key="data_montage_split").value == "test"
    assert app.radio(key="data_split").value == "test"
    assert not app.toast
    (montage,) = app.get("image")
    assert montage.proto.imgs[0].caption.startswith("Las 10.000 imágenes de prueba, 100 por fila")
    assert montage.proto.imgs[0].alt == (
        "10.000 dígitos manuscritos de prueba, claros sobre fondo oscuro, 100 por fila, en el orden del archivo."
    )
    assert "Muestra 0 del conjunto de prueba · etiqueta **7**" in texts(app)


@pytest.mark.parametrize(
    ("language", "link", "shown"),
    [
        ("es", {"data_montage_split": "test", "data_split": "Test"}, {"data_montage_split": "prueba"}),
        ("en", {"data_montage_split": "prueba", "data_split": "Prueba"}, {"data_montage_split": "test"}),
    ],
)
def test_a_link_copied_in_the_other_language_opens_the_same_view(language, link, shown):
    with in_language(language):
        app = arrive("data", {"lang": language, **link})
        assert app.radio(key="data_montage_split").value == "test"
        assert app.radio(key="data_split").value == "test"
        assert not app.toast
        assert app.query_params["data_montage_split"] == shown["data_montage_split"]  # now in this language


def test_a_tab_link_copied_in_english_opens_the_same_tab_in_spanish():
    app = arrive("dimensions", {"lang": "es", "dimensions_section": "4 · Walk between digits"})
    assert app.session_state["dimensions_section"] == "4 · Caminar entre dígitos"
    assert chart(app, "dimensions_walk_chart") and not app.toast


def test_a_spanish_link_opens_its_tab_without_a_notice():
    app = arrive("dimensions", {"lang": "es", "dimensions_section": "4 · Caminar entre dígitos"})
    assert app.session_state["dimensions_section"] == "4 · Caminar entre dígitos"
    assert [tab.label for tab in app.tabs][3] == "4 · Caminar entre dígitos"
    assert chart(app, "dimensions_walk_chart")
    assert not app.toast  # the tab is the one the link named: nothing was reset


def test_the_csv_export_reports_in_spanish(open_page, monkeypatch):
    reports = []
    report = WorkerControl.report  # the control a job gets where it runs (here a thread, as in AppTests)

    def keep(control, fraction=None, message=None, **detail):  # the worker's own reports, as it sends them
        reports.append(message)
        report(control, fraction, message, **detail)

    monkeypatch.setattr(WorkerControl, "report", keep)
    app = open_page("app_pages/data.py", session_state=SPANISH)
    app.radio(key="data_export_split").set_value("test").run()
    app.number_input(key="data_export_rows").set_value(4001).run()
    app.button(key="data_export_start").click().run()
    task = app.session_state["data_export_task"]
    assert task.name == "CSV de 4.001 muestras de prueba"
    assert task.join(60).state.value == "finished"
    assert reports[-1] == "4.001 de 4.001 filas escritas" and "2.000 de 4.001 filas escritas" in reports
    app.run()
    assert any(
        "Descargar mnist_test_4001_lesson_label-first.csv" in b.proto.label for b in app.download_button
    )


def test_the_tsne_map_reports_its_progress_in_spanish(open_page):
    from ui import data_views

    app = open_page("app_pages/dimensions.py", session_state=SPANISH)
    app.session_state["dimensions_section"] = "3 · Aplanar a 2-D o 3-D"
    app.run()
    app.radio(key="dimensions_method").set_value("t-SNE").run()
    app.select_slider(key="dimensions_n").set_value(1000).run()
    app.radio(key="dimensions_dims").set_value(2).run()
    if data_views.tsne_result(1000, 2, 0) is not None:
        pytest.skip("this server already holds that map")
    app.button(key="dimensions_tsne_start").click().run()
    task = app.session_state["dimensions_tsne_task"]
    assert task.name == "t-SNE de 1.000 dígitos en 2-D"
    try:
        deadline = time.monotonic() + 60
        while not task.snapshot().message.startswith(("Reduciendo 784 valores", "Buscando", "Iteración")):
            assert time.monotonic() < deadline, task.snapshot().message
            time.sleep(0.05)
    finally:
        task.stop()  # it ends at its next checkpoint


@pytest.fixture
def fresh_data():
    _mnist.clear()
    yield
    _mnist.clear()


def test_a_broken_mnist_folder_is_explained_in_spanish(tmp_path, monkeypatch, open_page, fresh_data):
    folder = broken_folder(tmp_path, "not a valid gzip")
    monkeypatch.setenv("MNIST_DATA_DIR", str(folder))
    app = open_page("app_pages/data.py", session_state=SPANISH)
    assert len(app.error) == 1
    text = app.error[0].value
    assert "train-images-idx3-ubyte.gz: no es un archivo gzip válido" in text
    assert "descárgalo o cópialo de nuevo" in text
    assert f"MNIST_DATA_DIR vale {folder}" in text and "quitas MNIST_DATA_DIR" in text
