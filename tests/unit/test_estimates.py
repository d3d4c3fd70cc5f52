"""The time estimate: its cost model adds up, and a server's own runs calibrate it."""

import math

import pytest

from mnist_core.engine.estimates import (
    BUILT_IN,
    MAX_FACTOR,
    TEST_IMAGES,
    SpeedCalibration,
    estimate_training_seconds,
    multiply_adds,
)
from mnist_core.engine.spec import PRESETS, ModelSpec, TrainConfig


def test_the_estimate_adds_start_epochs_and_the_test_passes():
    spec, config = ModelSpec(), TrainConfig()
    assert multiply_adds(spec) == (784 * 32 + 32 * 10, 0)
    per_image = (784 * 32 + 32 * 10) * BUILT_IN.seconds_per_multiply_add

    def forward(images, batch):
        return (
            images * per_image * BUILT_IN.forward_share
            + math.ceil(images / batch) * BUILT_IN.seconds_per_forward_batch
        )

    per_epoch = (
        BUILT_IN.seconds_per_epoch
        + 430 * (128 * per_image + BUILT_IN.seconds_per_update)
        + forward(5_000, 128)
        + forward(5_000, 1_000)
    )
    by_hand = BUILT_IN.seconds_to_start + 5 * per_epoch + 2 * forward(TEST_IMAGES, 1_000)
    assert estimate_training_seconds(spec, config) == pytest.approx(by_hand)
    convnet = PRESETS["convnet"]
    assert multiply_adds(convnet.model) == (13 * 13 * 32 * 100 + 100 * 10, 26 * 26 * 9 * 32)


def test_a_servers_runs_calibrate_its_estimates():
    spec, config = ModelSpec(), TrainConfig(epochs=1)
    calibration = SpeedCalibration()
    built_in = estimate_training_seconds(spec, config)
    assert calibration.estimate(spec, config) == built_in  # nothing measured yet
    # This server is twice as slow; the built-in speed counts as one measurement beside it.
    calibration.record_run(spec, config, 2 * built_in)
    assert calibration.estimate(spec, config) == pytest.approx(1.5 * built_in)
    calibration.record_run(spec, config, 2 * built_in)
    assert calibration.estimate(spec, config) == pytest.approx(2 * built_in)
    convnet = PRESETS["convnet"]
    convnet_built_in = estimate_training_seconds(convnet.model, convnet.train)
    # No convnet has run here yet: the dense runs' speed is the best guess.
    assert calibration.estimate(convnet.model, convnet.train) == pytest.approx(2 * convnet_built_in)
    calibration.record_run(convnet.model, convnet.train, 3 * convnet_built_in)
    assert calibration.estimate(convnet.model, convnet.train) == pytest.approx(2 * convnet_built_in)
    # One run slowed by a busy moment does not swing the median of the runs before it.
    calibration.record_run(spec, config, 500 * built_in)
    assert calibration.estimate(spec, config) == pytest.approx(2 * built_in)
    assert calibration.runs == 4
    timed = SpeedCalibration(initial_factor=1e6)  # a hiccup is capped, and weighed against the built-in
    assert timed.timed and timed.speed_factor == pytest.approx((1 + MAX_FACTOR) / 2)
