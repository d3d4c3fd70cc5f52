"""The app in Spanish in a real browser: the browser's language by default, the picker, and the link."""

import re

import pytest
from browser_helpers import screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
FIRST_RENDER_MS = 90_000


@pytest.fixture
def spanish_tab(browser, server_url):
    """A tab of a browser whose language is Spanish (Argentina)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 720}, base_url=server_url, locale="es-AR"
    )
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def test_a_spanish_browser_gets_spanish_and_a_link_keeps_the_choice(spanish_tab, page):
    tab = spanish_tab
    tab.goto("/data")
    wait_for_app(tab)
    nav = tab.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Los datos")).to_be_visible(timeout=FIRST_RENDER_MS)
    expect(nav.get_by_role("link", name="Construir y entrenar")).to_be_visible()
    tab.wait_for_function(
        "document.documentElement.lang === 'es'", timeout=10_000
    )  # a screen reader speaks it
    assert "lang=" not in tab.url  # until a language is chosen, each browser gets its own
    screenshot(tab, "spanish_data_page")

    # Choosing English puts it in the link, and the link opens in English in any browser.
    tab.get_by_role("combobox", name=re.compile("Language · Idioma")).click()
    tab.get_by_role("option", name="English").click()
    expect(nav.get_by_role("link", name="The data")).to_be_visible(timeout=FIRST_RENDER_MS)
    expect(tab).to_have_url(re.compile(r"lang=en"))
    nav.get_by_role("link", name="Build & Train").click()
    wait_for_app(tab)
    expect(tab).to_have_url(re.compile(r"lang=en"))  # a page switch keeps it

    # An English browser opening a Spanish link gets Spanish.
    page.goto("/data?lang=es")
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Los datos")).to_be_visible(
        timeout=FIRST_RENDER_MS
    )
    page.wait_for_function("document.documentElement.lang === 'es'", timeout=10_000)
