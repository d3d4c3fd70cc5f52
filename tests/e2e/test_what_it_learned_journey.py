"""A student's journey at 1280 x 720: draw a digit, ask where the network looks, nudge the drawing until the
network reads another digit, then switch neurons off and watch the accuracy fall."""

from __future__ import annotations

import re

import pytest
from browser_helpers import draw_a_seven, screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SLOW = 90_000  # the first visit loads Keras and the models
PROJECTOR = {"width": 1280, "height": 720}
VERDICT = re.compile(r"The model says (\d) \(probability [01]\.\d\d\)")


@pytest.fixture
def projector(browser, server_url):
    context = browser.new_context(viewport=PROJECTOR, base_url=server_url)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def metric(page, label: str):
    """The value of the metric labelled ``label``."""
    box = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label))
    return box.get_by_test_id("stMetricValue")


def test_draw_look_nudge_and_switch_neurons_off(projector):
    page = projector
    page.goto("/predictions")
    wait_for_app(page)
    expect(page.locator("canvas.upper-canvas")).to_be_visible(timeout=SLOW)
    draw_a_seven(page)
    verdict = page.get_by_text(VERDICT)
    expect(verdict).to_be_visible(timeout=SLOW)
    answer = VERDICT.search(verdict.inner_text()).group(1)
    assert answer == "7"

    # Where it looks: the same drawing, its maps for the model's answer.
    page.get_by_role("button", name="Where does it look?").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="What it learned")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("radio", name="Your digit")).to_be_checked()
    expect(page.get_by_role("tab", name="1 · Where it looks")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text(f"the maps are for {answer}.")).to_be_visible(timeout=SLOW)
    for chart in ("learned_saliency", "learned_occlusion"):
        expect(page.locator(f".st-key-{chart} .main-svg").first).to_be_visible()
    assert "d score(7)" in page.locator(".st-key-learned_saliency").inner_text()
    screenshot(page, "what-it-learned-where-it-looks-drawing", max_height=PROJECTOR["height"] * 2)

    # The nudge: pick 3, and the nudged drawing is read as a 3.
    page.get_by_role("tab", name="3 · An adversarial nudge").click()
    wait_for_app(page)
    page.locator(".st-key-learned_target").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="3", exact=True).click()
    wait_for_app(page)
    nudged = page.get_by_text(re.compile(r"The model now says 3\. Every pixel moved by at most (\d+) of 255"))
    expect(nudged).to_be_visible(timeout=SLOW)
    step = int(re.search(r"at most (\d+) of 255", nudged.inner_text()).group(1))
    assert 0 < step <= 64
    expect(page.get_by_text("The model says 3 (")).to_be_visible()
    expect(page).to_have_url(re.compile(r"learned_target=3"))
    screenshot(page, "what-it-learned-nudge-drawing", max_height=PROJECTOR["height"] * 2)

    # Switch neurons off: the 8 units most active for a 1, then every unit.
    page.get_by_role("tab", name="4 · Switch neurons off").click()
    wait_for_app(page)
    expect(metric(page, "Units off")).to_have_text("8 of 32", timeout=SLOW)
    some_off = float(metric(page, "Test accuracy").inner_text())
    assert some_off < 0.9  # the first network scores 0.95 with every unit on
    expect(metric(page, "your drawing now reads")).to_be_visible()
    slider = page.locator(".st-key-learned_off_count").get_by_role("slider")
    slider.focus()
    slider.press("End")
    wait_for_app(page)
    expect(metric(page, "Units off")).to_have_text("32 of 32")
    assert float(metric(page, "Test accuracy").inner_text()) < some_off
    expect(page).to_have_url(re.compile(r"learned_off_count=32"))
    screenshot(page, "what-it-learned-neurons-off-drawing", max_height=PROJECTOR["height"] * 2)
