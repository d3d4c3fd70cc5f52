"""The models shipped with the app, so predictions work before anyone trains.

Both were trained once with this project's own command line (the exact
commands and their output are in ``assets/models/README.txt``) and are loaded
once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mnist_core.i18n import N_

MODELS_DIR = Path(__file__).parents[1] / "assets" / "models"


@dataclass(frozen=True)
class ShippedModel:
    """A model file that comes with the app."""

    key: str
    label: str  # in English: shown as tr(label)
    filename: str
    test_accuracy: float  # measured by the command line when it was trained
    preset: str  # the mnist_core.engine.spec.PRESETS entry it was trained with
    history_filename: str | None = None  # weights before training and after each epoch

    @property
    def path(self) -> Path:
        return MODELS_DIR / self.filename


FIRST_NETWORK = ShippedModel(
    "default",
    N_("Default: first network 784-32-10, 5 epochs (shipped with the app)"),
    "first-network.keras",
    0.9559,
    preset="first-network",
    history_filename="first-network-history.npz",
)
SMALL_CONVNET = ShippedModel(
    "default-convnet",
    N_("Default: small convnet, 1 epoch (shipped with the app)"),
    "convnet.keras",
    0.9297,
    preset="convnet",
)
SHIPPED_MODELS = (FIRST_NETWORK, SMALL_CONVNET)


@lru_cache(maxsize=len(SHIPPED_MODELS))
def load_shipped(key: str = FIRST_NETWORK.key):
    """Load a shipped model once per process.

    Parameters
    ----------
    key : str
        ``"default"`` (the first network, input shape (None, 784)) or
        ``"default-convnet"`` (input shape (None, 28, 28, 1)). Both take raw 0-255 pixels.

    Returns
    -------
    keras.Model
    """
    import keras

    shipped = {model.key: model for model in SHIPPED_MODELS}
    if key not in shipped:
        raise ValueError(f"no shipped model {key!r}; choose one of {sorted(shipped)}")
    path = shipped[key].path
    if not path.is_file():
        raise ValueError(
            f"{path} is missing; recreate it with: python -m mnist_core train --preset first-network "
            f"--save {path}"
        )
    return keras.models.load_model(path)


def load_shipped_history(key: str = FIRST_NETWORK.key):
    """The shipped model's weights before training and after each epoch, or None if it has none.

    Read with NumPy only: no Keras import.
    """
    from mnist_core.engine.weight_history import load_weight_history

    shipped = {model.key: model for model in SHIPPED_MODELS}
    if key not in shipped:
        raise ValueError(f"no shipped model {key!r}; choose one of {sorted(shipped)}")
    if shipped[key].history_filename is None:
        return None
    return load_weight_history(MODELS_DIR / shipped[key].history_filename)


def load_default_model():
    """The default model: the lessons' first network, trained for 5 epochs."""
    return load_shipped(FIRST_NETWORK.key)
