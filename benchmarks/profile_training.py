"""Where the engine's time goes on the first network's 5 epochs, beyond the arithmetic.

    .venv/bin/python benchmarks/profile_training.py [--top 25]

The first network (784-32-10, batch 128, 5 epochs, the test set as validation) is about
41 GFLOP of training arithmetic: well under a second on two cores. This script times
the same run split into its parts (fit without validation, the validation passes,
the progress callback, the test evaluation), then profiles one whole ``train`` call
with cProfile and prints the functions with the most time of their own.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402

from mnist_core.data.mnist import load_mnist  # noqa: E402
from mnist_core.engine.spec import ModelSpec, TrainConfig, multiply_adds_per_image  # noqa: E402
from mnist_core.engine.training import build_model_for_training, prepare_data, train  # noqa: E402

EPOCHS, BATCH_SIZE, SEED = 5, 128, 42


def timed_fit(data, config, validation: bool, callbacks=(), model=None) -> float:
    keras.utils.set_random_seed(SEED)
    model = model or build_model_for_training(ModelSpec(), config)
    started = time.perf_counter()
    model.fit(
        data.x_train,
        data.y_train,
        batch_size=BATCH_SIZE,
        epochs=EPOCHS,
        validation_data=(data.x_val, data.y_val) if validation else None,
        callbacks=list(callbacks),
        verbose=0,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=25)
    top = parser.parse_args().top
    config = TrainConfig(epochs=EPOCHS, batch_size=BATCH_SIZE, validation="test", seed=SEED)
    spec = ModelSpec()
    data = prepare_data(spec, config, load_mnist())
    flops = 6 * multiply_adds_per_image(spec) * len(data.x_train) * EPOCHS  # forward 2, backward 4 per MAC
    print(f"training arithmetic: {flops / 1e9:.1f} GFLOP (6 x multiply-adds x images x epochs)")
    train(spec, TrainConfig(epochs=1, train_limit=2000, seed=SEED), mnist=load_mnist())  # warm up TensorFlow

    from mnist_core.engine.training import make_progress_callback

    model = build_model_for_training(spec, config)
    parts = {
        "fit + validation, a new model (traces its graphs)": timed_fit(data, config, True, model=model),
        "the same fit again on that model (graphs traced)": timed_fit(data, config, True, model=model),
        "fit, no validation, no callback": timed_fit(data, config, validation=False),
        "fit + validation, no callback": timed_fit(data, config, validation=True),
        "fit + validation + the engine's progress callback": timed_fit(
            data, config, validation=True, callbacks=[make_progress_callback(spec, config, None)]
        ),
    }
    for name, seconds in parts.items():
        print(f"{name:55s} {seconds:6.2f} s", flush=True)
    started = time.perf_counter()
    profile = cProfile.Profile()
    profile.enable()
    result = train(spec, config, mnist=load_mnist())
    profile.disable()
    print(
        f"whole train() call: {time.perf_counter() - started:.2f} s, of which fit {result.train_seconds:.2f} s"
    )
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"cpu count {os.cpu_count()}, keras {keras.__version__}")


if __name__ == "__main__":
    main()
