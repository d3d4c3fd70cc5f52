"""The experiment log's core: settings, labels, branches from the same start, the model cache."""

import csv
import io

import numpy as np
import pytest
from recording_control import RecordingControl

from mnist_core.engine.experiments import (
    LogRow,
    ModelBytesCache,
    differences,
    initial_weights,
    log_csv,
    run_label,
    run_settings,
    same_weight_shapes,
)
from mnist_core.engine.models import build_model, model_to_bytes
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import train

SMALL = TrainConfig(epochs=2, batch_size=64, train_limit=2400, seed=7)


def train_recorded(spec, config, **kwargs):
    control = RecordingControl()
    result = train(spec, config, control=control, **kwargs)
    return result, control.detail["batches"]


def test_two_branches_with_no_change_give_identical_curves():
    start = initial_weights(ModelSpec(), SMALL.seed)
    first, first_batches = train_recorded(ModelSpec(), SMALL, initial_weights=start)
    second, second_batches = train_recorded(ModelSpec(), SMALL, initial_weights=start)
    assert first.epochs and len(first_batches["loss"]) >= 2
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert [row[key] for row in first.epochs] == [row[key] for row in second.epochs]
    assert first_batches == second_batches
    assert first.test_accuracy == second.test_accuracy
    for a, b in zip(first.weight_history[-1], second.weight_history[-1]):
        np.testing.assert_array_equal(a, b)
    # ...and they start exactly where a plain run of the same seed starts.
    plain = train(ModelSpec(), SMALL)
    assert [row["loss"] for row in plain.epochs] == [row["loss"] for row in first.epochs]


def test_a_dropout_branch_starts_from_the_baselines_weights_a_plain_run_does_not():
    baseline_spec = ModelSpec(hidden_units=(32, 16), dropout=(0.0, 0.0))
    changed = ModelSpec(hidden_units=(32, 16), dropout=(0.3, 0.0))
    config = TrainConfig(epochs=1, batch_size=256, train_limit=600, seed=3)
    baseline = train(baseline_spec, config)
    branch = train(changed, config, initial_weights=initial_weights(baseline_spec, config.seed))
    plain = train(changed, config)
    for a, b in zip(baseline.weight_history[0], branch.weight_history[0]):
        np.testing.assert_array_equal(a, b)
    # The Dropout layer draws a seed when built, which shifts the next layers' initial weights.
    assert not all(np.array_equal(a, b) for a, b in zip(baseline.weight_history[0], plain.weight_history[0]))


def test_a_branch_sees_the_batches_in_the_baselines_order():
    # With a learning rate this small the weights barely move, so each batch's loss is set by
    # which images it holds: equal batch losses mean the same batches in the same order.
    spec = ModelSpec(hidden_units=(32,), dropout=(0.0,), optimizer="sgd", learning_rate=1e-9)
    config = TrainConfig(epochs=1, batch_size=8, train_limit=1200, seed=5)
    start = initial_weights(spec, config.seed)
    _, baseline = train_recorded(spec, config, initial_weights=start)
    _, slower = train_recorded(
        ModelSpec(hidden_units=(32,), dropout=(0.0,), optimizer="sgd", learning_rate=2e-9),
        config,
        initial_weights=start,
    )
    np.testing.assert_allclose(slower["loss"], baseline["loss"], atol=1e-5)
    reseeded = TrainConfig(epochs=1, batch_size=8, train_limit=1200, seed=6)
    _, other_order = train_recorded(spec, reseeded, initial_weights=start)
    assert np.max(np.abs(np.array(other_order["loss"]) - np.array(baseline["loss"]))) > 1e-3


def test_settings_name_every_difference_and_labels_are_unique():
    base = run_settings(ModelSpec(), TrainConfig())
    quick = run_settings(ModelSpec(), TrainConfig(epochs=1, batch_size=10))
    dropped = run_settings(ModelSpec(dropout=(0.2,)), TrainConfig())
    assert differences(quick, base) == {"epochs": "1", "batch size": "10"}
    assert differences(dropped, base) == {"dropout": "0.2"}
    assert differences(base, base) == {}
    labels = [
        run_label(1, {}, True, base),
        run_label(2, differences(quick, base), False, quick),
        run_label(3, {}, False, base),
        run_label(4, {}, False, base),
    ]
    assert labels[1] == "Run 2: epochs 1, batch size 10"
    assert labels[3] == "Run 4: same settings"
    assert "batch 128" in labels[0] and "5 epochs" in labels[0]
    assert len(set(labels)) == len(labels)


def test_weight_shapes_depend_on_the_layers_only():
    assert same_weight_shapes(ModelSpec(), ModelSpec(dropout=(0.5,), activation="tanh", optimizer="adam"))
    assert not same_weight_shapes(ModelSpec(), ModelSpec(hidden_units=(64,)))
    assert not same_weight_shapes(ModelSpec(), ModelSpec(architecture="convnet", hidden_units=(), dropout=()))


def test_the_log_downloads_as_csv_with_every_setting():
    settings = run_settings(ModelSpec(), TrainConfig())
    rows = [
        LogRow(1, "Run 1 (baseline): ...", True, {}, settings, 0.95, 0.17, 12.3, 2150),
        LogRow(2, "Run 2: batch size 10", False, {"batch size": "10"}, settings, 0.9612, 0.13, 40.0, 5500),
    ]
    parsed = list(csv.DictReader(io.StringIO(log_csv(rows))))
    assert [row["run"] for row in parsed] == ["1", "2"]
    assert parsed[1]["changed from baseline"] == "batch size 10"
    assert parsed[1]["test accuracy"] == "0.9612"
    assert parsed[0]["layers"] == "784-32-10"


def test_the_model_cache_loads_each_file_once_and_keeps_only_a_few():
    cache = ModelBytesCache(size=2)
    files = [model_to_bytes(build_model(ModelSpec(hidden_units=(units,)))) for units in (4, 5, 6)]
    first = cache.load(files[0])
    assert cache.load(files[0]) is first
    assert first.get_layer("hidden_1").units == 4
    cache.load(files[1])
    cache.load(files[2])
    assert len(cache) == 2
    assert cache.load(files[0]) is not first  # evicted, loaded again from its bytes
    with pytest.raises(ValueError):
        cache.load(b"not a keras file")
