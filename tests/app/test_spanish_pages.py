"""AppTest: every page, and every tab of a page, in Spanish: it runs, and no English sentence is left.

Names (Keras, ReLU), numbers and code stay as they are; ``page_texts.english_sentences`` lets them pass.
"""

import pytest
from lazy_tabs import open_lazy_tab
from page_texts import english_sentences, page_texts
from test_alt_text_pages import PAGES

from mnist_core.i18n import in_language, tr
from ui.links import LAZY_TABS, PAGE_PARAMS

# Every tab after the first of the tabs that run only while open: (page, tab key, English label).
OTHER_TABS = [
    (f"app_pages/{page}.py", key, label)
    for key, page in LAZY_TABS.items()
    for label in list(PAGE_PARAMS[page][key].source_options({}).values())[1:]
]


def open_in_spanish(open_page, page: str):
    app = open_page(page, session_state={"_language_chosen": "es"})
    assert app.session_state["_viewer_language"] == "es"
    return app


@pytest.mark.parametrize("page", PAGES + ["app_pages/lessons.py", "app_pages/join.py"])
def test_every_page_reads_in_spanish(open_page, page):
    app = open_in_spanish(open_page, page)
    left = english_sentences(page_texts(app))
    assert not left, f"{page} still shows English: {left}"


def test_the_detector_finds_english_on_an_english_page(open_page):
    app = open_page("app_pages/data.py")
    assert len(english_sentences(page_texts(app))) > 10


@pytest.mark.parametrize(("page", "key", "label"), OTHER_TABS)
def test_every_tab_reads_in_spanish(open_page, page, key, label):
    app = open_in_spanish(open_page, page)
    with in_language("es"):
        spanish_label = tr(label)
    open_lazy_tab(app, key, spanish_label)
    left = english_sentences(page_texts(app))
    assert not left, f"{page}, tab {label!r}, still shows English: {left}"
