"""Inside the network and What it learned in Spanish: the parts a page-wide scan can't reach (a button's
result, a bad input's message, a background task's progress), and tab labels that stay the links'."""

import time

import pytest
from conftest import APP_FILE, APP_TIMEOUT_SECONDS
from lazy_tabs import open_lazy_tab
from page_texts import english_sentences
from streamlit.testing.v1 import AppTest
from test_spanish_pages import open_in_spanish

from app_pages.inside_the_network_ui import inside_trace
from app_pages.what_it_learned_ui import learned_views
from mnist_core.i18n import in_language, tr
from ui.links import INSIDE_TABS, LEARNED_TABS
from ui.results import server_results

INSIDE = "app_pages/inside_the_network.py"
LEARNED = "app_pages/what_it_learned.py"


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def spanish(label: str) -> str:
    with in_language("es"):
        return tr(label)


def test_the_tabs_are_labelled_as_the_links_say():
    assert inside_trace.TABS == INSIDE_TABS
    assert learned_views.TABS == LEARNED_TABS
    assert spanish(INSIDE_TABS[1]) == "2 · Capa a capa"


def test_the_shape_error_keeps_keras_words_as_code_and_explains_in_spanish(open_page):
    app = open_in_spanish(open_page, INSIDE)
    app.button(key="inside_bug_reshape").click().run()
    assert not app.exception
    error = texts(app.error)[0]
    assert error.startswith("Keras se detiene con un **ValueError**:")
    keras_words = error.split("```")[1]
    assert "expected shape=(None, 784), found shape=(" in keras_words  # Keras's own message, untouched
    assert english_sentences([error]) == []  # outside the code block, no English
    assert any(
        text.startswith("**La solución:** La primera capa Dense tiene 784 entradas")
        for text in texts(app.markdown)
    )
    assert texts(app.success)[0].startswith("fit se ejecutó: 1 época con 256 imágenes, pérdida 2,")


def test_a_unit_typed_wrong_is_explained_in_spanish(open_page):
    app = open_lazy_tab(open_in_spanish(open_page, LEARNED), "learned_section", spanish(LEARNED_TABS[3]))
    assert app.selectbox(key="learned_layer").options == ["hidden_1 (32 neuronas)"]
    app.radio(key="learned_off_way").set_value("units I pick").run()
    assert app.radio(key="learned_off_way").options == [
        "las neuronas más activas de un dígito",
        "las neuronas que elijo",
    ]
    app.text_input(key="learned_off_units").input("5, 99").run()
    assert "esta capa tiene las neuronas 0 a 31; no existe la neurona 99" in texts(app.warning)
    app.text_input(key="learned_off_units").input("tres").run()
    assert texts(app.warning)[0].startswith("«tres» no es un número de neurona")


def test_the_curves_task_reports_in_the_language_of_the_page_that_started_it(open_page):
    server_results().clear()  # curves an earlier test computed would be shown without a task
    app = open_lazy_tab(open_in_spanish(open_page, LEARNED), "learned_section", spanish(LEARNED_TABS[1]))
    task = app.session_state[learned_views.CURVES_TASK]
    seen = set()
    deadline = time.monotonic() + 180
    while not task.snapshot().is_over:  # the work runs on its own thread, where no page sets the language
        assert time.monotonic() < deadline, "the curves did not finish in time"
        seen.add(task.snapshot().message)
        time.sleep(0.2)
    assert task.name == "curvas de exactitud de default"
    assert any(message.startswith(("rotación", "ruido")) for message in seen), seen
    app.run()
    assert any("Exactitud de prueba según el ruido:" in chart.proto.alt for chart in app.get("plotly_chart"))


@pytest.mark.parametrize(
    ("page", "params", "shown"),
    [
        ("inside_the_network", {"inside_section": INSIDE_TABS[1]}, {"inside_section": "2 · Capa a capa"}),
        (
            "what_it_learned",
            {"learned_section": LEARNED_TABS[3], "learned_off_way": "units I pick"},
            {"learned_section": "4 · Apaga neuronas", "learned_off_way": "units I pick"},
        ),
        ("what_it_learned", {"learned_fill": "black"}, {"learned_fill": "black"}),
    ],
)
def test_a_link_copied_in_english_opens_the_same_view_in_spanish(page, params, shown):
    app = AppTest.from_file(APP_FILE, default_timeout=APP_TIMEOUT_SECONDS)
    app.session_state["_language_chosen"] = "es"
    app.run()
    app.query_params = dict(params)
    app.switch_page(f"app_pages/{page}.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.toast, app.toast[0].proto.body if app.toast else ""  # no setting of the link was reset
    for key, value in shown.items():
        assert app.session_state[key] == value  # a tab holds its label, a radio or select box its option
