"""A lecturer's draw-and-answer journey at 1280 x 720: draw, see the answer on the same screen, leave and
come back, follow the digit inside the network, clear."""

from __future__ import annotations

import re

import pytest
from browser_helpers import draw_a_seven, screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SLOW = 90_000  # the first visit loads Keras and the models
PROJECTOR = {"width": 1280, "height": 720}
VERDICT = re.compile(r"The model says (\d) \(probability [01]\.\d\d\)")
# The share of bright pixels on the canvas's drawing layer, as the browser paints it.
DRAWING_LAYER = "canvas.dc-canvas.lower-canvas"
INK_JS = """canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] > 128) ink++;
  return ink / (data.length / 4);
}"""


@pytest.fixture
def projector(browser, server_url):
    context = browser.new_context(viewport=PROJECTOR, base_url=server_url)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def ink(page) -> float:
    return page.locator(DRAWING_LAYER).evaluate(INK_JS)


def inside_viewport(locator) -> bool:
    box = locator.bounding_box()
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= PROJECTOR["width"]
        and box["y"] + box["height"] <= PROJECTOR["height"]
    )


def pick_model(page, key: str) -> None:
    page.locator(".st-key-model").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name=key, exact=True).click()
    wait_for_app(page)


def go_to(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    wait_for_app(page)


def test_draw_and_answer_on_one_screen_and_follow_the_digit(projector):
    page = projector
    page.goto("/predictions")
    wait_for_app(page)
    canvas = page.locator("canvas.upper-canvas")
    expect(canvas).to_be_visible(timeout=SLOW)
    clear = page.get_by_role("button", name="Clear")
    assert inside_viewport(canvas) and inside_viewport(clear)  # before any scrolling
    canvas.hover()  # the canvas's toolbar shows on hover, above the canvas
    toolbar = page.locator(".dc-toolbar-card").first  # inside the component's open shadow root
    expect(toolbar).to_be_visible()
    page.wait_for_timeout(400)  # it slides up into place
    switch, bar = page.locator(".st-key-predictions_source").bounding_box(), toolbar.bounding_box()
    assert bar["y"] >= switch["y"] + switch["height"], (bar, switch)  # not over Draw / Upload a picture

    pick_model(page, "default-convnet")
    expect(page).to_have_url(re.compile(r"/predictions\?model=default-convnet$"))
    draw_a_seven(page)
    verdict = page.get_by_text(VERDICT)
    expect(verdict).to_be_visible(timeout=SLOW)
    wait_for_app(page)
    bars = page.locator(".st-key-predictions_your_bars")
    expect(bars.locator(".main-svg").first).to_be_visible()
    for element in (canvas, clear, bars, verdict, page.get_by_text("5 · centred by its centre of mass")):
        assert inside_viewport(element), element
    screenshot(page, "draw-and-answer-1280x720", max_height=PROJECTOR["height"])
    answer = VERDICT.search(verdict.inner_text()).group(1)
    assert answer == "7"
    drawn_ink = ink(page)
    assert drawn_ink > 0.02

    go_to(page, "The data")
    expect(page.get_by_role("heading", name="The data").first).to_be_visible(timeout=SLOW)
    go_to(page, "Predictions")
    expect(page.get_by_text(VERDICT)).to_have_text(verdict.inner_text(), timeout=SLOW)
    expect(page).to_have_url(re.compile(r"model=default-convnet"))
    expect(page.get_by_role("combobox", name="Model")).to_have_value("default-convnet")
    expect(page.locator(DRAWING_LAYER)).to_be_visible()
    page.wait_for_timeout(500)  # the canvas loads its initial drawing asynchronously
    assert ink(page) == pytest.approx(drawn_ink, rel=0.1)  # the same strokes, redrawn
    screenshot(page, "draw-and-answer-after-a-page-switch", max_height=PROJECTOR["height"])

    page.get_by_role("button", name="Follow it through the network").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Inside the network")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text(f"What model.predict says for this input: {answer}.")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("Showing Default: small convnet")).to_be_visible()
    expect(page.get_by_role("radio", name="Your digit")).to_be_checked()
    expect(page.get_by_role("heading", name=re.compile("The convolution"))).to_be_visible(timeout=SLOW)
    expect(page).to_have_url(re.compile(r"/inside_the_network\?model=default-convnet"))
    wait_for_app(page)
    screenshot(page, "draw-and-answer-followed-inside", max_height=PROJECTOR["height"])

    go_to(page, "Predictions")
    expect(page.get_by_text(VERDICT)).to_be_visible(timeout=SLOW)
    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_text(VERDICT)).to_have_count(0, timeout=SLOW)
    expect(page.get_by_text("Draw one digit, large")).to_be_visible()
    wait_for_app(page)
    assert ink(page) == 0


def test_a_link_to_another_sessions_run_shows_the_default_model_and_says_why(projector):
    page = projector
    page.goto("/predictions?model=run-3")
    wait_for_app(page)
    expect(page.get_by_text("The link's model run-3 is not one of this session's")).to_be_visible(
        timeout=SLOW
    )
    expect(page.get_by_role("combobox", name="Model")).to_have_value("default")
    expect(page.get_by_text("Showing Default: first network")).to_be_visible()
    expect(page).not_to_have_url(re.compile("model="))
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_finished_run_leads_to_its_predictions_and_its_insides(projector):
    page = projector
    page.goto("/build_and_train")
    wait_for_app(page)
    expect(page.get_by_text("Gradient updates per epoch", exact=True)).to_be_visible(timeout=120_000)
    page.get_by_role("button", name="Train", exact=True).click()
    see_predictions = page.get_by_role("button", name="See its predictions")
    expect(see_predictions).to_be_visible(timeout=300_000)
    wait_for_app(page)
    see_predictions.scroll_into_view_if_needed()
    screenshot(page, "draw-and-answer-run-next-steps", max_height=PROJECTOR["height"])

    see_predictions.click()
    expect(page.get_by_role("heading", name="Predictions")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("combobox", name="Model")).to_have_value("run-1")
    expect(page.get_by_text(re.compile("Showing This session's Run 1: 784-32-10"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/predictions\?model=run-1$"))
    pick_model(page, "default")  # the student looks elsewhere; the run's button brings it back

    go_to(page, "Build & Train")
    page.get_by_role("button", name="Look inside it").click()
    expect(page.get_by_role("heading", name="Inside the network")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("combobox", name="Model")).to_have_value("run-1")
    expect(page.get_by_text("Sum of the 784 products")).to_be_visible(timeout=SLOW)
