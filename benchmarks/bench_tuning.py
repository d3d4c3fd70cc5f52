"""How long lesson 7's grid search takes on the default subset, and the lesson's single MLP fit.

Run from the repository root:
    python benchmarks/bench_tuning.py                 # 3 repeats of the default grid
    python benchmarks/bench_tuning.py --samples 60000 --repeats 1
Prints medians: the whole grid (9 networks, validation split, one test evaluation),
each network's fit, and MLPClassifier(hidden_layer_sizes=(50,), max_iter=10,
random_state=1) on all 60,000 training images.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mnist_core.data.mnist import load_mnist  # noqa: E402
from mnist_core.scikit.sklearn_models import MLPSettings, train_mlp  # noqa: E402
from mnist_core.scikit.tuning import DEFAULT_GRID_SAMPLES, GridSpec, run_grid  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--samples", type=int, default=DEFAULT_GRID_SAMPLES, help="training images for the grid"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-lesson", action="store_true", help="skip the 60,000-image lesson fit")
    args = parser.parse_args()

    mnist = load_mnist()
    spec = GridSpec(train_samples=args.samples)
    grid_seconds, fit_seconds, results = [], {}, []
    for repeat in range(args.repeats):
        started = time.perf_counter()
        result = run_grid(spec, mnist)
        grid_seconds.append(time.perf_counter() - started)
        results.append(result)
        for candidate in result.candidates:
            fit_seconds.setdefault(candidate.label, []).append(candidate.fit_seconds)
        print(
            f"repeat {repeat + 1}: grid {grid_seconds[-1]:.1f} s, winner {result.reported.label}", flush=True
        )

    same = all(
        [c.validation_accuracy for c in r.candidates]
        == [c.validation_accuracy for c in results[0].candidates]
        for r in results
    )
    print(
        f"\nGrid of {len(spec.candidates)} on {args.samples:,} images ({spec.fit_size:,} fit + "
        f"{spec.validation_size:,} validation), max_iter {spec.max_iter}:"
    )
    print(
        f"  median {statistics.median(grid_seconds):.1f} s over {args.repeats} runs "
        f"(min {min(grid_seconds):.1f}, max {max(grid_seconds):.1f}); identical results every run: {same}"
    )
    for label, seconds in fit_seconds.items():
        accuracy = next(c.validation_accuracy for c in results[0].candidates if c.label == label)
        print(
            f"  {label:28s} fit median {statistics.median(seconds):5.1f} s   validation accuracy {accuracy:.4f}"
        )
    best = results[0]
    print(
        f"  winner {best.reported.label}: test accuracy {best.winner_test_accuracy:.4f} (test set used once)"
    )

    if not args.skip_lesson:
        started = time.perf_counter()
        run = train_mlp(MLPSettings(), mnist)
        total = time.perf_counter() - started
        print(
            f"\n{MLPSettings().code()} on 60,000 images: fit {run.train_seconds:.1f} s "
            f"({total:.1f} s with scoring), training accuracy {run.train_accuracy:.4f}, "
            f"test accuracy {run.test_accuracy:.4f}"
        )


if __name__ == "__main__":
    main()
