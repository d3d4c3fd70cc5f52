"""The time estimate Build & Train shows before a run, against the run's real time, in one run on one machine.

    .venv/bin/python benchmarks/bench_estimates.py

Five runs, as a lecture has them: the four presets of Build & Train and the first network at batch 10
for one epoch. Each is trained by the engine in a background task, as the page does, and timed from
start to its result (data split, model build, fit, test evaluation). Two estimates are compared
with it: the built-in one (this project's 2-core machines) and the one a server calibrates from its
own speed (``SpeedCalibration``: a small timing when the server starts, and then the first updates
of each run). Done means every calibrated estimate (the one the page shows once the server's
timing is in, a few seconds after its first visit) within 30% of the real time. Run it on a quiet machine and
report the load average it prints: the estimate is of the machine as it is at that moment.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mnist_core.data.mnist import load_mnist  # noqa: E402
from mnist_core.engine.estimates import (  # noqa: E402
    SpeedCalibration,
    estimate_training_seconds,
    measure_speed,
)
from mnist_core.engine.spec import PRESETS, TrainConfig  # noqa: E402
from mnist_core.engine.training import train  # noqa: E402
from mnist_core.jobs.tasks import BackgroundTask  # noqa: E402

TOLERANCE = 0.30
CASES = [
    *((preset.title, preset.model, preset.train) for preset in PRESETS.values()),
    (
        "First network, batch 10, 1 epoch",
        PRESETS["first-network"].model,
        TrainConfig(epochs=1, batch_size=10),
    ),
]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    mnist = load_mnist()
    print(f"load average before: {load_average()}")
    started = time.perf_counter()
    calibration = SpeedCalibration(measure_speed(mnist))
    print(
        f"server timing: {time.perf_counter() - started:.1f} s, speed factor {calibration.speed_factor:.2f}"
    )
    rows, worst = [], 0.0
    for title, spec, config in CASES:
        built_in = estimate_training_seconds(spec, config)
        calibrated = calibration.estimate(spec, config)
        task = BackgroundTask(lambda control, s=spec, c=config: train(s, c, control=control, mnist=mnist))
        began = time.perf_counter()
        snapshot = task.start().join()
        actual = time.perf_counter() - began
        assert snapshot.result is not None, snapshot.message
        calibration.record_run(spec, config, actual)
        ratios = (built_in / actual, calibrated / actual)
        worst = max(worst, abs(ratios[1] - 1))  # the calibrated estimate is the one the page shows
        rows.append((title, actual, built_in, ratios[0], calibrated, ratios[1]))
        print(
            f"{title:55s} actual {actual:6.1f} s · built-in {built_in:6.1f} s ({ratios[0]:.2f}) · "
            f"calibrated {calibrated:6.1f} s ({ratios[1]:.2f}) · fit {snapshot.result.train_seconds:.1f} s, "
            f"{1000 * (snapshot.detail.get('seconds_per_update') or 0):.2f} ms an update · load {load_average()}",
            flush=True,
        )
    print(f"load average after: {load_average()}")
    print(f"worst calibrated estimate off by {worst:.0%} (allowed {TOLERANCE:.0%})")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    raise SystemExit(main())
