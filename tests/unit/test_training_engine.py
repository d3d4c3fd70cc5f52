import json
import math
import subprocess
import sys
import threading
import time

import keras
import numpy as np
import pytest
from waiting import wait_for, wait_until_steady

from mnist_core.data.mnist import load_mnist, one_hot
from mnist_core.engine.models import build_model, load_model_bytes, model_to_bytes, to_model_inputs
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import choose_steps_per_execution, train
from mnist_core.jobs.tasks import BackgroundTask, TaskState

SMALL = TrainConfig(epochs=2, batch_size=64, train_limit=2400, seed=7)


def test_streams_batches_and_epochs_to_the_task():
    task = BackgroundTask(lambda control: train(ModelSpec(), SMALL, control=control)).start()
    snapshot = task.join(120)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    detail = snapshot.detail
    assert detail["updates_done"] == detail["updates_total"] == SMALL.gradient_updates_total == 70
    assert len(detail["batches"]["update"]) >= 2
    assert [row["epoch"] for row in detail["epochs"]] == [1, 2]
    assert all(0 <= a <= 1 for a in detail["batches"]["accuracy"])
    result = snapshot.result
    assert result.correct + result.incorrect == 10_000
    assert result.test_accuracy == pytest.approx(result.correct / 10_000, abs=1e-4)
    assert len(result.weight_history) == 3  # before training and after each epoch


def test_same_spec_and_seed_give_the_same_curves():
    first = train(ModelSpec(), SMALL)
    second = train(ModelSpec(), SMALL)
    assert [row["loss"] for row in first.epochs] == [row["loss"] for row in second.epochs]
    assert first.test_accuracy == second.test_accuracy
    other_seed = train(ModelSpec(), TrainConfig(epochs=2, batch_size=64, train_limit=2400, seed=8))
    assert other_seed.epochs[0]["loss"] != first.epochs[0]["loss"]


def test_steps_per_execution_changes_speed_not_results():
    # The engine runs many updates per TensorFlow call; a plain fit runs one. Same numbers.
    (x_train, y_train), _ = load_mnist()
    x, y = x_train[:1280].reshape(-1, 784), one_hot(y_train[:1280])
    weights = []
    for steps in (1, choose_steps_per_execution(64)):
        keras.utils.set_random_seed(3)
        model = build_model(ModelSpec(), steps_per_execution=steps)
        model.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=False)
        weights.append(model.get_weights())
    for plain, fast in zip(*weights, strict=True):
        np.testing.assert_allclose(plain, fast, atol=1e-5)


def test_stop_ends_a_run_within_a_second_and_keeps_the_model():
    config = TrainConfig(epochs=50, batch_size=32, train_limit=20_000)
    task = BackgroundTask(lambda control: train(ModelSpec(), config, control=control)).start()
    wait_for(lambda: task.snapshot().detail.get("updates_done", 0) >= 50, what="50 updates")
    asked = time.monotonic()
    task.stop()
    wait_for(lambda: task.snapshot().detail.get("phase") != "training" or task.snapshot().is_over, 30)
    assert time.monotonic() - asked < 1.0, "the fit did not stop within a second"
    snapshot = task.join(60)
    assert snapshot.state == TaskState.STOPPED
    assert snapshot.result.stopped_early
    assert snapshot.detail["updates_done"] < config.gradient_updates_total


def test_pause_freezes_the_updates():
    config = TrainConfig(epochs=50, batch_size=32, train_limit=20_000)
    task = BackgroundTask(lambda control: train(ModelSpec(), config, control=control)).start()
    wait_for(lambda: task.snapshot().detail.get("updates_done", 0) >= 50, what="50 updates")
    task.pause()
    held = wait_until_steady(lambda: task.snapshot().detail["updates_done"], quiet=0.5)
    time.sleep(0.5)  # a while paused, to see nothing happen in it
    assert task.snapshot().detail["updates_done"] == held
    task.resume()
    wait_for(lambda: task.snapshot().detail["updates_done"] > held, what="an update after resuming")
    task.stop()
    assert task.join(60).is_over


@pytest.mark.parametrize(
    ("spec", "advice"),
    [
        (ModelSpec(optimizer="rmsprop", learning_rate=10.0), "10 times smaller"),
        (ModelSpec(optimizer="sgd", learning_rate=10.0, scale_inputs=False), "scaling"),
    ],
)
def test_a_diverging_run_fails_with_an_explanation(spec, advice):
    task = BackgroundTask(lambda control: train(spec, SMALL, control=control)).start()
    snapshot = task.join(120)
    assert snapshot.state == TaskState.FAILED
    assert "loss exploded" in snapshot.message and "learning rate 10" in snapshot.message
    assert advice in snapshot.message
    assert snapshot.detail.get("updates_done", 0) < SMALL.gradient_updates_total


def test_a_run_that_collapses_to_guessing_finishes_with_a_warning():
    result = train(ModelSpec(optimizer="sgd", learning_rate=10.0), SMALL)
    assert result.test_accuracy < 0.2
    assert "guessing" in result.warning
    assert train(ModelSpec(), SMALL).warning is None


def test_unscaled_inputs_really_feed_0_255():
    unscaled = build_model(ModelSpec(scale_inputs=False))
    assert all(layer.name != "scale_to_0_1" for layer in unscaled.layers)
    images = np.full((1, 28, 28), 255, dtype=np.uint8)
    # Our models, scaled or not, take raw pixels; a foreign model with no marks gets 0-1.
    assert to_model_inputs(unscaled, images).max() == 255.0
    assert to_model_inputs(build_model(ModelSpec()), images).max() == 255.0
    foreign = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    assert to_model_inputs(foreign, images).max() == pytest.approx(1.0)


def test_saved_model_round_trips_and_bad_uploads_are_explained():
    model = build_model(ModelSpec(hidden_units=(8,), dropout=(0.0,)))
    loaded = load_model_bytes(model_to_bytes(model), "mine.keras")
    x = np.random.default_rng(0).integers(0, 256, (3, 784)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    with pytest.raises(ValueError, match=r"notes\.keras is not a \.keras model file"):
        load_model_bytes(b"just some text", "notes.keras")
    wrong = keras.Sequential([keras.Input((784,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="must output 10 class scores"):
        load_model_bytes(model_to_bytes(wrong), "three.keras")
    wrong_input = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="must take 784-long vectors or 28 x 28"):
        load_model_bytes(model_to_bytes(wrong_input), "cifar.keras")


def test_cli_trains_and_ends_with_a_json_line(tmp_path):
    saved = tmp_path / "m.keras"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mnist_core",
            "train",
            "--epochs",
            "1",
            "--train-limit",
            "1200",
            "--save",
            str(saved),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = run.stdout.strip().splitlines()
    assert lines[1].startswith("epoch 1/1")
    summary = json.loads(lines[-1])
    assert {"test_accuracy", "test_loss", "epochs", "train_seconds"} <= summary.keys()
    assert summary["epochs"] == 1 and 0.1 < summary["test_accuracy"] <= 1
    assert saved.stat().st_size > 10_000


def test_cli_info_and_argparse_errors():
    info = subprocess.run(
        [sys.executable, "-m", "mnist_core", "info"], capture_output=True, text=True, check=True
    )
    assert "train_images: [60000, 28, 28]" in info.stdout
    assert "0x00000803" in info.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "mnist_core", "train", "--batch-size", "0"], capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "batch_size must be between 1 and 60000, got 0" in bad.stderr
    too_many = subprocess.run(
        [sys.executable, "-m", "mnist_core", "train", "--epochs", "99"], capture_output=True, text=True
    )
    assert too_many.returncode == 2 and "epochs must be between 1 and 50" in too_many.stderr


def test_progress_snapshots_are_safe_to_read_while_training():
    task = BackgroundTask(lambda control: train(ModelSpec(), SMALL, control=control)).start()
    errors = []

    def reader():
        while not task.snapshot().is_over:
            try:
                detail = task.snapshot().detail
                batches = detail.get("batches", {"update": [], "loss": []})
                assert len(batches["update"]) == len(batches["loss"])
            except AssertionError as error:
                errors.append(error)

    thread = threading.Thread(target=reader)
    thread.start()
    assert task.join(120).is_over
    thread.join(10)
    assert not thread.is_alive() and not errors
    assert all(math.isfinite(v) for v in task.snapshot().detail["batches"]["loss"])


def test_the_engines_own_validation_and_test_scores_are_what_keras_evaluate_gives():
    # The engine validates with one forward pass per epoch instead of Keras's evaluate + predict.
    from mnist_core.engine.training import prepare_data

    config = TrainConfig(epochs=1, batch_size=64, train_limit=2400, seed=7)
    result = train(ModelSpec(), config)
    model = load_model_bytes(model_to_bytes(result.model))
    data = prepare_data(ModelSpec(), config)
    val = model.evaluate(data.x_val, data.y_val, batch_size=1000, verbose=0, return_dict=True)
    assert result.epochs[-1]["val_loss"] == pytest.approx(val["loss"], rel=1e-5)
    assert result.epochs[-1]["val_accuracy"] == pytest.approx(val["accuracy"], abs=1e-6)
    test = model.evaluate(data.x_test, data.y_test, batch_size=1000, verbose=0, return_dict=True)
    assert result.test_loss == pytest.approx(test["loss"], rel=1e-5)
    assert result.test_accuracy == pytest.approx(test["accuracy"], abs=1e-6)
    assert result.confusion_per_epoch[-1].sum() == len(data.x_val)
