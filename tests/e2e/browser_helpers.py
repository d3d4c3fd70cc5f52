"""Helpers for the browser journeys (import as `from browser_helpers import ...`)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

# Streamlit reruns and Keras start-up are slow on a busy 2-core machine: wait generously.
expect.set_options(timeout=30_000)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def screenshot(tab, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ for a human to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app(tab) -> None:
    """Wait until Streamlit has finished running the script for the page."""
    expect(tab.get_by_test_id("stApp")).to_be_visible()
    expect(tab.get_by_test_id("stMain")).to_be_visible()
    expect(tab.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
