"""The Lessons page and the lesson bar, from app.py as a lecturer reaches them."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mnist_core.i18n import in_language
from mnist_core.teaching.lesson_paths import load_lesson_paths
from tests.app.conftest import APP_FILE, APP_TIMEOUT_SECONDS

SHIPPED, _ = load_lesson_paths([Path(APP_FILE).parent / "lessons"])
LESSON_2 = next(p for p in SHIPPED if p.id == "lesson-2")


def prompts(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown]


def bar_label(app: AppTest) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**Lesson") or " · step " in m.value)


def url(app: AppTest) -> dict[str, str]:
    """The page's query parameters, one value each (AppTest gives a list after a first run)."""
    return {k: v[-1] if isinstance(v, list) else v for k, v in app.query_params.items()}


def no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


@pytest.fixture
def lessons_page(open_page) -> AppTest:
    return open_page("app_pages/lessons.py")


def test_the_page_lists_every_shipped_path(lessons_page):
    starts = [b.key for b in lessons_page.button if b.key.startswith("lessons_start_")]
    assert starts == [f"lessons_start_{p.id}" for p in SHIPPED]
    text = " ".join(prompts(lessons_page))
    assert "Lesson 4 · Loss, optimizers and gradient descent" in text
    assert "lesson=lesson-4&step=1" in text  # each step has a prepared link
    assert not lessons_page.info  # no bar and no notice before a path starts


def test_start_next_back_and_leave(lessons_page):
    app = lessons_page
    app.button(key="lessons_start_lesson-2").click().run()
    no_exception(app)
    assert [t.value for t in app.title] == ["Pixels as vectors"]
    assert bar_label(app).startswith(f"**Lesson 2 · step 1 of {len(LESSON_2.steps)}**")
    assert LESSON_2.steps[0].prompt in prompts(app)
    assert url(app)["lesson"] == "lesson-2" and url(app)["step"] == "1"
    assert (app.slider(key="pixels_row").value, app.slider(key="pixels_col").value) == (2, 5)
    assert app.button(key="lesson_back").disabled

    for _ in range(3):
        app.button(key="lesson_next").click().run()
        no_exception(app)
    assert [t.value for t in app.title] == ["784 dimensions"]
    assert bar_label(app).startswith(f"**Lesson 2 · step 4 of {len(LESSON_2.steps)}**")
    assert LESSON_2.steps[3].prompt in prompts(app)
    assert app.session_state["dimensions_section"] == "1 · Two pixels as axes"

    app.button(key="lesson_back").click().run()
    assert [t.value for t in app.title] == ["Pixels as vectors"]
    assert bar_label(app).startswith(f"**Lesson 2 · step 3 of {len(LESSON_2.steps)}**")

    explanation = LESSON_2.steps[2].explanation
    assert explanation not in [s.value for s in app.success]
    app.button(key="lesson_reveal").click().run()
    assert explanation in [s.value for s in app.success]

    app.button(key="lesson_leave").click().run()
    no_exception(app)
    assert "lesson" not in url(app)
    assert not any(" · step " in text for text in prompts(app))


def test_the_bar_stays_on_a_page_reached_through_the_sidebar(lessons_page):
    app = lessons_page
    app.button(key="lessons_start_lesson-2").click().run()
    app.switch_page("app_pages/home.py").run()
    no_exception(app)
    assert bar_label(app).startswith(f"**Lesson 2 · step 1 of {len(LESSON_2.steps)}**")


def test_a_step_started_in_presenter_view_stays_in_it(lessons_page):
    app = lessons_page
    app.toggle(key="presenter").set_value(True).run()
    app.button(key="lessons_start_lesson-2").click().run()
    no_exception(app)
    assert app.toggle(key="presenter").value is True
    app.button(key="lesson_next").click().run()
    assert app.toggle(key="presenter").value is True
    assert url(app)["step"] == "2"
    app.query_params.clear()  # a sidebar link drops the URL's parameters
    app.switch_page("app_pages/home.py").run()
    app.button(key="lesson_next").click().run()
    no_exception(app)
    assert app.toggle(key="presenter").value is True and url(app)["step"] == "3"


def test_a_link_to_a_step_opens_its_page():
    app = AppTest.from_file(APP_FILE, default_timeout=APP_TIMEOUT_SECONDS)
    app.query_params["lesson"] = "lesson-2"
    app.query_params["step"] = "2"
    app.run()
    no_exception(app)
    assert [t.value for t in app.title] == ["Pixels as vectors"]
    assert bar_label(app).startswith(f"**Lesson 2 · step 2 of {len(LESSON_2.steps)}**")
    assert app.radio(key="pixels_direction").value == "wrap"
    assert app.slider(key="pixels_rows_done").value == 10


@pytest.mark.parametrize(
    "lesson, step, notice",
    [
        ("lesson-99", "1", "does not have"),
        ("lesson-2", "40", f"Lesson 2 has steps 1 to {len(LESSON_2.steps)}, not '40'"),
        ("lesson-2", "two", "not 'two'"),
    ],
)
def test_a_bad_lesson_link_gives_one_notice(lesson, step, notice):
    app = AppTest.from_file(APP_FILE, default_timeout=APP_TIMEOUT_SECONDS)
    app.query_params["lesson"] = lesson
    app.query_params["step"] = step
    app.run()
    no_exception(app)
    assert [notice in i.value for i in app.info].count(True) == 1
    app.run()  # shown once, not on every rerun
    assert not any(notice in i.value for i in app.info)


def show_upload(name: str, data: bytes) -> None:
    from ui.lesson_bar import available_paths, show_uploaded_path

    show_uploaded_path(name, data)
    import streamlit as st

    st.markdown(", ".join(sorted(available_paths()[0])))


GOOD_UPLOAD = b"""
title = "My scaling lesson"
[[steps]]
page = "build_and_train"
prompt = "Up or down?"
explanation = "Down."
settings = { train_scale = false }
"""


@pytest.mark.parametrize(
    "data, message",
    [
        (
            GOOD_UPLOAD.replace(b'"build_and_train"', b'"training"'),
            "mine.toml, step 1: unknown page 'training'",
        ),
        (GOOD_UPLOAD.replace(b'prompt = "Up or down?"\n', b""), "`prompt` is missing: add prompt ="),
        (GOOD_UPLOAD.replace(b"train_scale", b"train_scaling"), "`train_scaling` is not a control of page"),
        (b'title = "x', "not valid TOML"),
        (b"\xff\xfe\x00", "is not a text file"),
    ],
)
def test_a_bad_upload_gives_a_clear_message(data, message):
    app = AppTest.from_function(show_upload, args=("mine.toml", data), default_timeout=APP_TIMEOUT_SECONDS)
    app.run()
    no_exception(app)
    assert len(app.error) == 1 and message in app.error[0].value
    assert "mine" not in str(app.markdown[-1].value)


def test_a_good_upload_is_listed_for_this_session():
    app = AppTest.from_function(
        show_upload, args=("mine.toml", GOOD_UPLOAD), default_timeout=APP_TIMEOUT_SECONDS
    )
    app.run()
    no_exception(app)
    assert "Loaded **My scaling lesson** (1 step)" in app.success[0].value
    assert "mine" in str(app.markdown[-1].value)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.id)
def test_every_shipped_step_opens_its_page(open_page, path):
    """Walk each path with Next: every step's page runs without an error under the bar."""
    app = open_page("app_pages/lessons.py")
    app.button(key=f"lessons_start_{path.id}").click().run()
    for number, step in enumerate(path.steps, start=1):
        if number > 1:
            app.button(key="lesson_next").click().run()
        no_exception(app)
        assert not app.error, (number, [e.value for e in app.error])
        assert bar_label(app).startswith(f"**{path.lesson} · step {number} of {len(path.steps)}**")
        assert step.prompt in prompts(app)
        assert url(app)["step"] == str(number)
        for name, value in step.settings:
            if name != "model":  # app-wide, read by the model picker (issue 12, point 1)
                assert app.session_state[name] == value, (number, name)
    assert app.button(key="lesson_next").disabled


def test_a_lecturers_folder_adds_paths_and_names_a_bad_file(open_page, tmp_path, monkeypatch):
    (tmp_path / "mine.toml").write_text(GOOD_UPLOAD.decode())
    (tmp_path / "broken.toml").write_text(GOOD_UPLOAD.decode().replace("build_and_train", "trainer"))
    monkeypatch.setenv("MNIST_LESSONS_DIR", str(tmp_path))
    app = open_page("app_pages/lessons.py")
    assert "lessons_start_mine" in [b.key for b in app.button]
    [warning] = [w.value for w in app.warning]
    assert warning.startswith(
        "A lesson file was left out: broken.toml, step 1: unknown page 'trainer'; use one of:"
    )
    pages = warning.split("use one of:")[1]
    assert "build_and_train, class_board, data, dimensions" in warning
    assert "lessons" not in pages and "join" not in pages


def test_a_step_link_holds_its_page_and_settings():
    from ui.lesson_bar import step_link

    assert step_link(LESSON_2, 0) == (
        "/pixels_as_vectors?pixels_row=2&pixels_col=5&pixels_index=61&lesson=lesson-2&step=1"
    )
    life_cycle = next(p for p in SHIPPED if p.id == "life-cycle")
    assert step_link(life_cycle, 0, presenter=True) == "/?lesson=life-cycle&step=1&presenter=true"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.id)
def test_every_step_link_holds_values_its_page_accepts(path):
    """A step's link writes each setting as the page's own link does (a choice by its label, "RMSProp"
    not "rmsprop"), so opening it shows no "reset to its default" notice over the lesson bar."""
    from ui.lesson_bar import step_params
    from ui.links import problems

    for index, step in enumerate(path.steps):
        assert problems(step.page, step_params(path, index, presenter=True)) == {}, (path.id, index + 1)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.id)
def test_presenter_view_aims_at_each_steps_control_and_result(path):
    """The script that scrolls a step's targets into view names exactly the step's keys."""
    import json

    from ui.lesson_bar import aim_script

    for index, step in enumerate(path.steps):
        script = aim_script(path, index)
        keys = [key for key in (step.control, step.result) if key]
        if not keys:
            assert script == ""
            continue
        assert f"const STEP = {json.dumps(f'{path.id}/{index}')}, KEYS = {json.dumps(keys)}," in script
        assert "%(" not in script and "<script>" in script


LESSON_3 = next(p for p in SHIPPED if p.id == "lesson-3")
BAR_BUTTONS = ("lesson_back", "lesson_reveal", "lesson_next", "lesson_leave")


def open_link(params: dict[str, str]) -> AppTest:
    """app.py opened from a link with these query parameters, as a student's browser opens it."""
    app = AppTest.from_file(APP_FILE, default_timeout=APP_TIMEOUT_SECONDS)
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    no_exception(app)
    return app


def spanish_bar(app: AppTest) -> tuple[str, str]:
    """The Spanish bar's label ("**Lección 3 · paso 1 de 7** · ...") and the prompt drawn under it."""
    texts = [m.value for m in app.markdown]
    index = next(i for i, text in enumerate(texts) if text.startswith("**Lección") and " · paso " in text)
    return texts[index], texts[index + 1]


def test_a_lesson_step_reads_in_spanish():
    """A step's link with ?lang=es: the bar's label, prompt, buttons and explanation are the Spanish ones.

    Only the bar's own texts: the page under it (Build & Train) is translated separately.
    """
    from tests.app.page_texts import english_sentences

    step = LESSON_3.steps[0]
    app = open_link({"lang": "es", "lesson": "lesson-3", "step": "1"})
    label, prompt = spanish_bar(app)
    assert label == f"**Lección 3 · paso 1 de {len(LESSON_3.steps)}** · Contar los parámetros"
    assert prompt.startswith("Una capa oculta Dense de 32 neuronas ReLU y luego 10 salidas softmax.")
    assert step.prompt not in [m.value for m in app.markdown]
    assert [app.button(key=key).label for key in BAR_BUTTONS] == [
        "Atrás",
        "Mostrar qué pasó",
        "Siguiente",
        "Salir",
    ]

    with in_language("es"):  # AppTest formats the Spanish page's options on this thread, which has no page
        app.button(key="lesson_reveal").click().run()
    no_exception(app)
    [explanation] = [s.value for s in app.success]
    assert explanation.startswith("784 x 32 + 32 = 25.120: un peso por entrada")  # Spanish thousands
    assert app.button(key="lesson_reveal").label == "Ocultar"
    shown = [label, prompt, explanation] + [app.button(key=key).label for key in BAR_BUTTONS]
    assert english_sentences(shown) == []
    assert english_sentences([step.prompt, step.explanation]) != []  # the English would be caught


def test_a_bad_step_in_a_spanish_link_gives_a_spanish_notice():
    app = open_link({"lang": "es", "lesson": "lesson-2", "step": "40"})
    expected = f"Lección 2 tiene los pasos 1 a {len(LESSON_2.steps)}, no '40': aquí está el paso 1."
    assert [i.value for i in app.info] == [expected]
    label, prompt = spanish_bar(app)
    assert label.startswith(f"**Lección 2 · paso 1 de {len(LESSON_2.steps)}**")
    assert prompt.startswith("Desenrolla la imagen de 28 x 28 fila a fila.")


def test_the_spanish_lessons_page_lists_spanish_paths_with_spanish_links():
    app = open_link({"lang": "es"})
    app.switch_page("app_pages/lessons.py").run()
    no_exception(app)
    text = " ".join(prompts(app))
    assert "**Lección 4 · Pérdida, optimizadores y descenso de gradiente** · 5 pasos" in text
    assert "lesson=lesson-4&step=1&lang=es" in text  # a step opened from here stays in Spanish
    assert app.button(key="lessons_start_lesson-4").label == "Empezar"
