"""A student without a mouse: trains the first network and has a digit answered, with the keyboard alone.

It counts the Tab presses from the top of each page to what the student wants, and writes them to
artifacts/keyboard-tab-counts.txt (the README quotes them).
"""

import re
from pathlib import Path

import pytest
from browser_helpers import screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
MAX_TABS = 200  # a page has fewer focusable things than this: past it, the target is unreachable


def tab_until(page, is_target: str) -> int:
    """Press Tab until ``is_target`` (JS, given the focused element ``e``) holds; the number of presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!e && ({is_target}); }})()"):
            return presses
    raise AssertionError(f"not reached in {MAX_TABS} Tab presses: {is_target}")


def test_train_and_predict_a_digit_drawn_with_the_keyboard(page):
    counts = {}
    page.goto("/build_and_train")
    wait_for_app(page)
    expect(page.get_by_text("Gradient updates per epoch", exact=True)).to_be_visible(timeout=120_000)
    page.locator("body").focus()
    counts["Build & Train: Train, Tab after Tab"] = tab_until(
        page, "e.tagName === 'BUTTON' && !!e.closest('.st-key-train_start')"
    )
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("Gradient updates per epoch", exact=True)).to_be_visible(timeout=120_000)
    # The way a keyboard user skips: Streamlit's "Skip to main content", then the page's own link.
    presses = tab_until(page, "e.innerText === 'Skip to main content'")
    page.keyboard.press("Enter")
    presses += tab_until(page, "e.shadowRoot?.activeElement?.textContent === 'Skip to Train'")
    page.keyboard.press("Enter")
    assert page.evaluate("!!document.activeElement.closest('.st-key-train_start')")
    counts["Build & Train: Train, with the skip links"] = presses
    page.keyboard.press("Enter")
    finished = page.get_by_role("button", name="See its predictions")
    expect(finished).to_be_visible(timeout=240_000)
    accuracy = (
        page.get_by_test_id("stMetric").filter(has_text="Test accuracy").get_by_test_id("stMetricValue")
    )
    assert float(accuracy.inner_text()) >= 0.95

    page.locator("body").focus()
    counts["Build & Train, after the run: See its predictions"] = tab_until(
        page, "e.tagName === 'BUTTON' && !!e.closest('.st-key-train_next_predictions')"
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/predictions\?model=run-1"), timeout=60_000)
    wait_for_app(page)

    page.locator("body").focus()
    # The three ways are one radio group, one Tab stop: arrows move within it, Space chooses.
    counts["Predictions: the way to draw"] = tab_until(page, "!!e.closest('.st-key-predictions_source')")
    for _ in range(3):
        if "Draw with keys" in page.evaluate("document.activeElement.innerText"):
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    grid = page.locator(".st-key-predictions_grid canvas")
    expect(grid).to_be_visible(timeout=60_000)
    page.locator("body").focus()
    counts["Predictions: the drawing grid"] = tab_until(
        page, "e.shadowRoot?.activeElement?.tagName === 'CANVAS' && !!e.closest('.st-key-predictions_grid')"
    )

    # A 7: the top bar from left to right, then the stroke down and to the left.
    for key in ["ArrowUp"] * 8 + ["ArrowLeft"] * 5:
        page.keyboard.press(key)
    page.keyboard.press("p")  # pen down
    for key in ["ArrowRight"] * 11 + ["ArrowDown", "ArrowLeft"] * 7 + ["ArrowDown"] * 4:
        page.keyboard.press(key)
    page.keyboard.press("p")  # pen up
    # The grid tells a screen reader where its cursor is and whether the pen is down.
    expect(page.locator(".st-key-predictions_grid .status")).to_have_text(
        re.compile(r"^Row 17, column 13: ink \d+%\.$")
    )
    verdict = page.get_by_text(re.compile(r"The model says \d \(probability"))
    expect(verdict).to_be_visible(timeout=60_000)
    assert verdict.inner_text().startswith("The model says 7"), verdict.inner_text()
    expect(page.get_by_text(re.compile(r"Showing .*Run 1"))).to_be_visible()
    screenshot(page, "keyboard-drawn-seven")

    report = "\n".join(f"{where}: {presses} Tab presses" for where, presses in counts.items())
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "keyboard-tab-counts.txt").write_text(report + "\n")
    print(report)
