import keras
import pytest

from mnist_core.engine.models import build_model
from mnist_core.engine.spec import (
    PRESETS,
    ModelSpec,
    TrainConfig,
    estimate_training_seconds,
    parameter_counts,
)


@pytest.mark.parametrize(
    "spec",
    [
        ModelSpec(),
        ModelSpec(hidden_units=(), dropout=()),
        ModelSpec(hidden_units=(512, 512), dropout=(0.2, 0.2)),
        ModelSpec(hidden_units=(10, 10, 10, 10, 10), dropout=(0.0,) * 5, activation="tanh"),
        PRESETS["convnet"].model,
    ],
    ids=lambda spec: spec.describe(),
)
def test_parameter_counts_match_keras(spec):
    keras.utils.clear_session()
    model = build_model(spec)
    assert sum(count.parameters for count in parameter_counts(spec)) == model.count_params()


def test_first_hidden_layer_formula():
    first = parameter_counts(ModelSpec())[0]
    assert (first.formula, first.parameters) == ("784 x 32 + 32", 25_120)


@pytest.mark.parametrize(
    ("batch_size", "epochs", "per_epoch", "total"),
    [(10, 2, 6_000, 12_000), (128, 5, 469, 2_345), (60_000, 3, 1, 3)],
)
def test_gradient_updates_as_in_lesson_3(batch_size, epochs, per_epoch, total):
    config = TrainConfig(batch_size=batch_size, epochs=epochs, validation="test")
    assert (config.gradient_updates_per_epoch, config.gradient_updates_total) == (per_epoch, total)


def test_default_holdout_is_a_twelfth_of_the_training_images():
    assert TrainConfig().holdout_size == 5_000
    assert TrainConfig(train_limit=1200).training_samples == 1100


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden_units": (0,), "dropout": (0.0,)}, "units per layer must be between 1 and 1024, got 0"),
        ({"hidden_units": (32,) * 6, "dropout": (0.0,) * 6}, "0 to 5 hidden layers"),
        ({"dropout": (0.95,)}, "dropout must be between 0 and 0.9"),
        ({"dropout": (0.1, 0.1)}, "one dropout rate per hidden layer"),
        ({"learning_rate": 0.0}, "learning_rate must be a number above 0"),
        ({"learning_rate": float("nan")}, "learning_rate must be a number above 0"),
        ({"optimizer": "adagrad"}, "optimizer must be one of"),
        ({"activation": "gelu"}, "activation must be one of"),
    ],
)
def test_model_spec_says_how_to_fix_a_bad_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ModelSpec(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_size": 0}, "batch_size must be between 1 and 60000, got 0"),
        ({"epochs": 51}, "epochs must be between 1 and 50"),
        ({"validation": "train"}, "validation must be one of"),
        ({"train_limit": 100, "validation_size": 100}, "validation_size must be between 1 and 99"),
    ],
)
def test_train_config_says_how_to_fix_a_bad_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kwargs)


def test_estimate_grows_with_the_work():
    first = estimate_training_seconds(ModelSpec(), TrainConfig())
    assert first < 30
    assert estimate_training_seconds(ModelSpec(), TrainConfig(batch_size=1, epochs=50)) > 10 * 60
    assert estimate_training_seconds(PRESETS["deeper-network"].model, TrainConfig()) > 3 * first
