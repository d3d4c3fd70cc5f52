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
from pathlib import Path

from mnist_core.data.idx import read_idx_header
from mnist_core.data.mnist import (
    IDX_FILES,
    MnistFacts,
    data_problem_advice,
    default_source,
    idx_path,
    load_mnist,
)
from mnist_core.engine.spec import (
    ACTIVATIONS,
    MAX_DROPOUT,
    MAX_EPOCHS,
    MAX_HIDDEN_LAYERS,
    MAX_LEARNING_RATE,
    MAX_SEED,
    MAX_TRAIN_SAMPLES,
    MAX_UNITS,
    MIN_TRAIN_LIMIT,
    OPTIMIZERS,
    PRESETS,
    VALIDATION_CHOICES,
    ModelSpec,
    TrainConfig,
)


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None


def number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mnist_core", description=__doc__.split("\n")[1])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info", help="print the data set's facts")
    train = commands.add_parser(
        "train",
        help="train a network with the app's engine",
        description="Start from a preset; every option given replaces the preset's value.",
    )
    train.add_argument("--preset", choices=sorted(PRESETS), default="first-network")
    train.set_defaults(command_parser=train)  # errors in the options are reported with train's usage
    network = train.add_argument_group("the network (step 2)")
    network.add_argument("--convnet", action="store_true", help="the small convnet instead of Dense layers")
    network.add_argument(
        "--hidden-layers", type=whole_number, help=f"Dense hidden layers (0-{MAX_HIDDEN_LAYERS})"
    )
    network.add_argument(
        "--units",
        type=whole_number,
        nargs="+",
        help=f"units per hidden layer (1-{MAX_UNITS}): one number for every layer, or one per layer",
    )
    network.add_argument(
        "--dropout",
        type=number,
        nargs="+",
        help=f"dropout after each hidden layer (0-{MAX_DROPOUT}): one or one per layer",
    )
    network.add_argument("--activation", choices=ACTIVATIONS)
    network.add_argument(
        "--scaling",
        action=argparse.BooleanOptionalAction,
        help="scale pixels to 0-1 in the first layer (--no-scaling feeds raw 0-255 values)",
    )
    compiling = train.add_argument_group("compile (step 3)")
    compiling.add_argument("--optimizer", choices=OPTIMIZERS)
    compiling.add_argument("--learning-rate", type=number, help=f"above 0, at most {MAX_LEARNING_RATE:g}")
    fitting = train.add_argument_group("fit (step 4)")
    fitting.add_argument(
        "--epochs", type=whole_number, help=f"passes over the training data (1-{MAX_EPOCHS})"
    )
    fitting.add_argument(
        "--batch-size", type=whole_number, help=f"images per gradient update (1-{MAX_TRAIN_SAMPLES})"
    )
    fitting.add_argument("--seed", type=whole_number, help=f"0-{MAX_SEED}")
    fitting.add_argument(
        "--validation",
        choices=VALIDATION_CHOICES,
        help="hold out 5,000 training images (default) or use the test set, the lesson's shortcut",
    )
    fitting.add_argument(
        "--train-limit",
        type=whole_number,
        help=f"use only the first N training images ({MIN_TRAIN_LIMIT}-{MAX_TRAIN_SAMPLES})",
    )
    train.add_argument("--save", metavar="PATH.keras", help="save the trained model here")
    train.add_argument(
        "--save-history",
        metavar="PATH.npz",
        help="save the weights before training and after each epoch here (for the loss landscape)",
    )
    return parser


def _per_layer(values: list | None, layers: int, name: str, parser) -> tuple | None:
    """One value for every layer, or one per layer."""
    if values is None:
        return None
    if len(values) == 1:
        return tuple(values) * layers
    if len(values) != layers:
        parser.error(f"--{name}: give one value, or one per hidden layer ({layers}), got {len(values)}")
    return tuple(values)


def spec_from_arguments(args, parser: argparse.ArgumentParser) -> tuple[ModelSpec, TrainConfig]:
    """The preset, with every option the user gave put in; an argparse error (exit 2) for a bad one."""
    preset = PRESETS[args.preset]
    model = preset.model
    if args.convnet and (args.hidden_layers is not None or args.units or args.dropout or args.activation):
        parser.error(
            "--convnet has its own layers: drop --hidden-layers, --units, --dropout and --activation"
        )
    layers = args.hidden_layers
    if layers is None and args.units and len(args.units) > 1:
        layers = len(args.units)
    if layers is None:
        layers = len(model.hidden_units)
    if not 0 <= layers <= MAX_HIDDEN_LAYERS:
        parser.error(f"a dense network has 0 to {MAX_HIDDEN_LAYERS} hidden layers, got {layers}")
    changes: dict = {}
    if args.convnet:
        changes.update(architecture="convnet", hidden_units=(), dropout=())
    elif layers != len(model.hidden_units) or args.units or args.dropout:
        base_units = model.hidden_units[-1] if model.hidden_units else 32
        units = _per_layer(args.units, layers, "units", parser) or (
            model.hidden_units if layers == len(model.hidden_units) else (base_units,) * layers
        )
        dropout = _per_layer(args.dropout, layers, "dropout", parser) or (
            model.dropout if layers == len(model.dropout) else (0.0,) * layers
        )
        changes.update(architecture="dense", hidden_units=units, dropout=dropout)
    for option, field in (
        ("activation", "activation"),
        ("optimizer", "optimizer"),
        ("learning_rate", "learning_rate"),
        ("scaling", "scale_inputs"),
    ):
        if getattr(args, option) is not None:
            changes[field] = getattr(args, option)
    overrides = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "validation": args.validation,
        "train_limit": args.train_limit,
    }
    try:
        # replace() validates in __post_init__: the same checks, and messages, as the page.
        spec = replace(model, **changes)
        config = replace(preset.train, **{k: v for k, v in overrides.items() if v is not None})
    except ValueError as error:
        parser.error(str(error))
    return spec, config


def info() -> dict:
    """The data set's facts, read from the files themselves."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    facts = MnistFacts()
    folder = default_source()
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
    try:
        data = load_mnist()
    except ValueError as error:
        print(f"error: the MNIST data cannot be read: {error}\n{data_problem_advice()}", file=sys.stderr)
        return 2
    if args.command == "info":
        for key, value in info().items():
            print(f"{key}: {value}")
        return 0

    parser = args.command_parser
    model_spec, config = spec_from_arguments(args, parser)
    for option, path, ending in (
        ("--save", args.save, ".keras"),
        ("--save-history", args.save_history, ".npz"),
    ):
        if path and not path.endswith(ending):
            parser.error(f"{option} needs a path ending in {ending}")
        if path and not Path(path).resolve().parent.is_dir():
            parser.error(f"{option}: the folder {Path(path).resolve().parent} does not exist")

    from mnist_core.engine.training import train
    from mnist_core.jobs.tasks import TaskFailed

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
        result = train(model_spec, config, on_epoch_end=print_epoch, mnist=data)
    except TaskFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    summary = result.summary()
    if args.save:
        result.model.save(args.save)
        summary["saved"] = args.save
    if args.save_history:
        from mnist_core.engine.weight_history import save_weight_history

        save_weight_history(args.save_history, result.weight_history)
        summary["saved_history"] = args.save_history
    print(json.dumps(summary))
    return 0
