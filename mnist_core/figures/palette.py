"""The app's categorical colours: one per digit class, told apart with any colour vision.

Chosen by a search (scripts/design_class_palette.py) over sRGB colours that keep a contrast of at
least 3:1 (WCAG's minimum for marks in a chart) on both the light and the dark theme's background,
for the largest smallest CIEDE2000 difference between any two of them, seen with full colour
vision and with simulated protanopia, deuteranopia and tritanopia (mnist_core/figures/colour_vision.py).
Every pair differs by at least 12.4 in all four; matplotlib's tab10, used before, fell to 1.3
(digits 1 and 2 under protanopia). tests/unit/test_palette.py keeps it so.
"""

from __future__ import annotations

# In the order that keeps the first few as far apart as possible, for charts with few categories.
CATEGORY_COLOURS = (
    "#8500ff", "#c80b00", "#2ca690", "#b19000", "#9090bc",
    "#007a43", "#ff4e7a", "#b164ff", "#bc166f", "#646f9b",
)  # fmt: skip
CLASS_COLOURS = CATEGORY_COLOURS  # digit d is drawn in CLASS_COLOURS[d]
# A second cue besides colour, for 2-D scatters (these all exist in plotly's WebGL scatter too).
CLASS_SYMBOLS = (
    "circle", "square", "diamond", "cross", "x",
    "triangle-up", "triangle-down", "star", "hexagon", "pentagon",
)  # fmt: skip
