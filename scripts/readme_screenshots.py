"""Retake the README's screenshots: a first network trained live, 784 dimensions, the loss surface.

Run from the repository root:  .venv/bin/python scripts/readme_screenshots.py
Starts the app on a free port and drives Debian's headless Chromium, like the benchmarks do;
trains the first network (5 epochs) and computes a t-SNE map of 2,000 digits on the way (about two
minutes on 2 cores). Writes build-and-train.png, 784-dimensions-tsne.png and loss-surface.png in
docs/screenshots/.
"""

from __future__ import annotations

import re
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


def first_network_run(tab, url: str) -> None:
    """The lesson's first network trained on the Build & Train page, from its live charts to its test score."""
    from playwright.sync_api import expect

    open_page(tab, url, "Build & Train", "Build & Train")
    tab.get_by_role("button", name="Train", exact=True).click()
    accuracy = tab.get_by_test_id("stMetric").filter(has_text="Test accuracy")
    expect(accuracy).to_be_visible(timeout=SLOW_MS)
    tab.set_viewport_size({"width": 1400, "height": 3000})  # Streamlit scrolls inside its own box
    settle(tab)
    top = tab.get_by_role("heading", name=re.compile("^Run: ")).bounding_box()
    bottom = tab.get_by_role("button", name="Download this model (.keras)").bounding_box()
    left = tab.get_by_test_id("stMain").locator("[data-testid=stMainBlockContainer]").bounding_box()
    tab.screenshot(
        path=str(SHOTS / "build-and-train.png"),
        clip={
            "x": left["x"],
            "y": top["y"] - 10,
            "width": left["width"],
            "height": bottom["y"] + bottom["height"] + 10 - (top["y"] - 10),
        },
    )
    tab.set_viewport_size({"width": 1400, "height": 1000})


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
        first_network_run(tab, app.url)
        tsne_map(tab, app.url)
        optimizer_race(tab, app.url)
    print(f"Wrote build-and-train.png, 784-dimensions-tsne.png and loss-surface.png in {SHOTS}")


if __name__ == "__main__":
    main()
