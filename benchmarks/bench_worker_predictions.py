"""A drawn digit's prediction answered by a worker process: the server's wait, per stroke.

    .venv/bin/python benchmarks/bench_worker_predictions.py [--strokes 50]

Issue 11 moves Keras out of the Streamlit server: the page sends a ``ModelCall`` (the model by
reference, the 28 x 28 digit) to a worker of the process executor and waits for the ten
probabilities. Target: under 100 ms from submit to answer, as the page waits for it after each
stroke. Timed here, in one run on one machine (medians and 95th percentiles of ``--strokes`` calls):

- the first call on a model (the worker loads it: once per model and worker);
- later calls on the first network, and on a trained run's .keras bytes (the bytes travel with
  each call: the small convnet's file here), and on the same file spooled to disk once (only its
  path travels), while the other worker is idle;
- the same while the other worker trains the first network (two cores, both busy);
- for comparison, the same prediction in this process with the model already loaded (today's
  server does this on the script thread).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mnist_core.data.mnist import load_mnist  # noqa: E402
from mnist_core.engine.default_model import FIRST_NETWORK, SMALL_CONVNET  # noqa: E402
from mnist_core.engine.spec import ModelSpec, TrainConfig  # noqa: E402
from mnist_core.inspect.evaluation import predict_probabilities  # noqa: E402
from mnist_core.jobs.keras_jobs import training_job  # noqa: E402
from mnist_core.jobs.model_jobs import ModelCall, ModelRef  # noqa: E402
from mnist_core.jobs.process_executor import ProcessExecutor, ProcessPoolConfig  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def line(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"{name:58} median {statistics.median(ms):6.1f} ms, p95 {percentile(ms, 0.95):6.1f} ms"


def timed_calls(pool: ProcessExecutor, ref: ModelRef, digit, strokes: int) -> list[float]:
    seconds = []
    for _ in range(strokes):
        started = time.perf_counter()
        snapshot = pool.submit(ModelCall(predict_probabilities, ref, (digit,)), name="predict").join(60)
        seconds.append(time.perf_counter() - started)
        assert snapshot.result.shape == (1, 10), snapshot.message
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=50)
    args = parser.parse_args()
    (_, _), (x_test, _) = load_mnist()
    digit = x_test[:1]
    shipped = ModelRef.of_shipped(FIRST_NETWORK.key)
    run_bytes = ModelRef.of_bytes(SMALL_CONVNET.path.read_bytes())
    spool = Path(tempfile.mkdtemp(prefix="mnist-spool-"))
    run_file = ModelRef.spooled(run_bytes.keras_bytes, spool)

    started = time.perf_counter()
    pool = ProcessExecutor(ProcessPoolConfig(workers=2))
    pool.wait_until_ready(300)
    print(f"2 workers ready in {time.perf_counter() - started:.1f} s (load {os.getloadavg()[0]:.1f})")
    try:
        first = time.perf_counter()
        pool.submit(ModelCall(predict_probabilities, shipped, (digit,))).join(120)
        print(
            f"{'first call on the first network (the worker loads it)':58} {1000 * (time.perf_counter() - first):.0f} ms"
        )
        print(line("first network, other worker idle", timed_calls(pool, shipped, digit, args.strokes)))
        timed_calls(pool, run_bytes, digit, 2)  # both workers may need to load it once
        print(line(f"a run's bytes ({len(run_bytes.keras_bytes) // 1024} KB a call), other worker idle",
                   timed_calls(pool, run_bytes, digit, args.strokes)))  # fmt: skip
        timed_calls(pool, run_file, digit, 2)
        print(
            line(
                "the same run spooled to a file (its path a call)",
                timed_calls(pool, run_file, digit, args.strokes),
            )
        )
        training = pool.submit(training_job(ModelSpec(), TrainConfig(epochs=5, seed=1)), name="train")
        while training.snapshot().state.value not in ("running",):
            time.sleep(0.1)
        time.sleep(3)  # into the fit itself
        print(
            line(
                "first network, while the other worker trains",
                timed_calls(pool, shipped, digit, args.strokes),
            )
        )
        training.stop()
        training.join(30)
    finally:
        pool.shutdown()

    from mnist_core.engine.default_model import load_shipped

    model = load_shipped(FIRST_NETWORK.key)
    predict_probabilities(model, digit)
    local = []
    for _ in range(args.strokes):
        started = time.perf_counter()
        predict_probabilities(model, digit)
        local.append(time.perf_counter() - started)
    print(line("for comparison: in this process, model loaded", local))
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
