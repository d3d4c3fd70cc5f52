"""How long a training run takes: a cost model of the engine, calibrated by the server's own speed.

The cost model counts what a run does (multiply-adds per image, gradient updates, validation and
test passes) and prices each on this project's 2-core machines. A server is rarely exactly that
machine, so ``SpeedCalibration`` keeps the ratio of the speed it measured to the model's price:
once from a small timing when the server first needs an estimate, then from the first updates of
every run it trains. Nothing here imports Keras except ``measure_speed``.
"""

from __future__ import annotations

import statistics
import threading
from collections import deque
from dataclasses import dataclass

from mnist_core.data.mnist import N_CLASSES, N_PIXELS
from mnist_core.engine.spec import ModelSpec, TrainConfig

TEST_IMAGES = 10_000
TEST_PASSES = 2  # evaluate for the loss, predict for the counts
VALIDATION_BATCH = 1_000  # the confusion matrix's pass over the validation images


@dataclass(frozen=True)
class CostModel:
    """Seconds per unit of work of ``mnist_core.engine.training.train``, on this project's 2-core machines."""

    # Fitted to benchmarks/bench_estimates.py's runs on this project's machine at load 2.7-5
    # (2026-12-01): the engine's own measured time per update, and each run's time in all.
    seconds_per_multiply_add: float = 9.5e-11  # dense layers, one image forward + backward
    seconds_per_conv_multiply_add: float = 3.5e-10  # a conv multiply-add, forward + backward
    seconds_per_update: float = 3.0e-4  # fixed cost of one gradient update, whatever its size
    seconds_per_forward_batch: float = 2.0e-4  # fixed cost of one batch of a validation or test pass
    seconds_per_epoch: float = 0.25  # an epoch's own overhead: validation set-up, weights kept, callbacks
    forward_share: float = 1 / 3  # a forward pass alone costs about a third of forward + backward
    seconds_to_start: float = 1.0  # splitting the data, building the model, tracing its graphs


BUILT_IN = CostModel()


def multiply_adds(spec: ModelSpec) -> tuple[int, int]:
    """(dense, conv) multiply-adds of one image's forward pass."""
    if spec.architecture == "convnet":
        conv = 26 * 26 * 9 * spec.conv_filters
        dense = 13 * 13 * spec.conv_filters * spec.conv_dense_units + spec.conv_dense_units * N_CLASSES
        return dense, conv
    widths = (N_PIXELS, *spec.hidden_units, N_CLASSES)
    return sum(a * b for a, b in zip(widths, widths[1:])), 0


def seconds_per_image(spec: ModelSpec, cost: CostModel = BUILT_IN) -> float:
    """One image through forward and backward passes."""
    dense, conv = multiply_adds(spec)
    return dense * cost.seconds_per_multiply_add + conv * cost.seconds_per_conv_multiply_add


def seconds_per_update(spec: ModelSpec, config: TrainConfig, cost: CostModel = BUILT_IN) -> float:
    """One gradient update: a batch forward and backward, and the update itself."""
    return config.batch_size * seconds_per_image(spec, cost) + cost.seconds_per_update


def _forward_pass_seconds(spec: ModelSpec, images: int, batch_size: int, cost: CostModel) -> float:
    batches = -(-images // batch_size)
    return (
        images * seconds_per_image(spec, cost) * cost.forward_share + batches * cost.seconds_per_forward_batch
    )


def estimate_training_seconds(spec: ModelSpec, config: TrainConfig, cost: CostModel = BUILT_IN) -> float:
    """Seconds from Train to the test result: start, every epoch with its validation, the test passes.

    Parameters
    ----------
    spec, config : ModelSpec, TrainConfig
    cost : CostModel
        The prices; the built-in ones are this project's 2-core machines.
    """
    validation_images = config.holdout_size or TEST_IMAGES
    per_epoch = (
        cost.seconds_per_epoch
        + config.gradient_updates_per_epoch * seconds_per_update(spec, config, cost)
        + _forward_pass_seconds(spec, validation_images, config.batch_size, cost)  # Keras's validation
        + _forward_pass_seconds(spec, validation_images, VALIDATION_BATCH, cost)  # the confusion matrix
    )
    test = TEST_PASSES * _forward_pass_seconds(spec, TEST_IMAGES, VALIDATION_BATCH, cost)
    return cost.seconds_to_start + config.epochs * per_epoch + test


SPEED_SPEC = ModelSpec()  # the first network: what a server times when it starts
SPEED_CONFIG = TrainConfig(epochs=1, batch_size=128, train_limit=12_000, validation_size=1_000, seed=0)
KEPT_MEASUREMENTS = 8
PRIOR_UNTIL = 3  # measurements from which the built-in speed no longer counts as one of them
MIN_FACTOR, MAX_FACTOR = 0.1, 20.0  # a measurement outside this says more about a hiccup than the machine


def measure_speed(mnist=None) -> float:
    """Time a small run of the engine: its real time over the built-in estimate (1.0: as fast as ours).

    The run is made twice and the second is timed: a fresh process pays many seconds to set
    TensorFlow up on its first run, a cost no later run on the server pays again.

    Returns
    -------
    float
        About 1.0 on this project's machines when quiet, 2.0 on a machine twice as slow.
    """
    import time

    from mnist_core.engine.training import train

    train(SPEED_SPEC, SPEED_CONFIG, mnist=mnist)
    started = time.perf_counter()
    train(SPEED_SPEC, SPEED_CONFIG, mnist=mnist)
    factor = (time.perf_counter() - started) / estimate_training_seconds(SPEED_SPEC, SPEED_CONFIG)
    return min(max(factor, MIN_FACTOR), MAX_FACTOR)


class SpeedCalibration:
    """A server's speed relative to the built-in cost model, from its own runs; thread-safe.

    Each finished run leaves the ratio of its real time to the built-in estimate. An estimate
    uses the median of the latest ratios of runs of the same architecture (or of any run, before
    one of that architecture has trained). While there are fewer than three, the built-in speed
    (1.0) counts as one more: one run slowed by a busy moment, or one hurried timing, cannot
    swing an estimate alone, and from three on the server's own runs decide.
    """

    def __init__(self, initial_factor: float | None = None):
        self._lock = threading.Lock()
        self._factors: dict[str, deque] = {}
        self.runs = 0  # runs of this server that were measured
        self.timed = False  # the server's own small timing is in
        if initial_factor is not None:
            self.add_timing(initial_factor)

    def add_timing(self, factor: float) -> None:
        """Keep the factor of ``measure_speed``: the best guess until a run has been measured."""
        self._add("timing", factor)
        self.timed = True

    def _add(self, kind: str, factor: float) -> None:
        with self._lock:
            self._factors.setdefault(kind, deque(maxlen=KEPT_MEASUREMENTS)).append(
                min(max(factor, MIN_FACTOR), MAX_FACTOR)
            )

    def record_run(self, spec: ModelSpec, config: TrainConfig, seconds: float) -> None:
        """Keep a finished run's real time, from Train to its test result."""
        if not seconds or seconds <= 0:
            return
        self._add(spec.architecture, seconds / estimate_training_seconds(spec, config))
        with self._lock:
            self.runs += 1

    def factor_for(self, architecture: str) -> float:
        with self._lock:
            same = self._factors.get(architecture)
            values = list(same) if same else [f for kept in self._factors.values() for f in kept]
        return statistics.median(values if len(values) >= PRIOR_UNTIL else [1.0, *values])

    @property
    def speed_factor(self) -> float:
        return self.factor_for("dense")

    def estimate(self, spec: ModelSpec, config: TrainConfig) -> float:
        """``estimate_training_seconds`` at this server's measured speed."""
        return estimate_training_seconds(spec, config) * self.factor_for(spec.architecture)
