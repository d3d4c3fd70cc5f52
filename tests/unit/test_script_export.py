"""The setup as code: the exported script, run in a subprocess, reaches the engine's test accuracy."""

import ast
import re
import subprocess
import sys

import pytest

from mnist_core.engine.script_export import training_script
from mnist_core.engine.spec import PRESETS, ModelSpec, TrainConfig
from mnist_core.engine.training import train

TINY = TrainConfig(epochs=1, batch_size=128, train_limit=3000, seed=42)


def run_script(source: str, tmp_path, *args: str) -> tuple[float, float]:
    path = tmp_path / "mnist_train.py"
    path.write_text(source)
    done = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    loss, accuracy = re.search(r"test loss ([\d.]+), test accuracy ([\d.]+)", done.stdout).groups()
    return float(loss), float(accuracy)


@pytest.mark.parametrize(
    "spec",
    [ModelSpec(), ModelSpec(hidden_units=(48, 24), dropout=(0.2, 0.0), activation="tanh", optimizer="adam")],
    ids=["first-network", "two-layers-dropout-adam"],
)
def test_the_script_reaches_the_engines_test_accuracy(spec, tmp_path):
    # The full settings' script, run small through its own options: 1 epoch on the first 3,000 images.
    source = training_script(spec, TrainConfig(epochs=5, batch_size=128, seed=42))
    loss, accuracy = run_script(source, tmp_path, "--epochs", "1", "--train-limit", "3000")
    engine = train(spec, TINY)
    # Same seed, same validation images, same layers in the same order: the same numbers (4 decimals printed).
    assert accuracy == round(engine.test_accuracy, 4)
    assert loss == pytest.approx(engine.test_loss, abs=1e-4)
    assert 0.5 < accuracy < 0.99  # it learned something, and the test could fail


def test_the_script_for_the_test_set_shortcut_and_unscaled_pixels_is_honest_code():
    spec, config = PRESETS["unscaled"].model, TrainConfig(validation="test", seed=3, batch_size=32)
    source = training_script(spec, config)
    ast.parse(source)
    assert 'layers.Identity(name="unscaled_0_255")' in source and "Rescaling" not in source
    assert "x_fit, y_fit, x_val, y_val = x_train, y_train, x_test, y_test" in source
    assert "SEED = 3" in source and "BATCH_SIZE = 32" in source


def test_the_convnet_script_has_its_4d_shapes_and_layers():
    preset = PRESETS["convnet"]
    source = training_script(preset.model, preset.train)
    ast.parse(source)
    for line in (
        "layers.Conv2D(32, (3, 3)",
        "layers.MaxPooling2D((2, 2)",
        "layers.Flatten(",
        "keras.optimizers.SGD(",
    ):
        assert line in source
    assert "reshape((len(images), 28, 28, 1))" in source
    assert "EPOCHS = 10" in source
