"""A lecturer slows a run down, steps it one batch at a time, changes its learning rate and sees the mark."""

import re

import pytest
from browser_helpers import screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def counter(page, updates: int | None = None):
    """The caption under the progress bar: "N of 860 gradient updates · ..."."""
    number = r"[\d,]+" if updates is None else f"{updates:,}"
    return page.get_by_test_id("stMain").get_by_text(re.compile(rf"^{number} of 860 gradient updates ·"))


def updates_done(page) -> int:
    return int(counter(page).first.inner_text().split(" of ")[0].replace(",", ""))


def test_step_one_batch_then_change_the_learning_rate_mid_run(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("/build_and_train?train_epochs=2&train_speed=Slow+motion%3A+2+updates+a+second")
    wait_for_app(page)
    expect(page.get_by_text("Gradient updates per epoch", exact=True)).to_be_visible(timeout=120_000)
    page.get_by_role("button", name="Train", exact=True).click()
    step = page.get_by_role("button", name="Step one batch")
    expect(step).to_be_visible(timeout=120_000)
    step.click()  # while running: pause after the next batch
    paused = page.get_by_test_id("stMain").get_by_text(re.compile(r"Paused after a step: [\d,]+ gradient"))
    # A fresh server's first run waits for its worker to import Keras (the page itself no longer does).
    expect(paused).to_be_visible(timeout=120_000)
    held = updates_done(page)
    step.click()
    expect(counter(page, held + 1)).to_be_visible()
    page.wait_for_timeout(1500)  # paused: the counter must not move on by itself
    assert updates_done(page) == held + 1

    rate = page.get_by_role("slider", name="Learning rate from the next update on")
    rate.focus()
    rate.press("ArrowRight")  # 0.001 -> 0.003
    expect(rate).to_have_attribute("aria-valuetext", "0.003")
    page.get_by_role("button", name="Change it").click()
    expect(page.get_by_text(f"0.003 from update {held + 2:,} on")).to_be_visible()
    step.click()
    expect(counter(page, held + 2)).to_be_visible()
    expect(page.get_by_text("Learning rate now: 0.003")).to_be_visible()
    mark = page.get_by_test_id("stPlotlyChart").get_by_text("lr 0.003")
    expect(mark.first).to_be_visible()
    screenshot(page, "live-training-1-stepped")
    step.scroll_into_view_if_needed()
    page.screenshot(
        path=str(screenshot(page, "live-training-1-stepped").with_name("live-training-1280x720.png"))
    )

    # Full speed reaches the paused run; one epoch more brings its confusion matrix.
    speed = page.locator(".st-key-train_speed")
    speed.locator("[role=combobox]").click()
    option = page.get_by_role("option", name="Full speed", exact=True)
    try:
        expect(option).to_be_visible(timeout=5_000)
    except AssertionError:  # a click that scrolled the box into view focuses it without opening it
        speed.locator("button[aria-label=Open]").click()
    option.click()
    page.get_by_role("button", name="Step one epoch").click()
    expect(page.get_by_test_id("stMain").get_by_text("Paused after epoch 1")).to_be_visible(timeout=120_000)
    expect(
        page.get_by_test_id("stPlotlyChart").get_by_text("Validation, after epoch 1").first
    ).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").get_by_text("lr 0.003").first).to_be_visible()
    step.scroll_into_view_if_needed()
    page.screenshot(
        path=str(screenshot(page, "live-training-2-epoch").with_name("live-training-epoch-1280x720.png"))
    )

    page.get_by_text("Presenter view").click()
    wait_for_app(page)
    # Streamlit keeps the old copy on screen during the rerun: wait until the one in the third column is alone.
    expect(page.get_by_role("button", name="Step one batch")).to_have_count(1)
    expect(page.get_by_role("button", name="Step one batch")).to_be_visible()
    expect(
        page.get_by_test_id("stPlotlyChart").get_by_text("Validation, after epoch 1").first
    ).to_be_visible()
    page.screenshot(
        path=str(
            screenshot(page, "live-training-3-presenter").with_name("live-training-presenter-1280x720.png")
        )
    )
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_text("Stopped").first).to_be_visible(timeout=60_000)
