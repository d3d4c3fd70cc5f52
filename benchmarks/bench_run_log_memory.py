"""Memory a session's training runs hold: live Keras models (the old way) against the experiment log.

Each way runs in a fresh Python process. It trains RUNS networks one after the other, keeps
every one of them as that way does, and prints the resident memory (RSS) the kept runs add,
measured after garbage collection, relative to the memory after one warm-up run that is then
let go (so TensorFlow's own start-up is not counted); the RSS added by each run once 4 are
kept (the steady state of a long lecture); the Python-side bytes tracemalloc sees (NumPy
arrays: the weight histories); and the size of one .keras file. The old way capped the list
at 6 runs; "old" here keeps all RUNS, which is what keeping every run would have cost.

    .venv/bin/python benchmarks/bench_run_log_memory.py [deeper-network|first-network] [runs]
"""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import gc, sys, tracemalloc
from dataclasses import replace
from mnist_core.data.mnist import load_mnist
from mnist_core.engine.spec import PRESETS, TrainConfig
from mnist_core.jobs.tasks import TaskState
from mnist_core.engine.training import train

way, preset, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
spec = PRESETS[preset].model
config = TrainConfig(epochs=5, batch_size=128, train_limit=6000)
data = load_mnist()

def rss():
    gc.collect()
    with open("/proc/self/status") as status:  # Linux: the resident set, now (not the peak)
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

warm = train(spec, config, mnist=data)
del warm
start = rss()
tracemalloc.start()
kept = []
from ui.training_runs import FinishedRun, keep_log_small
for number in range(1, runs + 1):
    result = train(spec, replace(config, seed=number), mnist=data)
    if way == "old":
        kept.append(result)  # the live model and the weight history, as FinishedRun kept them
    else:
        kept.append(FinishedRun(number, result, {"update": [], "loss": [], "accuracy": []}, TaskState.FINISHED))
        keep_log_small(kept, baseline=1)
    del result
    if number == 4:
        at_four = rss()
python_bytes = tracemalloc.get_traced_memory()[0]
end = rss()
added = end - start
marginal = (end - at_four) / (runs - 4)
with_model = [run for run in kept if getattr(run, "keras_bytes", None)]
file_mb = len(with_model[-1].keras_bytes) / 2**20 if with_model else float("nan")
print(f"{way}: {len(kept)} runs kept ({len(with_model) if way == 'new' else len(kept)} with a model), "
      f"RSS +{added:.0f} MB ({added / len(kept):.1f} MB per kept run; {marginal:.1f} MB per run after the 4th), "
      f"Python-side "
      f"{python_bytes / 2**20:.0f} MB, one .keras file {file_mb:.1f} MB")
"""


def main() -> None:
    preset = sys.argv[1] if len(sys.argv) > 1 else "deeper-network"
    runs = sys.argv[2] if len(sys.argv) > 2 else "8"
    print(f"{preset}, {runs} runs of 5 epochs on 6,000 images")
    for way in ("old", "new"):
        output = subprocess.run(
            [sys.executable, "-c", CHILD, way, preset, runs], capture_output=True, text=True, check=True
        )
        print(output.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
