"""A run's weights before training and after each epoch, saved to and read from one .npz file.

The loss landscape needs them: the 1-D line runs from the first snapshot to the last,
and the training path is the snapshots projected onto a plane. A .keras file keeps only
the final weights, so the shipped default model has its history beside it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

Weights = list[np.ndarray]
KEY = re.compile(r"snapshot(\d+)_array(\d+)")


def save_weight_history(path: str | Path, history: list[Weights]) -> None:
    """Write ``history`` (lists shaped as ``model.get_weights()``) as a compressed .npz."""
    if len(history) < 2:
        raise ValueError("a weight history needs at least two snapshots: before and after training")
    arrays = {
        f"snapshot{index:03d}_array{number:02d}": np.asarray(array)
        for index, weights in enumerate(history)
        for number, array in enumerate(weights)
    }
    np.savez_compressed(path, **arrays)


def load_weight_history(path: str | Path) -> list[Weights]:
    """Read a history written by ``save_weight_history``; a clear ValueError if it is not one."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files}
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} is not a readable weight history (.npz): {error}") from error
    positions = {}
    for name in arrays:
        match = KEY.fullmatch(name)
        if match is None:
            raise ValueError(f"{path} holds {name!r}, which is not part of a weight history")
        positions[name] = (int(match[1]), int(match[2]))
    snapshots = sorted({snapshot for snapshot, _ in positions.values()})
    history = [
        [arrays[name] for name, _ in sorted((n, p[1]) for n, p in positions.items() if p[0] == snapshot)]
        for snapshot in snapshots
    ]
    shapes = [[a.shape for a in weights] for weights in history]
    if len(history) < 2 or any(s != shapes[0] for s in shapes):
        raise ValueError(f"{path} needs two or more snapshots of the same weight shapes, found {shapes}")
    return history
