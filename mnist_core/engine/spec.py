"""What to build and how to train it: frozen, validated specs and the lessons' presets.

Nothing here imports Keras, so pages can show specs, presets and parameter
counts without paying for TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mnist_core.data.mnist import IMAGE_SIDE, N_CLASSES, N_PIXELS
from mnist_core.i18n import N_, number, tr

ARCHITECTURES = ("dense", "convnet")
ACTIVATIONS = ("relu", "sigmoid", "tanh")
OPTIMIZERS = ("sgd", "rmsprop", "adam")
VALIDATION_CHOICES = ("holdout", "test")
# The limits of every setting, for the specs below, the page's widgets and the command line alike.
MAX_HIDDEN_LAYERS = 5
MAX_UNITS = 1024
MAX_DROPOUT = 0.9  # dropping more than 9 in 10 outputs leaves too little signal to learn from
MAX_CONV_FILTERS = 128
MAX_LEARNING_RATE = 100.0  # far past divergence for every optimizer: room to watch a run blow up
MAX_EPOCHS = 50
MAX_TRAIN_SAMPLES = 60_000
MIN_TRAIN_LIMIT = 20
MAX_SEED = 2**31 - 1  # NumPy and TensorFlow both take seeds up to here


@dataclass(frozen=True)
class ModelSpec:
    """The network to build (lessons 3, 5 and 6)."""

    architecture: str = "dense"
    hidden_units: tuple[int, ...] = (32,)  # dense: one entry per hidden layer
    dropout: tuple[float, ...] = (0.0,)  # dense: rate after each hidden layer
    activation: str = "relu"
    conv_filters: int = 32  # convnet: 3 x 3 filters in the one Conv2D layer
    conv_dense_units: int = 100  # convnet: the Dense layer after Flatten
    optimizer: str = "rmsprop"
    learning_rate: float = 0.001
    scale_inputs: bool = True  # False really feeds 0-255 pixels (lesson 3's bad run)

    def __post_init__(self):
        if self.architecture not in ARCHITECTURES:
            raise ValueError(
                tr("architecture must be one of {choices}, got {value}").format(
                    choices=ARCHITECTURES, value=repr(self.architecture)
                )
            )
        if not 0 <= len(self.hidden_units) <= MAX_HIDDEN_LAYERS:
            raise ValueError(
                tr("a dense network has 0 to {most} hidden layers, got {value}").format(
                    most=MAX_HIDDEN_LAYERS, value=len(self.hidden_units)
                )
            )
        for units in self.hidden_units:
            if not (isinstance(units, int) and 1 <= units <= MAX_UNITS):
                raise ValueError(
                    tr("units per layer must be between 1 and {most}, got {value}").format(
                        most=MAX_UNITS, value=units
                    )
                )
        if len(self.dropout) != len(self.hidden_units):
            raise ValueError(
                tr("give one dropout rate per hidden layer: {layers} layers, {rates} rates").format(
                    layers=len(self.hidden_units), rates=len(self.dropout)
                )
            )
        for rate in self.dropout:
            if not (math.isfinite(rate) and 0.0 <= rate <= MAX_DROPOUT):
                raise ValueError(
                    tr("dropout must be between 0 and {most}, got {value}").format(
                        most=number(MAX_DROPOUT), value=rate
                    )
                )
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                tr("activation must be one of {choices}, got {value}").format(
                    choices=ACTIVATIONS, value=repr(self.activation)
                )
            )
        if not 1 <= self.conv_filters <= MAX_CONV_FILTERS:
            raise ValueError(
                tr("conv_filters must be between 1 and {most}, got {value}").format(
                    most=MAX_CONV_FILTERS, value=self.conv_filters
                )
            )
        if not 1 <= self.conv_dense_units <= MAX_UNITS:
            raise ValueError(
                tr("conv_dense_units must be between 1 and {most}, got {value}").format(
                    most=MAX_UNITS, value=self.conv_dense_units
                )
            )
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                tr("optimizer must be one of {choices}, got {value}").format(
                    choices=OPTIMIZERS, value=repr(self.optimizer)
                )
            )
        if not (math.isfinite(self.learning_rate) and 0 < self.learning_rate <= MAX_LEARNING_RATE):
            raise ValueError(
                tr("learning_rate must be a number above 0 and at most {most}, got {value}").format(
                    most=number(MAX_LEARNING_RATE), value=self.learning_rate
                )
            )

    @property
    def input_shape(self) -> tuple[int, ...]:
        """(784,) vectors for the dense network, (28, 28, 1) images for the convnet."""
        return (N_PIXELS,) if self.architecture == "dense" else (IMAGE_SIDE, IMAGE_SIDE, 1)

    def describe(self) -> str:
        """A short name such as '784-32-10 relu, rmsprop' or 'convnet 32x3x3-100-10, sgd'."""
        if self.architecture == "convnet":
            shape = f"convnet {self.conv_filters}x3x3-{self.conv_dense_units}-10"
        else:
            shape = "-".join(str(n) for n in (N_PIXELS, *self.hidden_units, N_CLASSES))
            if self.hidden_units:
                shape += f" {self.activation}"
            if any(self.dropout):
                shape += " + dropout"
        return f"{shape}, {self.optimizer} lr {self.learning_rate:g}" + (
            "" if self.scale_inputs else ", unscaled 0-255 inputs"
        )


@dataclass(frozen=True)
class TrainConfig:
    """How to fit: epochs, batch size, validation and seed (lesson 3)."""

    epochs: int = 5
    batch_size: int = 128
    validation: str = "holdout"  # "holdout" part of the training set, or "test" (the lesson's shortcut)
    validation_size: int | None = None  # held-out training images; None: 1/12 of them (5,000 of 60,000)
    train_limit: int | None = None  # use only the first N training images (tests, quick demos)
    seed: int = 42

    def __post_init__(self):
        if not (isinstance(self.epochs, int) and 1 <= self.epochs <= MAX_EPOCHS):
            raise ValueError(
                tr("epochs must be between 1 and {most}, got {value}").format(
                    most=MAX_EPOCHS, value=self.epochs
                )
            )
        if not (isinstance(self.batch_size, int) and 1 <= self.batch_size <= MAX_TRAIN_SAMPLES):
            raise ValueError(
                tr("batch_size must be between 1 and {most}, got {value}").format(
                    most=MAX_TRAIN_SAMPLES, value=self.batch_size
                )
            )
        if self.validation not in VALIDATION_CHOICES:
            raise ValueError(
                tr("validation must be one of {choices}, got {value}").format(
                    choices=VALIDATION_CHOICES, value=repr(self.validation)
                )
            )
        if self.train_limit is not None and not MIN_TRAIN_LIMIT <= self.train_limit <= MAX_TRAIN_SAMPLES:
            raise ValueError(
                tr("train_limit must be between {least} and {most}, got {value}").format(
                    least=MIN_TRAIN_LIMIT, most=MAX_TRAIN_SAMPLES, value=self.train_limit
                )
            )
        if not (isinstance(self.seed, int) and 0 <= self.seed <= MAX_SEED):
            raise ValueError(
                tr("seed must be a whole number from 0 to {most}, got {value}").format(
                    most=MAX_SEED, value=self.seed
                )
            )
        available = self.train_limit or MAX_TRAIN_SAMPLES
        if self.validation == "holdout" and not 1 <= self.holdout_size < available:
            raise ValueError(
                tr("validation_size must be between 1 and {most}, got {value}").format(
                    most=available - 1, value=self.validation_size
                )
            )

    @property
    def holdout_size(self) -> int:
        """Training images held out for validation (0 when the test set validates)."""
        if self.validation != "holdout":
            return 0
        if self.validation_size is not None:
            return self.validation_size
        return (self.train_limit or MAX_TRAIN_SAMPLES) // 12

    @property
    def training_samples(self) -> int:
        """How many images the network trains on after the validation hold-out."""
        return (self.train_limit or MAX_TRAIN_SAMPLES) - self.holdout_size

    @property
    def gradient_updates_per_epoch(self) -> int:
        """ceil(training samples / batch size): one weight update per mini-batch."""
        return math.ceil(self.training_samples / self.batch_size)

    @property
    def gradient_updates_total(self) -> int:
        return self.gradient_updates_per_epoch * self.epochs


@dataclass(frozen=True)
class Preset:
    """A network and training set-up from the lessons."""

    key: str
    title: str
    lesson: str
    model: ModelSpec = field(default_factory=ModelSpec)
    train: TrainConfig = field(default_factory=TrainConfig)


PRESETS = {
    preset.key: preset
    for preset in (
        Preset("first-network", N_("First network (784-32-10)"), N_("Lesson 3")),
        Preset(
            "deeper-network",
            N_("Deeper network (two 512 layers + dropout 0.2)"),
            N_("Lesson 5"),
            ModelSpec(hidden_units=(512, 512), dropout=(0.2, 0.2)),
        ),
        Preset(
            "convnet",
            N_("Small convnet (32 filters, 3 x 3)"),
            N_("Lesson 6"),
            ModelSpec(
                architecture="convnet", hidden_units=(), dropout=(), optimizer="sgd", learning_rate=0.01
            ),
            TrainConfig(epochs=10, batch_size=32),
        ),
        Preset(
            "unscaled",
            N_("First network on unscaled 0-255 pixels"),
            N_("Lesson 3"),
            ModelSpec(scale_inputs=False),
        ),
    )
}
# The preset picker's options, title and lesson in one label, written out whole for the catalogue:
# a link carries this label (ui/links.py builds the same text), in the language it was copied in.
PRESET_LABELS = {
    "first-network": N_("First network (784-32-10) · Lesson 3"),
    "deeper-network": N_("Deeper network (two 512 layers + dropout 0.2) · Lesson 5"),
    "convnet": N_("Small convnet (32 filters, 3 x 3) · Lesson 6"),
    "unscaled": N_("First network on unscaled 0-255 pixels · Lesson 3"),
}


@dataclass(frozen=True)
class LayerCount:
    """One layer's trainable parameters, with the formula that gives them."""

    name: str
    formula: str
    parameters: int


def parameter_counts(spec: ModelSpec) -> list[LayerCount]:
    """Parameters of each layer with weights, computed from the formula (no Keras needed).

    Returns
    -------
    list of LayerCount
        e.g. for the first network: ``Dense 32: 784 x 32 + 32 = 25,120`` and
        ``Dense 10 (output): 32 x 10 + 10 = 330``.
    """
    counts = []
    if spec.architecture == "convnet":
        filters = spec.conv_filters
        conv = 3 * 3 * 1 * filters + filters
        counts.append(LayerCount(f"Conv2D {filters}", f"3 x 3 x 1 x {filters} + {filters}", conv))
        flat = 13 * 13 * filters  # 26 x 26 after a 3 x 3 'valid' conv, halved by 2 x 2 pooling
        units = spec.conv_dense_units
        counts.append(LayerCount(f"Dense {units}", f"{flat:,} x {units} + {units}", flat * units + units))
        fan_in = units
    else:
        fan_in = N_PIXELS
        for units in spec.hidden_units:
            counts.append(
                LayerCount(f"Dense {units}", f"{fan_in} x {units} + {units}", fan_in * units + units)
            )
            fan_in = units
    counts.append(
        LayerCount(
            f"Dense {N_CLASSES} (output)",
            f"{fan_in} x {N_CLASSES} + {N_CLASSES}",
            fan_in * N_CLASSES + N_CLASSES,
        )
    )
    return counts


CONV_COST_FACTOR = 5  # a conv multiply-add costs about five dense ones on a CPU


def multiply_adds_per_image(spec: ModelSpec) -> int:
    """Multiply-adds for one image's forward pass (convs weighted by their CPU cost)."""
    if spec.architecture == "convnet":
        conv = 26 * 26 * 9 * spec.conv_filters * CONV_COST_FACTOR
        return conv + 13 * 13 * spec.conv_filters * spec.conv_dense_units + spec.conv_dense_units * N_CLASSES
    widths = (N_PIXELS, *spec.hidden_units, N_CLASSES)
    return sum(a * b for a, b in zip(widths, widths[1:]))


def estimate_training_seconds(spec: ModelSpec, config: TrainConfig) -> float:
    """Seconds from Train to the test result on this project's 2-core machines (see ``mnist_core.engine.estimates``)."""
    from mnist_core.engine.estimates import estimate_training_seconds as estimate

    return estimate(spec, config)
