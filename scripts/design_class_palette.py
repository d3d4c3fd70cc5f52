"""Search for ten chart colours that stay apart with any colour vision; prints the best found.

    .venv/bin/python scripts/design_class_palette.py [--min-contrast 3] [--min-chroma 20]

Candidates are an sRGB grid, kept if they have at least ``--min-contrast`` against both themes'
backgrounds and some colour (CIELAB chroma). The score of a palette is its smallest CIEDE2000
difference between two colours, over full colour vision and the three simulated dichromacies.
Greedy farthest-point picks from random starts, then swaps that raise the score. The result, in
the order that keeps the first few farthest apart, went into mnist_core/figures/palette.py.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mnist_core.figures.colour_vision import (  # noqa: E402
    VISIONS,
    ciede2000,
    contrast_ratio,
    hex_to_rgb,
    simulate,
    smallest_difference,
    srgb_to_lab,
)

BACKGROUNDS = ("#ffffff", "#14131f")  # .streamlit/config.toml's light and dark backgrounds


def candidates(min_contrast: float, min_chroma: float, steps: int = 24) -> np.ndarray:
    grid = np.linspace(0, 1, steps)
    colours = np.array(list(itertools.product(grid, grid, grid)))
    keep = np.ones(len(colours), bool)
    for background in BACKGROUNDS:
        keep &= contrast_ratio(colours, hex_to_rgb(background)) >= min_contrast
    lab = srgb_to_lab(colours)
    keep &= np.hypot(lab[:, 1], lab[:, 2]) >= min_chroma
    return colours[keep]


def search(colours: np.ndarray, size: int = 10, restarts: int = 40, seed: int = 0) -> list[int]:
    labs = np.stack([srgb_to_lab(simulate(colours, vision)) for vision in VISIONS])
    distances: dict[int, np.ndarray] = {}

    def to(index: int) -> np.ndarray:  # each candidate's smallest difference to ``index``, over visions
        if index not in distances:
            distances[index] = np.min([ciede2000(lab, lab[index][None]) for lab in labs], axis=0)
        return distances[index]

    def score(chosen: list[int]) -> float:
        return min(to(a)[b] for a, b in itertools.combinations(chosen, 2))

    rng = np.random.default_rng(seed)
    best: tuple[float, list[int]] = (0.0, [])
    for _ in range(restarts):
        chosen = [int(rng.integers(len(colours)))]
        while len(chosen) < size:
            chosen.append(int(np.argmax(np.min([to(i) for i in chosen], axis=0))))
        improved = True
        while improved:
            improved = False
            for k in range(size):
                others = chosen[:k] + chosen[k + 1 :]
                nearest = np.min([to(i) for i in others], axis=0)
                swap = int(np.argmax(nearest))
                if min(score(others), nearest[swap]) > min(score(others), nearest[chosen[k]]) + 1e-9:
                    chosen[k], improved = swap, True
        if score(chosen) > best[0]:
            best = (score(chosen), chosen)
    return best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-contrast", type=float, default=3.0)
    parser.add_argument("--min-chroma", type=float, default=20.0)
    args = parser.parse_args()
    colours = candidates(args.min_contrast, args.min_chroma)
    chosen = search(colours)
    palette = ["#" + "".join(f"{round(c * 255):02x}" for c in colours[i]) for i in chosen]
    print(palette)
    for vision in VISIONS:
        difference, pair = smallest_difference(palette, vision)
        print(f"{vision}: smallest difference {difference:.1f} (colours {pair})")


if __name__ == "__main__":
    main()
