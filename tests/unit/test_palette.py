"""The class colours stay apart with every colour vision, and the colour maths is right."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from mnist_core.figures.colour_vision import (
    DICHROMACY_MATRICES,
    VISIONS,
    ciede2000,
    contrast_ratio,
    hex_to_rgb,
    simulate,
    smallest_difference,
    srgb_to_lab,
)
from mnist_core.figures.palette import CATEGORY_COLOURS, CLASS_COLOURS, CLASS_SYMBOLS

ROOT = Path(__file__).resolve().parents[2]
TAB10 = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
# CIEDE2000 of about 10 is a difference seen at a glance between two marks, not only side by side
# (1 is just noticeable). The palette reaches 12.4; tab10 reaches 1.3 under protanopia.
AT_A_GLANCE = 10.0


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu and Dalal (2005), Table 1, pairs 1, 7, 17 and 25
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert float(ciede2000(np.array(lab1), np.array(lab2))) == pytest.approx(expected, abs=1e-4)


def test_white_in_lab_is_lightness_100_without_colour():
    assert srgb_to_lab(np.ones(3)) == pytest.approx([100.0, 0.0, 0.0], abs=1e-3)


@pytest.mark.parametrize("vision", list(DICHROMACY_MATRICES))
def test_a_dichromat_sees_greys_unchanged_and_confuses_the_classic_pairs(vision):
    grey = np.full(3, 0.5)
    assert simulate(grey, vision) == pytest.approx(grey, abs=2e-3)
    confused = {"protanopia": ("#ff0000", "#5c5c00"), "deuteranopia": ("#ff0000", "#9f7f00")}
    if vision in confused:  # red against a dull olive: obvious to most, nearly equal to a dichromat
        first, second = (srgb_to_lab(simulate(hex_to_rgb(c), vision)) for c in confused[vision])
        assert float(ciede2000(first, second)) < float(
            ciede2000(*(srgb_to_lab(hex_to_rgb(c)) for c in confused[vision]))
        )


def test_contrast_ratio_of_black_on_white_is_21():
    assert float(contrast_ratio(np.zeros(3), np.ones(3))) == pytest.approx(21.0)


@pytest.mark.parametrize("vision", VISIONS)
def test_every_pair_of_class_colours_differs_at_a_glance(vision):
    difference, pair = smallest_difference(CLASS_COLOURS, vision)
    assert difference > AT_A_GLANCE, f"digits {pair} differ by only {difference:.1f} with {vision}"


def test_the_threshold_would_catch_the_old_palette():
    assert min(smallest_difference(TAB10, vision)[0] for vision in VISIONS) < AT_A_GLANCE


@pytest.mark.parametrize("background", ["#ffffff", "#14131f"])
def test_every_class_colour_stands_out_on_both_themes(background):
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert background in (theme["light"]["backgroundColor"], theme["dark"]["backgroundColor"])
    ratios = contrast_ratio(np.array([hex_to_rgb(c) for c in CLASS_COLOURS]), hex_to_rgb(background))
    assert ratios.min() >= 3.0  # WCAG 1.4.11: marks in a chart need 3:1


def test_streamlit_theme_uses_the_same_colours():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert tuple(theme["chartCategoricalColors"]) == CATEGORY_COLOURS


def test_each_class_has_its_own_marker_shape():
    assert len(set(CLASS_SYMBOLS)) == len(CLASS_COLOURS) == 10
