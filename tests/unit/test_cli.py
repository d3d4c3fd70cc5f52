"""The command line: every invalid option is an argparse error (exit 2), and the architecture options build the spec."""

import argparse

import pytest

from mnist_core.cli import build_parser, main, spec_from_arguments
from mnist_core.data.idx import write_idx
from mnist_core.engine.spec import ModelSpec


def spec_for(*options: str):
    parser = build_parser()
    args = parser.parse_args(["train", *options])
    return spec_from_arguments(args, args.command_parser)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--learning-rate", "1000"], "learning_rate must be a number above 0 and at most 100"),
        (["--learning-rate", "0"], "learning_rate must be a number above 0"),
        (["--learning-rate", "-1"], "learning_rate must be a number above 0"),
        (["--learning-rate", "nan"], "must be a finite number"),
        (["--learning-rate", "inf"], "must be a finite number"),
        (["--learning-rate", "fast"], "must be a number, got 'fast'"),
        (["--epochs", "0"], "epochs must be between 1 and 50"),
        (["--epochs", "51"], "epochs must be between 1 and 50"),
        (["--epochs", "2.5"], "must be a whole number"),
        (["--batch-size", "0"], "batch_size must be between 1 and 60000"),
        (["--batch-size", "60001"], "batch_size must be between 1 and 60000"),
        (["--hidden-layers", "6"], "0 to 5 hidden layers"),
        (["--hidden-layers", "-1"], "0 to 5 hidden layers"),
        (["--units", "0"], "units per layer must be between 1 and 1024"),
        (["--units", "1025"], "units per layer must be between 1 and 1024"),
        (["--units", "32", "64", "--hidden-layers", "3"], "one per hidden layer"),
        (["--dropout", "0.95"], "dropout must be between 0 and 0.9"),
        (["--dropout", "-0.1"], "dropout must be between 0 and 0.9"),
        (["--activation", "elu"], "invalid choice: 'elu'"),
        (["--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
        (["--convnet", "--units", "32"], "--convnet has its own layers"),
        (["--seed", "-1"], "seed must be a whole number from 0"),
        (["--train-limit", "5"], "train_limit must be between 20 and 60000"),
        (["--validation", "train"], "invalid choice: 'train'"),
        (["--preset", "huge"], "invalid choice: 'huge'"),
        (["--save", "model.h5"], "--save needs a path ending in .keras"),
        (["--save", "/no/such/folder/model.keras"], "the folder /no/such/folder does not exist"),
        (["--save-history", "h.txt"], "--save-history needs a path ending in .npz"),
        (["--colour", "red"], "unrecognized arguments"),
    ],
)
def test_every_invalid_option_is_an_argparse_error(options, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", *options])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("usage: python -m mnist_core") and message in error


def test_the_architecture_options_build_the_spec():
    spec, config = spec_for(
        "--hidden-layers", "2", "--units", "64", "--dropout", "0.2", "0.1", "--activation", "tanh",
        "--optimizer", "adam", "--learning-rate", "0.01", "--no-scaling", "--epochs", "3",
    )  # fmt: skip
    assert spec == ModelSpec(
        hidden_units=(64, 64), dropout=(0.2, 0.1), activation="tanh", optimizer="adam", learning_rate=0.01,
        scale_inputs=False,
    )  # fmt: skip
    assert config.epochs == 3


def test_units_alone_set_the_number_of_layers_and_zero_layers_is_allowed():
    assert spec_for("--units", "128", "64", "10")[0].hidden_units == (128, 64, 10)
    no_hidden = spec_for("--hidden-layers", "0")[0]
    assert no_hidden.hidden_units == () and no_hidden.dropout == ()


def test_convnet_and_preset_values_are_kept_unless_replaced():
    convnet, _ = spec_for("--convnet", "--optimizer", "sgd")
    assert convnet.architecture == "convnet" and convnet.optimizer == "sgd"
    deeper, _ = spec_for("--preset", "deeper-network", "--activation", "sigmoid")
    assert (
        deeper.hidden_units == (512, 512) and deeper.dropout == (0.2, 0.2) and deeper.activation == "sigmoid"
    )


@pytest.mark.parametrize("problem", ["missing folder", "truncated file", "not gzip"])
def test_a_bad_data_folder_is_a_clear_error_not_a_traceback(problem, tmp_path, monkeypatch, capsys):
    import numpy as np

    folder = tmp_path / "mnist"
    if problem != "missing folder":
        folder.mkdir()
        write_idx(folder / "train-images-idx3-ubyte", np.zeros((60, 28, 28), np.uint8))
        write_idx(folder / "train-labels-idx1-ubyte", np.zeros(60, np.uint8))
        write_idx(folder / "t10k-images-idx3-ubyte", np.zeros((10, 28, 28), np.uint8))
        write_idx(folder / "t10k-labels-idx1-ubyte", np.zeros(10, np.uint8))
        broken = folder / "train-images-idx3-ubyte"
        if problem == "truncated file":
            broken.write_bytes(broken.read_bytes()[:1000])
        else:
            broken.unlink()
            (folder / "train-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    monkeypatch.setenv("MNIST_DATA_DIR", str(folder))
    assert main(["train", "--epochs", "1"]) == 2
    error = capsys.readouterr().err
    assert "MNIST data cannot be read" in error and "unset MNIST_DATA_DIR" in error
    assert {
        "missing folder": "no such folder",
        "truncated file": "truncated",
        "not gzip": "not a valid gzip",
    }[problem] in error


def test_parser_is_argparse():
    assert isinstance(build_parser(), argparse.ArgumentParser)
