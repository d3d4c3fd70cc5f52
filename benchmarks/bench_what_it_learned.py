"""How fast the "What it learned" page computes its views, with both shipped models.

    .venv/bin/python benchmarks/bench_what_it_learned.py [--repeats 7]

1. Saliency plus occlusion for one test image (the "Where it looks" tab: one gradient, then 7 x 7 + 4
   ... = 144 covered copies of the image in one forward pass with the default 6 x 6 square, stride 2).
   Target: under 300 ms.
2. The robustness curves over 1,000 test images: 13 rotations and 9 noise levels, 22,000 images
   transformed and predicted. Target: under 3 s (they run as a background task on the page anyway).
3. For the record: one adversarial nudge, and switching 8 units off with accuracy over the 1,000 images.

Each timing is repeated on different test images after one warm-up run (Keras traces its functions on
the first call). The machine is shared and noisy: read the medians, and the load average printed with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mnist_core.data.mnist import load_mnist  # noqa: E402
from mnist_core.engine.default_model import SHIPPED_MODELS, load_shipped  # noqa: E402
from mnist_core.inspect import (
    ablation,  # noqa: E402
    adversarial,
    attribution,
    robustness,
)
from mnist_core.inspect.layer_chain import chain  # noqa: E402

TARGETS = {"saliency + occlusion": 0.300, "robustness curves": 3.0}


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cases(model, x_test, y_test, images, labels) -> dict:
    """Each view's work for test image ``i``, and how many repeats one timing of it stands for."""
    layers = chain(model)
    hidden = ablation.hidden_layers(layers)[-1]

    def look(i):
        digit = int(y_test[i])
        attribution.saliency(model, x_test[i], digit)
        attribution.occlusion(model, x_test[i], digit)

    return {
        "saliency + occlusion": (look, 1),
        "robustness curves": (lambda i: robustness.robustness_curves(model, images, labels), 3),
        "adversarial nudge": (lambda i: adversarial.nudge(model, x_test[i], (int(y_test[i]) + 3) % 10), 1),
        "8 units off, 1,000 images": (
            lambda i: ablation.probabilities_without(model, layers, hidden, range(8), images),
            1,
        ),
    }


def timings(work, count: int) -> list[float]:
    work(0)  # warm-up: the first call traces Keras's functions
    return [timed(lambda i=i: work(i + 1)) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    _, (x_test, y_test) = load_mnist()
    sample = robustness.curve_sample(len(x_test))
    images, labels = x_test[sample], y_test[sample]
    print(f"load average before: {load()} ({os.cpu_count()} cores)")
    failed = []
    for shipped in SHIPPED_MODELS:
        model = load_shipped(shipped.key)
        print(f"\n{shipped.key}: {shipped.label}")
        for name, (work, runs_per_repeat) in cases(model, x_test, y_test, images, labels).items():
            count = max(3, repeats // runs_per_repeat)
            seconds = timings(work, count)
            median = statistics.median(seconds)
            target = TARGETS.get(name)
            verdict = (
                "" if target is None else ("  ok" if median < target else f"  OVER the {target:g} s target")
            )
            if target is not None and median >= target:
                failed.append(f"{shipped.key}: {name}")
            print(
                f"  {name:28s} median {median * 1000:8.1f} ms  (min {min(seconds) * 1000:.1f}, "
                f"max {max(seconds) * 1000:.1f}, n={count}){verdict}"
            )
    print(f"\nload average after: {load()}")
    if failed:
        print("over target: " + ", ".join(failed))


if __name__ == "__main__":
    main()
