"""The Build & Train controls: widgets for every spec field, presets, and what they add up to."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from mnist_core.engine.spec import (
    ACTIVATIONS,
    MAX_DROPOUT,
    MAX_EPOCHS,
    MAX_HIDDEN_LAYERS,
    MAX_SEED,
    MAX_TRAIN_SAMPLES,
    OPTIMIZERS,
    PRESET_LABELS,
    PRESETS,
    ModelSpec,
    Preset,
    TrainConfig,
)
from mnist_core.i18n import N_, integer, tr

UNIT_CHOICES = [1, 2, 4, 8, 10, 16, 32, 50, 64, 100, 128, 256, 512, 784, 1024]
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
OPTIMIZER_LABELS = {"sgd": "SGD", "rmsprop": "RMSProp", "adam": "Adam"}
# The English labels of the bound radios are ui/links.py's: a link carries them.
ARCHITECTURE_LABELS = {"dense": N_("Dense layers (lessons 3, 5)"), "convnet": N_("Small convnet (lesson 6)")}
VALIDATION_LABELS = {
    "holdout": N_("Hold out 5,000 training images (right practice)"),
    "test": N_("Use the test set (the lesson's shortcut)"),
}


def preset_widget_values(preset: Preset) -> dict:
    """The session-state values of every control for ``preset``."""
    model, train = preset.model, preset.train
    values = {
        "train_architecture": model.architecture,
        "train_layers": len(model.hidden_units),
        "train_activation": model.activation,
        "train_conv_filters": model.conv_filters,
        "train_conv_dense_units": model.conv_dense_units,
        "train_optimizer": model.optimizer,
        "train_learning_rate": model.learning_rate,
        "train_scale": model.scale_inputs,
        "train_epochs": train.epochs,
        "train_batch_size": train.batch_size,
        "train_validation": train.validation,
        "train_seed": train.seed,
    }
    for index in range(MAX_HIDDEN_LAYERS):
        units = model.hidden_units[index] if index < len(model.hidden_units) else 32
        values[f"train_units_{index}"] = units
        values[f"train_dropout_{index}"] = model.dropout[index] if index < len(model.dropout) else 0.0
    return values


FIRST_NETWORK = preset_widget_values(PRESETS["first-network"])  # every control's default


def apply_preset() -> None:
    """on_change of the preset picker: set every control to the chosen preset."""
    st.session_state.update(preset_widget_values(PRESETS[st.session_state["train_preset"]]))


def ensure_defaults() -> None:
    """Give every control its first-network value on the first visit.

    The widgets take the same values as their defaults too: a bound widget leaves its default
    out of the URL, so a link's value that equals the default must give the default back.
    """
    for key, value in preset_widget_values(PRESETS["first-network"]).items():
        st.session_state.setdefault(key, value)


@dataclass
class FormResult:
    spec: ModelSpec | None
    config: TrainConfig | None
    error: str | None


def preset_picker() -> None:
    st.selectbox(
        tr("Start from a lesson's network"),
        list(PRESETS),
        format_func=lambda key: tr(PRESET_LABELS[key]),
        key="train_preset",
        bind="query-params",
        persist_state="session",
        on_change=apply_preset,
        help=tr("Sets every control below; change any of them afterwards."),
    )


def define_controls() -> None:
    """Step 2: the layers."""
    architecture = st.radio(
        tr("Architecture"),
        ["dense", "convnet"],
        index=["dense", "convnet"].index(FIRST_NETWORK["train_architecture"]),
        format_func=lambda architecture: tr(ARCHITECTURE_LABELS[architecture]),
        key="train_architecture",
        bind="query-params",
        persist_state="session",
        horizontal=True,
        help=tr(
            "Dense: every input pixel connects to every hidden unit. Convnet: small filters slide over the image."
        ),
    )
    if architecture == "convnet":
        st.select_slider(
            tr("Filters (3 x 3)"),
            [8, 16, 32, 64],
            value=FIRST_NETWORK["train_conv_filters"],
            key="train_conv_filters",
            bind="query-params",
            persist_state="session",
            help=tr("How many patterns the conv layer learns to detect."),
        )
        st.select_slider(
            tr("Dense units after Flatten"),
            UNIT_CHOICES,
            value=FIRST_NETWORK["train_conv_dense_units"],
            key="train_conv_dense_units",
            bind="query-params",
            persist_state="session",
            help=tr("Hidden units before the output."),
        )
        return
    layers = st.slider(
        tr("Hidden layers"),
        0,
        MAX_HIDDEN_LAYERS,
        value=FIRST_NETWORK["train_layers"],
        key="train_layers",
        bind="query-params",
        persist_state="session",
        help=tr("0 connects the 784 pixels straight to the 10 outputs."),
    )
    for index in range(layers):
        units_column, dropout_column = st.columns(2)
        units_column.select_slider(
            tr("Layer {number}: units").format(number=index + 1),
            UNIT_CHOICES,
            value=FIRST_NETWORK[f"train_units_{index}"],
            key=f"train_units_{index}",
            bind="query-params",
            persist_state="session",
            help=tr("Width of this layer; the lesson tries 32, 64, 512 and 784."),
        )
        dropout_column.slider(
            tr("Layer {number}: dropout").format(number=index + 1),
            0.0,
            MAX_DROPOUT,
            value=FIRST_NETWORK[f"train_dropout_{index}"],
            step=0.05,
            key=f"train_dropout_{index}",
            bind="query-params",
            persist_state="session",
            help=tr("Share of this layer's outputs randomly ignored at each update (0.2 = one in five)."),
        )
    if layers:
        st.radio(
            tr("Activation"),
            ACTIVATIONS,
            index=ACTIVATIONS.index(FIRST_NETWORK["train_activation"]),
            key="train_activation",
            bind="query-params",
            persist_state="session",
            horizontal=True,
            help=tr("The non-linearity after each hidden layer."),
        )
    st.toggle(
        tr("Scale pixels to 0-1"),
        value=FIRST_NETWORK["train_scale"],
        key="train_scale",
        bind="query-params",
        persist_state="session",
        help=tr("Off feeds raw 0-255 values: lesson 3 shows why that trains badly."),
    )


def compile_controls() -> None:
    """Step 3: loss and optimizer."""
    st.caption(tr("Loss: categorical cross-entropy. Metric: accuracy."))
    st.radio(
        tr("Optimizer"),
        OPTIMIZERS,
        index=OPTIMIZERS.index(FIRST_NETWORK["train_optimizer"]),
        format_func=OPTIMIZER_LABELS.get,
        key="train_optimizer",
        bind="query-params",
        persist_state="session",
        horizontal=True,
        help=tr("How the gradient becomes a weight update. RMSProp and Adam adapt the step per weight."),
    )
    st.select_slider(
        tr("Learning rate"),
        LEARNING_RATES,
        value=FIRST_NETWORK["train_learning_rate"],
        key="train_learning_rate",
        bind="query-params",
        persist_state="session",
        help=tr("The size of each step downhill. Try 10 to watch a run diverge."),
    )


def fit_controls() -> None:
    """Step 4: epochs, batches, validation, seed."""
    st.slider(
        tr("Epochs"),
        1,
        MAX_EPOCHS,
        value=FIRST_NETWORK["train_epochs"],
        key="train_epochs",
        bind="query-params",
        persist_state="session",
        help=tr("Passes over the whole training set."),
    )
    st.number_input(
        tr("Batch size"),
        min_value=1,
        max_value=MAX_TRAIN_SAMPLES,
        value=FIRST_NETWORK["train_batch_size"],
        step=1,
        key="train_batch_size",
        bind="query-params",
        persist_state="session",
        help=tr("Images per gradient update: 1 to {most}.").format(most=integer(MAX_TRAIN_SAMPLES)),
    )
    st.radio(
        tr("Validation data"),
        ["holdout", "test"],
        index=["holdout", "test"].index(FIRST_NETWORK["train_validation"]),
        format_func=lambda validation: tr(VALIDATION_LABELS[validation]),
        key="train_validation",
        bind="query-params",
        persist_state="session",
        help=tr("Watched after every epoch to spot overfitting."),
    )
    st.number_input(
        tr("Random seed"),
        min_value=0,
        max_value=MAX_SEED,
        value=FIRST_NETWORK["train_seed"],
        key="train_seed",
        bind="query-params",
        persist_state="session",
        help=tr("Same seed, same curves."),
    )


def layer_formula_text(spec: ModelSpec) -> str:
    """What each layer computes, for this network: the hidden layers' activation, softmax at the output."""
    output = tr("softmax(dot(x, w) + b), which turns its 10 numbers into probabilities that add up to 1")
    if spec.architecture == "convnet":
        layers = tr(
            "The Conv2D layer learns 3 x 3 filters (9 weights and a bias each, then relu), the hidden Dense "
            "layer computes relu(dot(x, w) + b), and the output layer {output}."
        ).format(output=output)
    elif spec.hidden_units:
        layers = tr(
            "Each hidden Dense layer computes {activation}(dot(x, w) + b), and the output layer {output}. "
            "A Dense layer learns one weight per input per unit, plus one bias per unit."
        ).format(activation=spec.activation, output=output)
    else:
        layers = tr(
            "With no hidden layer, the one Dense layer computes {output}: one weight per pixel per digit, "
            "plus one bias per digit."
        ).format(output=output)
    return (
        layers + " " + tr("These are learned; everything you set above is a hyperparameter, chosen by you.")
    )


def read_form() -> FormResult:
    """Turn the controls' current values into a spec and config, or a message saying what to fix."""
    state = st.session_state
    layers = state["train_layers"] if state["train_architecture"] == "dense" else 0
    try:
        spec = ModelSpec(
            architecture=state["train_architecture"],
            hidden_units=tuple(int(state[f"train_units_{i}"]) for i in range(layers)),
            dropout=tuple(float(state[f"train_dropout_{i}"]) for i in range(layers)),
            activation=state["train_activation"],
            conv_filters=int(state["train_conv_filters"]),
            conv_dense_units=int(state["train_conv_dense_units"]),
            optimizer=state["train_optimizer"],
            learning_rate=float(state["train_learning_rate"]),
            scale_inputs=bool(state["train_scale"]),
        )
        config = TrainConfig(
            epochs=int(state["train_epochs"]),
            batch_size=int(state["train_batch_size"]),
            validation=state["train_validation"],
            seed=int(state["train_seed"]),
        )
    except ValueError as error:
        return FormResult(None, None, str(error))
    return FormResult(spec, config, None)
