"""Benchmark of Inside the network's layer maps: every layer's representation of 2,000 test digits, its
PCA map and its 5-NN accuracy, for the shipped models and every epoch of the first network's history;
one image's tensors; optionally the t-SNE maps and the page itself in a browser, cold then cached.

Run from the repository root:  python benchmarks/bench_representations.py [--repeats 5] [--tsne] [--browser]
Target (issue 14): representations of 2,000 digits for every layer of the first network under 10 s once,
then cached. Prints medians and the load average, since the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = 2000


def seconds(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def core_numbers(repeats: int, with_tsne: bool) -> None:
    from mnist_core.data import projections
    from mnist_core.data.mnist import load_mnist
    from mnist_core.engine.default_model import load_shipped, load_shipped_history
    from mnist_core.inspect.representations import layer_representations, tensor_shapes, uncrumpling

    _, (x_test, y_test) = load_mnist()
    indices = projections.subset_indices(len(y_test), SAMPLE, 0)
    images, labels = x_test[indices], y_test[indices]
    for key in ("default", "default-convnet"):
        model = load_shipped(key)
        first = seconds(lambda model=model: uncrumpling(model, images, labels))
        again = statistics.median(
            seconds(lambda model=model: uncrumpling(model, images, labels)) for _ in range(repeats)
        )
        print(
            f"{key}: every layer of {SAMPLE:,} digits, PCA + 5-NN: first {first:.2f} s, "
            f"then median {again:.2f} s of {repeats}"
        )
        print(
            f"{key}: one image's tensors through every layer: median "
            f"{statistics.median(seconds(lambda model=model: tensor_shapes(model, x_test[0])) for _ in range(repeats)) * 1000:.0f} ms"
        )
    model, history = load_shipped("default"), load_shipped_history()
    total = seconds(lambda: [uncrumpling(model, images, labels, weights) for weights in history])
    print(
        f"default: all {len(history)} snapshots of its weight history (the epoch slider and curve): {total:.2f} s"
    )
    if with_tsne:
        for representation in layer_representations(model, images):
            took = seconds(lambda r=representation: projections.tsne_of_vectors(r.values))
            print(
                f"t-SNE of {SAMPLE:,} digits in {representation.name} ({representation.n_features} values): {took:.1f} s"
            )


def browser_numbers() -> None:
    from app_server import chromium, running_app
    from bench_data_pages import wait_until_page_finished

    url = f"/inside_the_network?inside_section={quote('2 · Layer by layer')}"
    with running_app(timeout=180) as app, chromium() as browser:
        tab = browser.new_page(viewport={"width": 1280, "height": 720})
        for visit in ("first visit (computes 6 epochs)", "second visit (cached)"):
            start = time.perf_counter()
            tab.goto(app.url + url)
            wait_until_page_finished(tab, "Inside the network", "inside_separation_chart")
            print(f"Layer by layer tab, {visit}: {time.perf_counter() - start:.1f} s to a finished page")
        print(f"server memory after: {app.rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tsne", action="store_true", help="also time t-SNE of every layer (slow)")
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    args = parser.parse_args()
    print(f"load average before: {load()}")
    core_numbers(args.repeats, args.tsne)
    if args.browser:
        browser_numbers()
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
