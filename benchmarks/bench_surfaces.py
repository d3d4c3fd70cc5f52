"""How live the Loss surface page is: the optimizer race, and a 21 x 21 landscape of the first network.

Run from the repository root:  python benchmarks/bench_surfaces.py
Prints medians; the race must recompute 4 paths x 200 steps in under 100 ms after a
slider move, and both 21 x 21 landscape grids of the first network must finish in under 30 s.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mnist_core import surfaces  # noqa: E402


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


def main() -> None:
    print("Race: 4 optimizers x 200 steps, paths + losses (median of 30)")
    for surface in surfaces.SURFACES:
        print(f"  {surface:<11} {median_ms(lambda s=surface: race(s), 30):7.2f} ms   (budget 100 ms)")

    from mnist_core.landscape import LandscapeSettings, compute_landscape
    from mnist_core.spec import ModelSpec, TrainConfig
    from mnist_core.training import prepare_data, train

    spec, config = ModelSpec(), TrainConfig(epochs=3, train_limit=12_000, validation_size=2_000)
    started = time.perf_counter()
    result = train(spec, config)
    print(
        f"\nQuick first network (784-32-10, 3 epochs, 10,000 images): {time.perf_counter() - started:.1f} s"
    )
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


if __name__ == "__main__":
    main()
