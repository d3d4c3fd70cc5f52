"""The language: the link's ?lang=, the sidebar's picker, and English for a language the app lacks."""

from streamlit.testing.v1 import AppTest

from mnist_core.i18n import in_language
from tests.app.conftest import APP_FILE, APP_TIMEOUT_SECONDS


def open_link(**params) -> AppTest:
    app = AppTest.from_file(APP_FILE, default_timeout=APP_TIMEOUT_SECONDS)
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_a_plain_link_is_english_here_and_names_no_language():
    app = open_link()
    assert app.session_state["_viewer_language"] == "en"  # AppTest's browser has no Spanish locale
    assert "lang" not in app.query_params


def test_the_link_the_picker_and_a_page_switch():
    app = open_link(lang="es")
    assert app.session_state["_viewer_language"] == "es"
    assert app.sidebar.selectbox(key="language_picker").value == "es"

    app.switch_page("app_pages/data.py")
    app.run()
    assert app.query_params["lang"] == "es", "a page switch dropped the language from the link"
    assert app.session_state["_viewer_language"] == "es"

    with in_language("es"):  # AppTest formats the Spanish page's options on this thread, which has no page
        app.sidebar.selectbox(key="language_picker").set_value("en").run()
    assert app.session_state["_viewer_language"] == "en"
    assert app.query_params["lang"] == "en"


def test_a_language_the_app_does_not_have_falls_back_to_english():
    app = open_link(lang="fr")
    assert app.session_state["_viewer_language"] == "en"
    assert "lang" not in app.query_params
