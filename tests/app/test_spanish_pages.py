"""AppTest: every page, and every tab of a page, in Spanish: it runs, and no English sentence is left.

Names (Keras, ReLU), numbers and code stay as they are; ``page_texts.english_sentences`` lets them pass.
"""

import pytest
from page_texts import english_sentences, page_texts

from test_alt_text_pages import PAGES

# Tabs that run only while open: (page, tab key, English label of each tab after the first).
LAZY_TABS = [
    ("app_pages/inside_the_network.py", "inside_section", ["Layer by layer", "Tensor shapes"]),
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
