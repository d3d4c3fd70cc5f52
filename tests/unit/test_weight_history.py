"""Saving and reading a run's weight history, and the history shipped with the default model."""

import numpy as np
import pytest

from mnist_core.cli import main as cli_main
from mnist_core.engine.default_model import (
    FIRST_NETWORK,
    SMALL_CONVNET,
    load_default_model,
    load_shipped_history,
)
from mnist_core.engine.weight_history import load_weight_history, save_weight_history


def history(snapshots=3, seed=0):
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=3)] for _ in range(snapshots)]


def test_a_history_reads_back_exactly_in_order(tmp_path):
    saved = history(snapshots=12)  # more than 9: order must be numeric, not by text
    save_weight_history(tmp_path / "h.npz", saved)
    loaded = load_weight_history(tmp_path / "h.npz")
    assert len(loaded) == 12
    for before, after in zip(saved, loaded):
        assert [a.dtype for a in before] == [a.dtype for a in after]
        assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_a_single_snapshot_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least two snapshots"):
        save_weight_history(tmp_path / "h.npz", history(snapshots=1))


def test_files_that_are_not_histories_get_a_clear_message(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("not a zip")
    with pytest.raises(ValueError, match="not a readable weight history"):
        load_weight_history(text)
    other = tmp_path / "other.npz"
    np.savez(other, pixels=np.zeros(3))
    with pytest.raises(ValueError, match="'pixels', which is not part of a weight history"):
        load_weight_history(other)
    mixed = tmp_path / "mixed.npz"
    np.savez(mixed, snapshot000_array00=np.zeros(3), snapshot001_array00=np.zeros(4))
    with pytest.raises(ValueError, match="same weight shapes"):
        load_weight_history(mixed)


def test_the_shipped_history_runs_from_the_seeded_start_to_the_shipped_model():
    keras = pytest.importorskip("keras")
    from mnist_core.engine.models import build_model
    from mnist_core.engine.spec import PRESETS

    shipped = load_shipped_history(FIRST_NETWORK.key)
    preset = PRESETS[FIRST_NETWORK.preset]
    assert len(shipped) == preset.train.epochs + 1
    trained = load_default_model().get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(shipped[-1], trained))
    keras.utils.set_random_seed(preset.train.seed)
    initial = build_model(preset.model).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(shipped[0], initial))
    assert load_shipped_history(SMALL_CONVNET.key) is None


def test_the_command_line_saves_the_history_of_its_run(tmp_path, capsys):
    pytest.importorskip("keras")
    path = tmp_path / "run.npz"
    argv = ["train", "--epochs", "2", "--train-limit", "1200", "--save-history", str(path)]
    assert cli_main(argv) == 0
    assert '"saved_history"' in capsys.readouterr().out
    saved = load_weight_history(path)
    assert len(saved) == 3 and [a.shape for a in saved[0]] == [(784, 32), (32,), (32, 10), (10,)]
    with pytest.raises(SystemExit):
        cli_main(["train", "--save-history", str(tmp_path / "run.txt")])
