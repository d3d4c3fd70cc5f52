"""How live the Loss surface page is: the optimizer race, and a 21 x 21 landscape of the first network.

Run from the repository root:  python benchmarks/bench_surfaces.py [--app-runs 2] [--no-browser]
Prints medians; the race must recompute 4 paths x 200 steps in under 100 ms after a
slider move, and both 21 x 21 landscape grids of the first network must finish in under 30 s.

The same two pieces of work are then timed inside the app, as a student meets them: a fresh
server per run, a headless Chromium tab on the page's Part 3, from the click on "Train a quick
first network" until the new run is chosen for its landscape, then from "Compute the landscape" (21 x 21)
until the landscape is drawn. Background work inside the server shares the GIL with the page's
polling reruns, so the ratio in-app / standalone is the number to watch.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app_server import chromium, running_app  # noqa: E402

from mnist_core.landscape import surfaces  # noqa: E402

SLOW_MS = 300_000


def median_ms(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def race(surface: str) -> None:
    spec = surfaces.SURFACES[surface]
    for optimizer in surfaces.OPTIMIZERS:
        path = surfaces.trajectory(surface, optimizer, spec.learning_rates[optimizer], spec.start, 200)
        surfaces.loss(surface, path[:, 0], path[:, 1])


def standalone() -> tuple[float, float]:
    """Seconds for the quick network and the median 21 x 21 landscape, in this process."""
    from mnist_core.engine.spec import ModelSpec, TrainConfig
    from mnist_core.engine.training import prepare_data, train
    from mnist_core.landscape.loss_landscape import LandscapeSettings, compute_landscape

    spec, config = ModelSpec(), TrainConfig(epochs=3, train_limit=12_000, validation_size=2_000)
    started = time.perf_counter()
    result = train(spec, config)
    training_seconds = time.perf_counter() - started
    print(f"\nQuick first network (784-32-10, 3 epochs, 10,000 images): {training_seconds:.1f} s")
    data = prepare_data(spec, config)
    settings = LandscapeSettings()
    seconds = []
    for _ in range(3):
        landscape = compute_landscape(
            result.model,
            result.weight_history,
            (data.x_train, data.y_train),
            (data.x_val, data.y_val),
            settings,
        )
        seconds.append(landscape.seconds)
    evaluations = 2 * settings.resolution**2 + 2 * len(settings.alphas) + len(result.weight_history)
    print(
        f"Landscape: 1-D line ({len(settings.alphas)} points x 2 sets) + two {settings.resolution} x "
        f"{settings.resolution} grids, {evaluations} losses on {settings.samples:,} images: "
        f"median {statistics.median(seconds):.1f} s of {[round(s, 1) for s in seconds]} (budget 30 s)"
    )
    return training_seconds, statistics.median(seconds)


def in_app_once(browser) -> tuple[float, float, float]:
    """A fresh server and tab: seconds to train the quick network, then to draw a 21 x 21 landscape,
    and the seconds the landscape's own computation took in the background (its caption says)."""
    from playwright.sync_api import expect

    with running_app() as app:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(f"{app.url}/loss_surface")
        tab.get_by_role("tab", name="3 · Your network's landscape").click()
        train_button = tab.get_by_role("button", name="Train a quick first network")
        expect(train_button).to_be_visible(timeout=SLOW_MS)
        started = time.perf_counter()
        train_button.click()
        network = (
            tab.locator('[role="tabpanel"]:visible').get_by_test_id("stSelectbox").get_by_role("combobox")
        )
        expect(network).to_have_value(re.compile("^Run 1"), timeout=SLOW_MS)  # the new run is selected
        expect(tab.get_by_role("button", name="Compute the landscape")).to_be_visible(timeout=SLOW_MS)
        trained = time.perf_counter()
        tab.get_by_role("button", name="Compute the landscape").click()
        expect(tab.get_by_text("Plane through the trained weights")).to_be_visible(timeout=SLOW_MS)
        drawn = time.perf_counter()
        caption = tab.get_by_text(re.compile(r"Computed in [\d.]+ s")).inner_text()
        computed = float(re.search(r"Computed in ([\d.]+) s", caption).group(1))
        return trained - started, drawn - trained, computed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-runs", type=int, default=2, help="fresh servers for the in-app timing")
    parser.add_argument("--no-browser", action="store_true", help="skip the in-app timing")
    arguments = parser.parse_args()
    print("Race: 4 optimizers x 200 steps, paths + losses (median of 30)")
    for surface in surfaces.SURFACES:
        print(f"  {surface:<11} {median_ms(lambda s=surface: race(s), 30):7.2f} ms   (budget 100 ms)")
    training_alone, landscape_alone = standalone()
    if arguments.no_browser:
        return
    print(f"\nInside the app, {arguments.app_runs} fresh servers (seconds from the click until shown):")
    rows = []
    with chromium() as browser:
        for _ in range(arguments.app_runs):
            rows.append(in_app_once(browser))
            print(
                f"  quick network {rows[-1][0]:5.1f} s · 21 x 21 landscape {rows[-1][1]:5.1f} s "
                f"(of which computing in the background {rows[-1][2]:.1f} s)"
            )
    training_in_app = statistics.median(row[0] for row in rows)
    landscape_in_app = statistics.median(row[1] for row in rows)
    print(
        f"  median: quick network {training_in_app:.1f} s ({training_in_app / training_alone:.1f}x standalone), "
        f"21 x 21 landscape {landscape_in_app:.1f} s ({landscape_in_app / landscape_alone:.1f}x standalone; "
        "budget 30 s)"
    )


if __name__ == "__main__":
    main()
