"""A screenshot of every page and every tab, at a projector's 1280 x 720 and a phone's 390 x 844.

Run from the repository root:  .venv/bin/python scripts/screenshot_every_page.py [OUTPUT_FOLDER]
Starts the app on a free port, opens each page from the sidebar (on a phone, from the menu)
in Debian's headless Chromium, clicks through its tabs, and saves one picture of the whole
page per tab: OUTPUT_FOLDER/<width>/<page>[-<tab>].png (default /tmp/mnist-screenshots).
Streamlit scrolls inside its own box, so the window is made as tall as the page before each shot.
It reports every uncaught exception a page shows, and exits 1 if there was one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_server import chromium, running_app  # noqa: E402

VIEWPORTS = {"1280": (1280, 720), "390": (390, 844)}
PAGES = {  # sidebar link -> the page's h1
    "The life cycle of a model": "MNIST Demystified",
    "The data": "The data",
    "Pixels as vectors": "Pixels as vectors",
    "784 dimensions": "784 dimensions",
    "Build & Train": "Build & Train",
    "Loss surface": "The loss surface",
    "Predictions": "Predictions",
    "Inside the network": "Inside the network",
    "scikit-learn & tuning": "The same network in scikit-learn, and tuning it honestly",
}
SLOW_MS = 180_000


def settle(tab) -> None:
    """Wait until the script has finished, nothing is loading and the charts have had time to draw."""
    tab.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]')"
        ".getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=stSkeleton], [data-testid=stSpinner]')",
        timeout=SLOW_MS,
    )
    tab.wait_for_timeout(1500)


def shoot(tab, path: Path, width: int, height: int) -> None:
    """The whole page: the window as tall as Streamlit's scrolling box, then back."""
    full = tab.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    tab.set_viewport_size({"width": width, "height": max(height, min(int(full) + 40, 16_000))})
    tab.wait_for_timeout(1200)  # plotly redraws at the new size
    path.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(path))
    tab.set_viewport_size({"width": width, "height": height})


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def open_page(tab, url: str, link: str, heading: str, phone: bool) -> None:
    from playwright.sync_api import expect

    tab.goto(url)
    settle(tab)
    if phone:  # the sidebar starts closed on a narrow screen
        tab.get_by_test_id("stExpandSidebarButton").click()
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    expect(tab.locator("[data-testid=stMain] h1").first).to_have_text(heading, timeout=SLOW_MS)
    if phone and tab.get_by_test_id("stSidebar").is_visible():
        tab.get_by_test_id("stSidebarCollapseButton").first.click(force=True)
    settle(tab)


def exceptions(tab) -> list[str]:
    return [text for text in tab.get_by_test_id("stException").all_inner_texts()]


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/mnist-screenshots")
    problems = []
    with running_app(log_path=out.with_suffix(".log")) as app, chromium() as browser:
        for name, (width, height) in VIEWPORTS.items():
            tab = browser.new_page(viewport={"width": width, "height": height})
            for link, heading in PAGES.items():
                open_page(tab, app.url, link, heading, phone=width < 600)
                tabs = tab.get_by_test_id("stMain").get_by_role("tab")
                labels = [label.strip() for label in tabs.all_inner_texts()]
                for index, label in enumerate(labels or [""]):
                    if label:
                        tabs.nth(index).click()
                        settle(tab)
                    path = out / name / f"{slug(link)}{'-' + slug(label) if label else ''}.png"
                    shoot(tab, path, width, height)
                    problems += [f"{path.name}: {text[:200]}" for text in exceptions(tab)]
                    print(path, flush=True)
            tab.close()
    for problem in problems:
        print("EXCEPTION", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
