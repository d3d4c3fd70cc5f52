"""A student trains scikit-learn's MLP live, then runs a tiny honest grid and sees the heatmap."""

import re

import pytest
from browser_helpers import SCREENSHOTS, screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def snap(locator, name):
    """Screenshot one part of the page (the page itself scrolls inside Streamlit's container)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def fill(field, value):
    field.fill(value)
    field.press("Enter")


def test_train_then_tiny_grid(page):
    page.goto("/sklearn_tuning")
    wait_for_app(page)
    expect(page.get_by_test_id("stCode")).to_contain_text(
        "MLPClassifier(hidden_layer_sizes=(50,), max_iter=10, random_state=1)", timeout=60_000
    )
    screenshot(page, "sklearn_opened")

    # A bad learning rate is explained, and fixing it brings the page back.
    rate = page.get_by_label("learning_rate_init")
    fill(rate, "0")
    expect(page.get_by_text("the learning rate must be above 0")).to_be_visible()
    fill(rate, "0.001")
    wait_for_app(page)

    # Train on 1,000 images for 3 iterations: the loss curve and the accuracies appear.
    page.get_by_test_id("stSelectbox").filter(has_text="Training images").first.get_by_role(
        "combobox"
    ).click()
    page.get_by_role("option", name="1,000", exact=True).click()
    fill(page.get_by_role("spinbutton", name="max_iter").first, "3")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="Test accuracy")).to_be_visible(
        timeout=60_000
    )
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    snap(page.get_by_role("tabpanel").filter(has_text="Training accuracy"), "sklearn_trained")

    # A tiny grid, done honestly: the heatmap and the single use of the test set.
    page.get_by_role("tab", name="Grid search, done honestly").click()
    panel = page.get_by_role("tabpanel").filter(has_text="Run grid search")
    fill(panel.get_by_label("Learning rates"), "0.001, 0.01")
    fill(panel.get_by_label("Architectures"), "(8,), (16,)")
    fill(panel.get_by_role("spinbutton", name="max_iter"), "2")
    panel.get_by_test_id("stSelectbox").get_by_role("combobox").click()
    page.get_by_role("option", name="2,000", exact=True).click()
    wait_for_app(page)
    expect(panel.get_by_text("4 networks, each trained on 1,600 images")).to_be_visible()
    panel.get_by_role("button", name="Run grid search").click()
    expect(panel.get_by_text("used 1 time, for the winner only")).to_be_visible(timeout=60_000)
    heatmap = panel.locator(".js-plotly-plot").filter(has_text="Validation accuracy")
    expect(heatmap.locator("text").filter(has_text=re.compile(r"^0\.\d{4} ★$"))).to_have_count(
        1, timeout=30_000
    )
    snap(panel, "sklearn_grid_honest")

    # The wrong way: picked by test accuracy, with the optimistic and the honest score.
    panel.get_by_text("The wrong way").click()
    wait_for_app(page)
    panel.get_by_role("button", name="Run grid search").click()
    expect(panel.get_by_text("Reported score (picked by test)")).to_be_visible(timeout=60_000)
    expect(panel.locator(".js-plotly-plot").filter(has_text="Test accuracy")).to_be_visible(timeout=30_000)
    snap(panel, "sklearn_grid_wrong_way")
