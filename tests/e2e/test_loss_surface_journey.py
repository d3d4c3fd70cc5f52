"""A student on the Loss surface page: moves a learning rate, then maps a freshly trained network."""

import re

import pytest
from browser_helpers import screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SLOW_SERVER_MS = 300_000  # Keras import + training + landscape on a shared 2-core machine


HAS_CONTOUR = (
    "() => [...document.querySelectorAll('.js-plotly-plot')]"
    ".some(p => p.data && p.data[0] && p.data[0].type === 'contour')"
)


def contour_path_data(tab) -> str:
    """The SGD path's x coordinates as the browser's plotly contour map holds them (maybe base64)."""
    return tab.evaluate(
        "() => { const plots = [...document.querySelectorAll('.js-plotly-plot')];"
        " const map = plots.find(p => p.data && p.data[0] && p.data[0].type === 'contour');"
        " return JSON.stringify(map.data[1].x); }"
    )


def test_learning_rate_slider_changes_the_race_and_a_fresh_model_gets_its_landscape(page):
    page.goto("/")  # app.py first, so the server knows its navigation
    wait_for_app(page)
    page.goto("/loss_surface")
    wait_for_app(page)
    page.get_by_role("tab", name="2 · Two weights: optimizers race").click()
    page.wait_for_function(HAS_CONTOUR)
    before = contour_path_data(page)
    race = page.locator('[role="tabpanel"]:visible')
    sgd_rate = race.get_by_test_id("stSlider").filter(has_text="learning rate η").first
    sgd_rate.get_by_role("slider").focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    wait_for_app(page)
    expect(sgd_rate).to_contain_text("0.2")
    for _ in range(50):
        if contour_path_data(page) != before:
            break
        page.wait_for_timeout(200)
    assert contour_path_data(page) != before
    screenshot(page, "loss_surface_race")

    page.get_by_role("tab", name="3 · Your network's landscape").click()
    network = page.locator('[role="tabpanel"]:visible').get_by_test_id("stSelectbox").get_by_role("combobox")
    expect(network).to_have_value(re.compile("^Default: first network"))  # shipped, until one is trained
    page.get_by_role("button", name="Train a quick first network").click()
    expect(network).to_have_value(re.compile("^Run 1"), timeout=SLOW_SERVER_MS)  # the new run is selected
    resolution = (
        page.locator('[role="tabpanel"]:visible')
        .get_by_test_id("stSlider")
        .filter(has_text="Grid points per side")
    )
    resolution.get_by_role("slider").focus()
    page.keyboard.press("Home")  # 11 x 11: the smallest grid
    wait_for_app(page)
    page.get_by_role("button", name="Compute the landscape").click()
    expect(page.get_by_text("Plane through the trained weights")).to_be_visible(timeout=SLOW_SERVER_MS)
    expect(page.get_by_text("The road your run took.")).to_be_visible()
    screenshot(page, "loss_surface_landscape")
