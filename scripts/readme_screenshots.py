"""Retake the README's screenshots of the 784 dimensions and Loss surface pages.

Run from the repository root:  .venv/bin/python scripts/readme_screenshots.py
Starts the app on a free port and drives Debian's headless Chromium, like the benchmarks do;
computes a t-SNE map of 2,000 digits on the way (about a minute on 2 cores). Writes
docs/screenshots/784-dimensions-tsne.png and docs/screenshots/loss-surface.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_server import chromium, running_app  # noqa: E402

SHOTS = ROOT / "docs" / "screenshots"
SLOW_MS = 600_000


def open_page(tab, url: str, link: str, heading: str) -> None:
    from playwright.sync_api import expect

    tab.goto(url)
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    expect(tab.locator("[data-testid=stMain] h1")).to_have_text(heading, timeout=SLOW_MS)


def settle(tab) -> None:
    """Wait until the script has finished and the charts have had time to draw."""
    tab.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]')"
        ".getAttribute('data-test-script-state') === 'notRunning'",
        timeout=SLOW_MS,
    )
    tab.wait_for_timeout(1500)


def tsne_map(tab, url: str) -> None:
    from playwright.sync_api import expect

    open_page(tab, url, "784 dimensions", "784 dimensions")
    tab.get_by_role("tab", name="3 · Flatten to 2-D or 3-D").click()
    tab.get_by_test_id("stRadio").filter(has_text="Method").get_by_text("t-SNE").click()
    tab.get_by_role("button", name="Compute the t-SNE map").click()
    chart = tab.locator(".st-key-dimensions_projection_chart .main-svg").first
    expect(chart).to_be_attached(timeout=SLOW_MS)
    settle(tab)
    tab.screenshot(path=str(SHOTS / "784-dimensions-tsne.png"))


def optimizer_race(tab, url: str) -> None:
    from playwright.sync_api import expect

    open_page(tab, url, "Loss surface", "The loss surface")
    tab.get_by_role("tab", name="2 · Two weights: optimizers race").click()
    expect(tab.locator(".st-key-surface_3d .main-svg").first).to_be_attached(timeout=SLOW_MS)
    tab.set_viewport_size({"width": 1400, "height": 2400})  # Streamlit scrolls inside its own box
    settle(tab)
    tab.locator('[role="tabpanel"]:visible').screenshot(path=str(SHOTS / "loss-surface.png"))


def main() -> None:
    with running_app() as app, chromium() as browser:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tsne_map(tab, app.url)
        optimizer_race(tab, app.url)
    print(f"Wrote {SHOTS / '784-dimensions-tsne.png'} and {SHOTS / 'loss-surface.png'}")


if __name__ == "__main__":
    main()
