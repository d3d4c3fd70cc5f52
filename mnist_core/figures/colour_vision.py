"""How far apart two colours look, to a viewer with full colour vision and to one without.

The app colours the ten digit classes. A palette is only useful if every pair of class colours can
be told apart, also by the roughly 1 in 12 men with a red-green colour-vision deficiency. This
module simulates the three dichromacies (Machado, Oliveira and Fernandes 2009, severity 1, applied
in linear RGB) and measures differences with CIEDE2000, the CIE's distance for "how different do
these look" (about 1 is just noticeable side by side; about 10 is told apart at a glance).
"""

from __future__ import annotations

import itertools

import numpy as np

# Machado et al. (2009), Table 1 at severity 1.0: linear RGB in, linear RGB out.
DICHROMACY_MATRICES = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
VISIONS = ("full colour vision", *DICHROMACY_MATRICES)

_SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
_D65_WHITE = np.array([0.95047, 1.0, 1.08883])


def hex_to_rgb(colour: str) -> np.ndarray:
    """``"#1f77b4"`` to sRGB values in 0-1, shape (3,)."""
    digits = colour.lstrip("#")
    if len(digits) != 6:
        raise ValueError(f"expected a colour like #1f77b4, got {colour!r}")
    return np.array([int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)])


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """Undo sRGB's gamma: shape (..., 3) in 0-1."""
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(rgb: np.ndarray, vision: str) -> np.ndarray:
    """The sRGB colour(s) ``rgb`` (shape (..., 3)) as seen with ``vision`` (one of VISIONS)."""
    if vision == VISIONS[0]:
        return rgb
    matrix = DICHROMACY_MATRICES[vision]
    return linear_to_srgb(srgb_to_linear(rgb) @ matrix.T)


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG's relative luminance of sRGB colour(s), shape (..., 3) -> (...)."""
    return srgb_to_linear(rgb) @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """WCAG's contrast ratio (1 to 21) between sRGB colours."""
    lighter = np.maximum(relative_luminance(first), relative_luminance(second))
    darker = np.minimum(relative_luminance(first), relative_luminance(second))
    return (lighter + 0.05) / (darker + 0.05)


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (..., 3) in 0-1 to CIELAB under D65."""
    xyz = srgb_to_linear(rgb) @ _SRGB_TO_XYZ.T / _D65_WHITE
    epsilon, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > epsilon, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1
    )


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """The CIEDE2000 colour difference between CIELAB colours (Sharma, Wu and Dalal 2005)."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=float), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=float), -1, 0)
    C1, C2 = np.hypot(a1, b1), np.hypot(a2, b2)
    C_mean7 = ((C1 + C2) / 2) ** 7
    G = 0.5 * (1 - np.sqrt(C_mean7 / (C_mean7 + 25.0**7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp, dCp = L2 - L1, C2p - C1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(C1p * C2p == 0, 0.0, dh)
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dh / 2))
    Lp_mean, Cp_mean = (L1 + L2) / 2, (C1p + C2p) / 2
    h_sum = h1p + h2p
    hp_mean = np.where(
        np.abs(h1p - h2p) > 180, np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2), h_sum / 2
    )
    hp_mean = np.where(C1p * C2p == 0, h_sum, hp_mean)
    T = (
        1
        - 0.17 * np.cos(np.radians(hp_mean - 30))
        + 0.24 * np.cos(np.radians(2 * hp_mean))
        + 0.32 * np.cos(np.radians(3 * hp_mean + 6))
        - 0.20 * np.cos(np.radians(4 * hp_mean - 63))
    )
    d_theta = 30 * np.exp(-(((hp_mean - 275) / 25) ** 2))
    Cp_mean7 = Cp_mean**7
    R_C = 2 * np.sqrt(Cp_mean7 / (Cp_mean7 + 25.0**7))
    S_L = 1 + 0.015 * (Lp_mean - 50) ** 2 / np.sqrt(20 + (Lp_mean - 50) ** 2)
    S_C = 1 + 0.045 * Cp_mean
    S_H = 1 + 0.015 * Cp_mean * T
    R_T = -np.sin(np.radians(2 * d_theta)) * R_C
    return np.sqrt((dLp / S_L) ** 2 + (dCp / S_C) ** 2 + (dHp / S_H) ** 2 + R_T * (dCp / S_C) * (dHp / S_H))


def smallest_difference(colours: list[str] | tuple[str, ...], vision: str) -> tuple[float, tuple[int, int]]:
    """The smallest CIEDE2000 difference between two of ``colours`` as seen with ``vision``.

    Returns
    -------
    difference : float
    pair : tuple of two indices into ``colours``
    """
    lab = srgb_to_lab(simulate(np.array([hex_to_rgb(c) for c in colours]), vision))
    pairs = list(itertools.combinations(range(len(colours)), 2))
    differences = [float(ciede2000(lab[i], lab[j])) for i, j in pairs]
    index = int(np.argmin(differences))
    return differences[index], pairs[index]
