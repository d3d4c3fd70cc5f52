"""Benchmark of the three data pages: time to a finished page on a fresh server, cold and warm, the
server's memory after visiting them, whether it imported TensorFlow, and the core computations.

Run from the repository root:  python benchmarks/bench_data_pages.py [--repeats 3] [--tsne]
Prints medians. Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and a free port.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_server import chromium, running_app  # noqa: E402

PAGES = {"The data": "data", "Pixels as vectors": "pixels_as_vectors", "784 dimensions": "dimensions"}


def median_time(work, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def core_numbers(repeats: int, with_tsne: bool) -> None:
    from mnist_core.data import dataset_views, projections
    from mnist_core.data.mnist import load_mnist

    (x_train, y_train), _ = load_mnist()
    digits = x_train[projections.subset_indices(len(x_train), 10_000, seed=0)]
    print(
        f"PCA of 10,000 digits (10 components): median {median_time(lambda: projections.pca(digits), repeats):.3f} s"
    )
    print(
        f"Montage of 60,000 images + PNG: {median_time(lambda: dataset_views.png_bytes(dataset_views.montage(x_train)), 1):.2f} s (once)"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.csv"
        seconds = median_time(lambda: dataset_views.write_csv(path, x_train, y_train), 1)
        print(
            f"CSV of the 60,000 training samples, streamed to disk: {seconds:.2f} s, {path.stat().st_size / 1e6:.0f} MB"
        )
    random_points = projections.random_cube_points(200, seed=1)
    seconds = median_time(lambda: projections.nearest_distances(random_points, x_train), repeats)
    print(f"Nearest of 60,000 training digits for 200 points: median {seconds:.2f} s")
    if with_tsne:
        for n in (2000, 10_000):
            seconds = median_time(lambda n=n: projections.tsne(x_train[:n]), 1)
            print(f"t-SNE of {n:,} digits (2-D, 1,000 iterations): {seconds:.1f} s (once)")


# Checked on every animation frame, so the time is not rounded up to Playwright's polling steps.
PAGE_FINISHED = """([title, chart]) => {
    const app = document.querySelector('[data-testid=stApp]');
    const heading = document.querySelector('[data-testid=stMain] h1');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (!heading || !heading.textContent.startsWith(title)) return false;
    if (document.querySelector('[data-stale=true], [data-testid=stSkeleton]')) return false;
    if (chart && !document.querySelector(`.st-key-${chart} .main-svg`)) return false;
    const charts = document.querySelectorAll('[data-testid=stPlotlyChart]');
    const drawn = document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg');
    const images = [...document.querySelectorAll('[data-testid=stImage] img')];
    return drawn.length >= charts.length && images.every(img => img.complete && img.naturalWidth > 0);
}"""


def wait_until_page_finished(tab, title: str, chart: str | None = None) -> None:
    """The page's script has finished, nothing of the previous view is left, every chart and image is
    drawn (and the chart with key ``chart``, when one is named)."""
    tab.wait_for_function(PAGE_FINISHED, arg=[title, chart], polling="raf", timeout=180_000)


# The 784 dimensions page runs only its open tab; a chart each tab draws.
DIMENSIONS_TABS = {
    "1 · Two pixels as axes": "dimensions_cube_chart",
    "2 · Random points are noise": "dimensions_test_chart",
    "3 · Flatten to 2-D or 3-D": "dimensions_variance_chart",
    "4 · Walk between digits": "dimensions_walk_chart",
}


def tab_switch_numbers(browser, url: str, repeats: int) -> None:
    """Seconds from a click on a tab of 784 dimensions until that tab is drawn (caches warm)."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    tab.goto(f"{url}/dimensions")
    wait_until_page_finished(tab, "784 dimensions", "dimensions_cube_chart")
    timings: dict[str, list[float]] = {name: [] for name in DIMENSIONS_TABS}
    for visit in range(1 + repeats):
        for name, chart in [*list(DIMENSIONS_TABS.items())[1:], next(iter(DIMENSIONS_TABS.items()))]:
            start = time.perf_counter()
            tab.get_by_role("tab", name=name).click()
            wait_until_page_finished(tab, "784 dimensions", chart)
            if visit:  # the first round fills the caches of each tab
                timings[name].append(time.perf_counter() - start)
    tab.close()
    print(f"Switching tabs on 784 dimensions (warm median over {repeats}):")
    for name, seconds in timings.items():
        print(f"  {name:28s} {statistics.median(seconds):5.2f} (max {max(seconds):.2f})")


def browser_numbers(repeats: int) -> None:
    with running_app() as app, chromium() as browser:
        print(f"Fresh server: {app.rss_mb():.0f} MB resident")
        timings: dict[str, list[float]] = {title: [] for title in PAGES}
        # Visit 0 opens each page in a new tab (a new browser context) of a fresh server: the
        # server's caches are filled then. Visit 1 opens one more tab and goes through the pages
        # once, untimed, so that tab has loaded its scripts. Later visits switch pages within that
        # tab, as a student does: those are the warm times.
        tab = None
        for visit in range(2 + repeats):
            for title in PAGES:
                if visit <= 1 and (visit == 0 or tab is None):
                    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
                    tab.goto(app.url)
                    wait_until_rendered_home(tab)
                start = time.perf_counter()
                tab.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
                wait_until_page_finished(tab, title)
                if visit != 1:
                    timings[title].append(time.perf_counter() - start)
                if visit == 0:
                    tab.close()
                    tab = None
        print("Seconds from the sidebar click until the page's script had finished and every chart and")
        print("image was drawn (first visit: a new tab on a fresh server; warm: switching pages in one tab):")
        for title, seconds in timings.items():
            print(
                f"  {title:18s} first visit {seconds[0]:5.2f} · warm median {statistics.median(seconds[1:]):5.2f} "
                f"(min {min(seconds[1:]):.2f}, max {max(seconds[1:]):.2f}) over {repeats}"
            )
        tab_switch_numbers(browser, app.url, repeats)
        print(f"Server after visiting all three pages: {app.rss_mb():.0f} MB resident")
        print(f"Server loaded TensorFlow: {app.loaded_tensorflow()}")


def wait_until_rendered_home(tab) -> None:
    from playwright.sync_api import expect

    expect(tab.get_by_test_id("stSidebarNav")).to_be_visible(timeout=120_000)
    expect(tab.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="warm visits per page (default 3)")
    parser.add_argument("--tsne", action="store_true", help="also time t-SNE of 2,000 and 10,000 digits")
    parser.add_argument("--core-only", action="store_true", help="skip the browser measurements")
    arguments = parser.parse_args()
    print(f"Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    if not arguments.core_only:
        browser_numbers(arguments.repeats)
    core_numbers(max(arguments.repeats, 3), arguments.tsne)


if __name__ == "__main__":
    main()
