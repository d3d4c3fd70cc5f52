"""Helpers for the browser journeys (import as `from browser_helpers import ...`)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

# Streamlit reruns and Keras start-up are slow on a busy 2-core machine: wait generously.
expect.set_options(timeout=30_000)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def screenshot(tab, name: str, max_height: int = 6000) -> Path:
    """Save the whole page under artifacts/screenshots/ for a human to look at.

    Streamlit scrolls inside its own container, so a "full page" screenshot shows only
    the window: the window is made as tall as the content for the shot, then restored.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = tab.viewport_size
    content_height = tab.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
        "[data-testid=stAppViewContainer]')].map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    tab.set_viewport_size(
        {"width": size["width"], "height": min(max(content_height, size["height"]), max_height)}
    )
    tab.wait_for_timeout(300)  # let charts redraw at the new size
    tab.screenshot(path=str(path))
    tab.set_viewport_size(size)
    return path


def wait_for_app(tab) -> None:
    """Wait until Streamlit has finished running the script for the page."""
    expect(tab.get_by_test_id("stApp")).to_be_visible()
    expect(tab.get_by_test_id("stMain")).to_be_visible()
    expect(tab.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


def draw_a_seven(tab) -> None:
    """Draw a "7" on the page's drawing canvas with the mouse: a bar across the top, a long diagonal down."""
    canvas = tab.locator("canvas.upper-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    left, top, scale = box["x"], box["y"], box["width"] / 280  # the canvases are drawn 280 px wide
    tab.mouse.move(left + 70 * scale, top + 60 * scale)
    tab.mouse.down()
    for step in range(1, 15):
        tab.mouse.move(left + (70 + step * 10) * scale, top + 60 * scale)
    for step in range(1, 19):
        tab.mouse.move(left + (210 - step * 5) * scale, top + (60 + step * 10) * scale)
    tab.mouse.up()
