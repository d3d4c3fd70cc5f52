"""The setup as code: a complete Keras script equivalent to a spec and config, to read and to run.

The script does what ``mnist_core.engine.training.train`` does, in plain Keras, step by step: load the
four MNIST IDX files, hold out the same validation images (the same NumPy permutation of the
seed), build the same layers in the same order after ``keras.utils.set_random_seed`` (so the
initial weights are the same), compile, fit, evaluate. Run for the same settings it reaches the
engine's test accuracy; ``tests/unit/test_script_export.py`` runs it in a subprocess to check.
"""

from __future__ import annotations

from mnist_core.data.mnist import BUNDLED_DIR
from mnist_core.engine.spec import ModelSpec, TrainConfig

OPTIMIZER_CLASSES = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}

HEADER = '''"""{title}

Made by MNIST Demystified from its Build & Train settings. It trains the same network the same way:
same seed, same validation images, same initial weights.

Run it:   python {file_name}
Quicker:  python {file_name} --epochs 1 --train-limit 6000   (the first 6,000 training images)
Needs:    pip install keras tensorflow numpy

The data: the four MNIST IDX files (train-images-idx3-ubyte.gz, ...), read from --data-dir or
$MNIST_DATA_DIR, else from the copy bundled with the app ({bundled}).
Without them, --data-dir keras downloads MNIST with keras.datasets.mnist.load_data() instead
(online only; the same 70,000 images).
"""

import argparse
import gzip
import os
import struct
from pathlib import Path

import numpy as np

import keras
from keras import layers

SEED = {seed}
EPOCHS = {epochs}
BATCH_SIZE = {batch_size}
LEARNING_RATE = {learning_rate!r}
'''

LOADER = '''

def read_idx(path):
    """One IDX file (gzip'd or not) as a NumPy array: its header gives the type and the shape."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as file:
        data = file.read()
    zero, dtype_code, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist(data_dir):
    """(x_train, y_train), (x_test, y_test) as uint8 arrays, like keras.datasets.mnist.load_data()."""
    if data_dir == "keras":
        return keras.datasets.mnist.load_data()
    folder = Path(data_dir)

    def read(stem):
        for name in (stem + ".gz", stem):
            if (folder / name).is_file():
                return read_idx(folder / name)
        raise SystemExit(f"{folder} has no {stem}(.gz): pass --data-dir, or --data-dir keras to download")

    return (read("train-images-idx3-ubyte"), read("train-labels-idx1-ubyte")), (
        read("t10k-images-idx3-ubyte"),
        read("t10k-labels-idx1-ubyte"),
    )
'''


def _model_lines(spec: ModelSpec) -> list[str]:
    lines = [f'    inputs = keras.Input(shape={spec.input_shape!r}, name="pixels")']
    if spec.scale_inputs:
        lines.append(
            '    x = layers.Rescaling(1.0 / 255, name="scale_to_0_1")(inputs)  # pixels 0-255 to 0-1'
        )
    else:
        lines.append('    x = layers.Identity(name="unscaled_0_255")(inputs)  # raw 0-255 pixels, unscaled')
    if spec.architecture == "convnet":
        lines += [
            f'    x = layers.Conv2D({spec.conv_filters}, (3, 3), activation="relu", name="conv")(x)',
            '    x = layers.MaxPooling2D((2, 2), name="pool")(x)',
            '    x = layers.Flatten(name="flatten")(x)',
            f'    x = layers.Dense({spec.conv_dense_units}, activation="relu", name="hidden_1")(x)',
        ]
    for index, (units, rate) in enumerate(zip(spec.hidden_units, spec.dropout), start=1):
        lines.append(
            f'    x = layers.Dense({units}, activation="{spec.activation}", name="hidden_{index}")(x)'
        )
        if rate > 0:
            lines.append(f'    x = layers.Dropout({rate!r}, name="dropout_{index}")(x)')
    lines += [
        '    outputs = layers.Dense(10, activation="softmax", name="output")(x)',
        f'    return keras.Model(inputs, outputs, name="{spec.architecture}")',
    ]
    return lines


def training_script(spec: ModelSpec, config: TrainConfig, file_name: str = "mnist_train.py") -> str:
    """A runnable Python script that trains ``spec`` with ``config`` as the app's engine does.

    The script takes ``--epochs``, ``--train-limit`` (the first N training images) and ``--data-dir``
    so a quick run of the same set-up is one command.

    Returns
    -------
    str
        Python source; it imports only keras, numpy and the standard library.
    """
    if config.validation == "holdout":
        validation_size = config.validation_size
        split = f"""
    # 3. Hold out validation images: the same {config.holdout_size:,} for the same seed.
    n = len(x_train)
    holdout = {validation_size!r} or n // 12  # 1/12 of the training images: 5,000 of 60,000
    order = np.random.default_rng(SEED).permutation(n)
    fit_idx, val_idx = np.sort(order[holdout:]), np.sort(order[:holdout])
    x_fit, y_fit = x_train[fit_idx], y_train[fit_idx]
    x_val, y_val = x_train[val_idx], y_train[val_idx]
"""
    else:
        split = """
    # 3. Validate on the test set (the lesson's shortcut; a held-out part of the training set is better).
    x_fit, y_fit, x_val, y_val = x_train, y_train, x_test, y_test
"""
    shape = "(len(images), 784)" if spec.architecture == "dense" else "(len(images), 28, 28, 1)"
    body = f'''

def build_model():
    """The network: {spec.describe()}."""
{chr(10).join(_model_lines(spec))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--train-limit", type=int, default={config.train_limit!r}, help="use the first N training images")
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DATA_DIR", {str(BUNDLED_DIR)!r}))
    args = parser.parse_args()

    # 1. Load the data: uint8 pixels 0-255 (the model scales them itself) and integer labels.
    (x_train, y_train), (x_test, y_test) = load_mnist(args.data_dir)
    if args.train_limit:
        x_train, y_train = x_train[: args.train_limit], y_train[: args.train_limit]

    # 2. Reshape for the model: {"784-long vectors, row after row" if spec.architecture == "dense" else "4-D tensors (batch, 28, 28, 1)"}.
    def shaped(images):
        return images.reshape({shape})
{split}
    # One-hot targets for categorical cross-entropy: 5 -> [0,0,0,0,0,1,0,0,0,0]. The integer test
    # labels are kept apart, to count right answers.
    y_fit_1hot = keras.utils.to_categorical(y_fit, 10)
    y_val_1hot = keras.utils.to_categorical(y_val, 10)
    y_test_1hot = keras.utils.to_categorical(y_test, 10)

    # 4. Define and compile. The seed fixes the initial weights and the batch order.
    keras.utils.set_random_seed(SEED)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.{OPTIMIZER_CLASSES[spec.optimizer]}(learning_rate=LEARNING_RATE),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.summary()

    # 5. Fit: {config.gradient_updates_per_epoch:,} gradient updates per epoch (ceil of images / batch size).
    model.fit(
        shaped(x_fit),
        y_fit_1hot,
        batch_size=BATCH_SIZE,
        epochs=args.epochs,
        validation_data=(shaped(x_val), y_val_1hot),
        verbose=2,
    )

    # 6. Evaluate on the 10,000 test images, never seen in training.
    test_loss = model.evaluate(shaped(x_test), y_test_1hot, batch_size=1000, verbose=0, return_dict=True)["loss"]
    predicted = np.argmax(model.predict(shaped(x_test), batch_size=1000, verbose=0), axis=1)
    correct = int((predicted == y_test).sum())
    print(f"test loss {{test_loss:.4f}}, test accuracy {{correct / len(y_test):.4f}}")
    print(f"{{correct}} correctly classified, {{len(y_test) - correct}} incorrectly")


if __name__ == "__main__":
    main()
'''
    header = HEADER.format(
        title=f"Train {spec.describe()} on MNIST, {config.epochs} epochs at batch {config.batch_size}.",
        file_name=file_name,
        bundled=BUNDLED_DIR,
        seed=config.seed,
        epochs=config.epochs,
        batch_size=config.batch_size,
        learning_rate=spec.learning_rate,
    )
    return header + LOADER + body
