"""Plain Keras script vs the app's engine, on the first network, in one run on one machine.

    .venv/bin/python benchmarks/bench_training.py [--repeats 3]

Both fit 784-32-10 (RMSProp, batch 128, 5 epochs, the test set as validation data, seed 42),
alternating, and the medians of their fit times are compared. The engine also reports how
often it streamed progress (chart updates per second), which the page needs to feel live.
Machines here are noisy: read the ratio and the medians, not one run.

Then the same engine run once as a job on the process executor (``mnist_core.jobs``), which
the app is moving to: the worker's start (spawn + importing Keras, paid once per worker and
hidden from a student because workers start with the server) is reported apart from the
job's fit time and from what the job layer adds around it (pickling, the pipe, saving the
``.keras`` bytes). ``--skip-process`` leaves it out.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from mnist_core.data.mnist import load_mnist  # noqa: E402
from mnist_core.engine.spec import ModelSpec, TrainConfig  # noqa: E402
from mnist_core.engine.training import train  # noqa: E402
from mnist_core.jobs.tasks import BackgroundTask  # noqa: E402

EPOCHS, BATCH_SIZE, SEED = 5, 128, 42


def plain_keras_script() -> tuple[float, float]:
    """The lesson's script as a student writes it: float32 0-1 arrays, to_categorical, fit."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train = x_train.reshape(60000, 784).astype("float32") / 255
    x_test = x_test.reshape(10000, 784).astype("float32") / 255
    y_train, y_test = keras.utils.to_categorical(y_train, 10), keras.utils.to_categorical(y_test, 10)
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(0.001), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    started = time.perf_counter()
    history = model.fit(
        x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, validation_data=(x_test, y_test), verbose=0
    )
    return time.perf_counter() - started, history.history["val_accuracy"][-1]


def engine() -> tuple[float, float, float]:
    """The app's engine on the same work; returns fit seconds, val accuracy, updates per second."""
    config = TrainConfig(epochs=EPOCHS, batch_size=BATCH_SIZE, validation="test", seed=SEED)
    task = BackgroundTask(lambda control: train(ModelSpec(), config, control=control)).start()
    snapshot = task.join()
    result = snapshot.result
    reports = len(snapshot.detail["batches"]["update"])
    return result.train_seconds, result.epochs[-1]["val_accuracy"], reports / result.train_seconds


def process_executor_run() -> None:
    """One engine run as a job in a worker process: worker start vs fit vs the job layer's overhead."""
    from mnist_core.jobs.keras_jobs import training_job
    from mnist_core.jobs.process_executor import ProcessExecutor, ProcessPoolConfig

    config = TrainConfig(epochs=EPOCHS, batch_size=BATCH_SIZE, validation="test", seed=SEED)
    spawned = time.perf_counter()
    pool = ProcessExecutor(ProcessPoolConfig(workers=1))
    pool.wait_until_ready()
    ready = time.perf_counter()
    worker = pool.workers_info()[0]
    submitted = time.perf_counter()
    snapshot = pool.submit(training_job(ModelSpec(), config)).join()
    wall = time.perf_counter() - submitted
    pool.shutdown()
    run, timings = snapshot.result, snapshot.result.timings
    print(
        f"process executor: worker start {ready - spawned:.2f} s (spawn, import Keras, read MNIST; "
        f"{worker['data_seconds']:.2f} s of it reading MNIST), "
        f"then the job {wall:.2f} s from submit to result: fit {run.train_seconds:.2f} s, "
        f"data {timings['data_seconds']:.2f} s, build + fit + evaluate {timings['train_call_seconds']:.2f} s, "
        f"save .keras {timings['save_seconds']:.2f} s, job layer (pickle, pipe) "
        f"{wall - timings['total_seconds']:.2f} s; val acc {run.epochs[-1]['val_accuracy']:.4f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-process", action="store_true", help="leave out the process executor run")
    arguments = parser.parse_args()
    repeats = arguments.repeats
    load_mnist()
    plain_times, engine_times, rates = [], [], []
    for index in range(repeats):
        plain_seconds, plain_accuracy = plain_keras_script()
        engine_seconds, engine_accuracy, rate = engine()
        plain_times.append(plain_seconds)
        engine_times.append(engine_seconds)
        rates.append(rate)
        print(
            f"run {index + 1}: plain {plain_seconds:.2f} s (val acc {plain_accuracy:.4f}) | "
            f"engine {engine_seconds:.2f} s (val acc {engine_accuracy:.4f}, {rate:.1f} chart updates/s)",
            flush=True,
        )
    plain, fast = statistics.median(plain_times), statistics.median(engine_times)
    print(f"median fit: plain Keras {plain:.2f} s, engine {fast:.2f} s, speed-up x{plain / fast:.2f}")
    print(f"median chart updates per second while training: {statistics.median(rates):.1f}")
    if not arguments.skip_process:
        process_executor_run()
    print(f"cpu count {os.cpu_count()}, numpy {np.__version__}, keras {keras.__version__}")


if __name__ == "__main__":
    main()
