"""AppTest: Loss surface and One step by numbers in Spanish, past their first view: walks, races, a computed
landscape (with its progress, written on a background thread) and other networks' steps.

``test_spanish_pages`` checks each page and tab as it opens; these reach the texts that only appear
after a click. English that the app's shared frame still shows (the presenter toggle, the sidebar)
is left to that test: here only the page's own texts count.

AppTest calls a select box's ``format_func`` on the test's thread, which has no page and so no
language: steps that set a widget on a page with a select box run in ``in_language("es")``.
"""

import re
import time

import pytest
from lazy_tabs import open_lazy_tab
from page_texts import english_sentences, page_texts

from mnist_core.i18n import in_language

SURFACE = "app_pages/loss_surface.py"
STEP = "app_pages/one_step.py"
SPANISH = {"_language_chosen": "es"}


def english_left(open_page, app) -> list[str]:
    """The English sentences on ``app``'s page that the app's frame (seen on Home, in Spanish) does not show."""
    frame = set(english_sentences(page_texts(open_page("app_pages/home.py", session_state=SPANISH))))
    return [sentence for sentence in english_sentences(page_texts(app)) if sentence not in frame]


def test_the_walker_speaks_spanish_with_spanish_numbers(open_page):
    app = open_page(SURFACE, session_state=SPANISH)
    app.button(key="surface_walker_one").click().run()
    explanation = next(m.value for m in app.markdown if m.value.startswith("En **x = "))
    assert "**x = 0,46**" in explanation and "a la derecha" in explanation  # 0.4 - 0.1 x (-0.583)
    for _ in range(4):
        app.button(key="surface_walker_ten").click().run()
    assert any("Se asentó en el valle A" in info.value for info in app.info)
    app.select_slider(key="surface_walker_learning_rate").set_value(3.0).run()
    assert any(info.value.startswith("Divergió") for info in app.info)
    assert not english_left(open_page, app)


def test_the_race_speaks_spanish_even_when_a_walk_diverges(open_page):
    app = open_lazy_tab(
        open_page(SURFACE, session_state=SPANISH), "surface_part", "2 · Dos pesos: carrera de optimizadores"
    )
    with in_language("es"):
        app.selectbox(key="surface_name").set_value("himmelblau").run()
        app.select_slider(key="surface_lr_sgd").set_value(1.0).run()  # SGD's walk overflows
    table = app.dataframe[0].value
    assert list(table.columns) == ["optimizador", "termina en", "pérdida − mínima"]
    assert "divergió en el paso" in " ".join(table["pérdida − mínima"])
    assert any("Los cuatro valles de Himmelblau" in chart.proto.alt for chart in app.get("plotly_chart"))
    assert not english_left(open_page, app)


def test_a_landscape_computed_for_a_spanish_student_reports_and_reads_in_spanish(open_page):
    pytest.importorskip("keras")
    from mnist_core.jobs.tasks import TaskState

    app = open_lazy_tab(open_page(SURFACE, session_state=SPANISH), "surface_part", "3 · El paisaje de tu red")
    with in_language("es"):
        app.select_slider(key="surface_landscape_resolution").set_value(11).run()
        # A span of its own: landscapes are cached server-wide, and other tests compute this one at span 1.
        app.select_slider(key="surface_landscape_span").set_value(0.5).run()
        app.button(key="surface_compute").click().run()
    task = app.session_state["surface_landscape_task"]
    assert task.name == "Paisaje de pérdida para el modelo por defecto"
    # Its progress lines, written on the task's own thread, in the language of the page that started it.
    messages, began = set(), time.monotonic()
    while not (snapshot := task.snapshot()).is_over and time.monotonic() - began < 240:
        messages.add(snapshot.message)
        time.sleep(0.02)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    assert any(
        re.fullmatch(
            r"2-D, (direcciones aleatorias|a lo largo del camino del entrenamiento): punto \d+ de 121", m
        )
        for m in messages
    ), messages
    assert not any("point" in m or "images" in m for m in messages), messages
    with in_language("es"):
        app.run()
    assert any("El camino que siguió tu ejecución" in m.value for m in app.markdown)
    assert not english_left(open_page, app)
    with in_language("es"):
        app.radio(key="surface_landscape_plane").set_value("Two random directions").run()
    assert any("normalizada por filtro" in m.value for m in app.markdown)
    assert not english_left(open_page, app)


@pytest.mark.parametrize(
    "network",
    [
        {},
        {"train_optimizer": "sgd"},
        {"train_optimizer": "adam", "step_layer": 1},
        {"train_architecture": "convnet"},
    ],
)
def test_one_step_reads_in_spanish_for_other_networks_and_layers(open_page, network):
    pytest.importorskip("keras")
    app = open_page(STEP, session_state={**SPANISH, **network})
    assert app.subheader[0].value == "1 · Un lote va hacia delante"
    assert not english_left(open_page, app)


def test_one_step_sends_a_spanish_student_to_the_race_in_spanish(open_page):
    pytest.importorskip("keras")
    app = open_page(STEP, session_state=SPANISH)
    race = next(e.proto for e in app.get("page_link") if e.proto.page == "loss_surface")
    assert race.label.startswith("Mira a RMSProp dar 500 pasos")
    assert "surface_part=2+%C2%B7+Dos+pesos" in race.query_string


@pytest.mark.parametrize(
    ("part", "surface"),
    [
        ("2 · Dos pesos: carrera de optimizadores", "Los cuatro valles de Himmelblau"),  # copied in Spanish
        ("2 · Two weights: optimizers race", "Himmelblau's four valleys"),  # copied in English
    ],
)
def test_a_link_opens_its_tab_and_surface_for_a_spanish_student_in_either_language(open_page, part, surface):
    app = open_page("app_pages/home.py", session_state=SPANISH)
    app.query_params["surface_part"] = part
    app.query_params["surface_name"] = surface
    app.switch_page(SURFACE)
    with in_language("es"):
        app.run()
    assert app.session_state["surface_part"] == "2 · Dos pesos: carrera de optimizadores"
    assert app.session_state["surface_name"] == "himmelblau"
    assert app.query_params["surface_name"] == "Los cuatro valles de Himmelblau"  # the link, now in Spanish
    assert not [toast.value for toast in app.toast]
