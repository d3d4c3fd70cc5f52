"""Command line for the same engine the app uses.

python -m mnist_core info
python -m mnist_core train --preset first-network --epochs 5 --save model.keras [--save-history h.npz]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace

from mnist_core.data import IDX_FILES, MnistFacts, default_source, idx_path, load_mnist
from mnist_core.idx import read_idx_header
from mnist_core.spec import PRESETS


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mnist_core", description=__doc__.split("\n")[1])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info", help="print the data set's facts")
    train = commands.add_parser("train", help="train a network with the app's engine")
    train.add_argument("--preset", choices=sorted(PRESETS), default="first-network")
    train.add_argument("--epochs", type=positive_int, help="passes over the training data (1-50)")
    train.add_argument("--batch-size", type=positive_int, help="images per gradient update (1-60000)")
    train.add_argument("--learning-rate", type=positive_float)
    train.add_argument("--seed", type=int)
    train.add_argument(
        "--validation",
        choices=["holdout", "test"],
        help="hold out 5,000 training images (default) or use the test set, the lesson's shortcut",
    )
    train.add_argument("--train-limit", type=positive_int, help="use only the first N training images")
    train.add_argument("--save", metavar="PATH.keras", help="save the trained model here")
    train.add_argument(
        "--save-history",
        metavar="PATH.npz",
        help="save the weights before training and after each epoch here (for the loss landscape)",
    )
    return parser


def info() -> dict:
    """The data set's facts, read from the files themselves."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    facts = MnistFacts()
    folder = default_source()
    from pathlib import Path

    headers = {stem: read_idx_header(idx_path(Path(folder), stem)) for stem in IDX_FILES.values()}
    return {
        "source": folder,
        "train_images": list(x_train.shape),
        "test_images": list(x_test.shape),
        "pixel_range": [int(x_train.min()), int(x_train.max())],
        "classes": list(range(facts.n_classes)),
        "train_class_counts": [int(n) for n in (y_train[:, None] == range(10)).sum(axis=0)],
        "test_class_counts": [int(n) for n in (y_test[:, None] == range(10)).sum(axis=0)],
        "writers": {"train": facts.writers_train, "test": facts.writers_test},
        "files": {
            stem: {"magic": header.magic_hex, "type": header.type_name, "dims": list(header.dims)}
            for stem, header in headers.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "info":
        for key, value in info().items():
            print(f"{key}: {value}")
        return 0

    preset = PRESETS[args.preset]
    model_spec = preset.model
    if args.learning_rate is not None:
        model_spec = replace(model_spec, learning_rate=args.learning_rate)
    overrides = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "validation": args.validation,
        "train_limit": args.train_limit,
    }
    try:
        config = replace(preset.train, **{k: v for k, v in overrides.items() if v is not None})
        model_spec.__post_init__()
    except ValueError as error:
        parser.error(str(error))
    if args.save and not args.save.endswith(".keras"):
        parser.error("--save needs a path ending in .keras")
    if args.save_history and not args.save_history.endswith(".npz"):
        parser.error("--save-history needs a path ending in .npz")

    from mnist_core.tasks import TaskFailed
    from mnist_core.training import train

    print(
        f"Training {model_spec.describe()}: {config.epochs} epochs, batch {config.batch_size}, "
        f"{config.gradient_updates_total:,} gradient updates",
        flush=True,
    )

    def print_epoch(row: dict) -> None:
        print(
            f"epoch {row['epoch']}/{config.epochs}  loss {row['loss']:.4f}  accuracy {row['accuracy']:.4f}"
            f"  val_loss {row['val_loss']:.4f}  val_accuracy {row['val_accuracy']:.4f}"
            f"  ({row['seconds']:.1f} s)",
            flush=True,
        )

    try:
        result = train(model_spec, config, on_epoch_end=print_epoch)
    except TaskFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    summary = result.summary()
    if args.save:
        result.model.save(args.save)
        summary["saved"] = args.save
    if args.save_history:
        from mnist_core.weight_history import save_weight_history

        save_weight_history(args.save_history, result.weight_history)
        summary["saved_history"] = args.save_history
    print(json.dumps(summary))
    return 0
