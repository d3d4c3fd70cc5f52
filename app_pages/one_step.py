"""One step by numbers (life-cycle steps 3-4): one turn of the training loop on your own network."""

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core.figures.prediction_figures import DIVERGING, image_grid_figure
from mnist_core.figures.step_figures import cross_entropy_figure
from mnist_core.one_step import HYPERPARAMETERS, UPDATE_FORMULAS, WeightChoice, cross_entropy
from ui.charts import show_chart
from ui.links import link_to_this_view
from ui.one_step_views import (
    cached_step,
    network_from_link,
    network_into_link,
    race_link_params,
    weight_layers,
)
from ui.resources import keras_module, mnist
from ui.train_form import OPTIMIZER_LABELS, ensure_defaults, read_form

st.title("One step by numbers")
link_to_this_view("one_step")
st.caption(
    "Life-cycle steps 3 and 4: what fit does thousands of times, once, slowly. Pick a batch, run it forward, "
    "measure the loss, take its gradient and let the optimizer move every weight a little."
)
network_from_link()
ensure_defaults()
form = read_form()
if form.error:
    st.error(f"The network set on Build & Train can't be built: {form.error}", icon=":material/tune:")
    st.page_link("app_pages/build_and_train.py", label="Fix it on Build & Train", icon=":material/tune:")
    st.stop()
spec, config = form.spec, form.config
network_into_link()
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(
        f"**Your network:** `{spec.describe()}`, initial weights of seed {config.seed}", width="content"
    )
    st.page_link("app_pages/build_and_train.py", label="Change it on Build & Train", icon=":material/tune:")

keras_module()
(x_train, y_train), _ = mnist()

# --- 1. The batch and the forward pass ---
st.subheader("1 · A batch goes forward")
batch_column, images_column = st.columns([1, 2.5])
first = batch_column.number_input(
    "First training image", 0, len(x_train) - 1, 0, key="step_first_image", bind="query-params",
    help="The batch is this image and the ones after it in the training set.",
)  # fmt: skip
size = batch_column.select_slider(
    "Images in the batch", [1, 2, 4, 8, 16, 32], 4, key="step_batch_size", bind="query-params",
    help="fit uses your batch size; a few images keep every number on screen.",
)  # fmt: skip
size = min(size, len(x_train) - first)
layers = weight_layers(spec)
labels = [f"{i + 1}: {name}" for i, (name, _) in enumerate(layers)]
layer = batch_column.selectbox(
    "Follow a weight of layer", range(len(layers)), format_func=labels.__getitem__, key="step_layer",
    bind="query-params",
)  # fmt: skip
shape = layers[layer][1]
fan_in = int(np.prod(shape[:-1]))
if st.session_state.get("step_input", 0) >= fan_in:  # another layer (or network) has fewer inputs
    st.session_state["step_input"] = fan_in // 2
if st.session_state.get("step_unit", 0) >= shape[-1]:
    st.session_state["step_unit"] = 0
what_in = "pixel" if layer == 0 and spec.architecture == "dense" else "input"
source = batch_column.number_input(
    f"From {what_in} (0-{fan_in - 1})", 0, fan_in - 1, min(350, fan_in - 1) if layer == 0 else 0,
    key="step_input", bind="query-params",
    help="For the first Dense layer, pixel 28 x row + column of the flattened image: 350 is (12, 14).",
)  # fmt: skip
unit = batch_column.number_input(
    f"To unit (0-{shape[-1] - 1})", 0, shape[-1] - 1, min(3, shape[-1] - 1), key="step_unit", bind="query-params",
    help="Unit 3 of the first network learns from pixel 350 on the first batch; many others are switched off.",
)  # fmt: skip
index = (*np.unravel_index(source, shape[:-1]), unit)
weight = WeightChoice(layer, tuple(int(i) for i in index))
step = cached_step(spec, config.seed, first, size, weight, x_train, y_train)

titles = [f"{label}: p={p[label]:.2f}" for label, p in zip(step.labels, step.probabilities)]
show_chart(
    image_grid_figure(x_train[first : first + size], titles, columns=8, tile_px=70),
    key="step_batch", where=images_column,
    alt=f"The batch: {size} training images from number {first}, digits {', '.join(map(str, step.labels))}, "
    f"each with the probability the network gives its true digit.",
)  # fmt: skip
predicted = step.probabilities.argmax(axis=1)
images_column.dataframe(
    pd.DataFrame(
        {
            "image": np.arange(first, first + size),
            "true digit": step.labels,
            "network says": predicted,
            "p(true digit)": step.probabilities[np.arange(size), step.labels],
            "loss = −ln p": step.losses,
        }
    ),
    hide_index=True,
    height=min(38 + 35 * size, 250),
)
images_column.caption(
    "The output layer is a softmax: 10 positive numbers that add up to 1, one per digit. Untrained, the "
    f"network spreads them almost evenly (about 0.1 each). The batch's loss is the mean: **{step.loss:.4f}**."
)

# --- 2. The loss ---
st.subheader("2 · The loss: cross-entropy")
explain_column, curve_column = st.columns([1, 1.6])
with explain_column:
    st.latex(r"L = -\ln p_{\text{true digit}}")
    st.markdown(
        "Cross-entropy is the network's *surprise* at the right answer. It only looks at the probability given "
        "to the true digit: 1 costs nothing, 0.1 (a guess) costs 2.30, and a confident wrong answer costs a lot."
    )
    confidence = st.slider(
        "Probability given to the true digit", 0.001, 1.0, 0.1, 0.001, format="%.3f",
        key="step_confidence", bind="query-params",
    )  # fmt: skip
    st.markdown(
        f"Loss **{cross_entropy(confidence):.2f}**. Sure and wrong (p = 0.001): {cross_entropy(0.001):.2f}, "
        f"three times a guess's {cross_entropy(0.1):.2f}."
    )
    st.caption(
        "Two classes (cat or not): binary cross-entropy, −(y ln p + (1 − y) ln(1 − p)): the same curve for "
        "y = 1, and its mirror, dashed, for y = 0."
    )
show_chart(
    cross_entropy_figure(confidence), key="step_loss_curve", where=curve_column,
    alt=f"The curve of −ln p for p from 0 to 1: loss {cross_entropy(confidence):.2f} at p = {confidence:.3f}, "
    f"{cross_entropy(0.5):.2f} at 0.5 and {cross_entropy(0.001):.2f} at 0.001; dashed, its mirror −ln(1 − p).",
)  # fmt: skip

# --- 3. The backward pass ---
st.subheader("3 · Backward: the gradient of one weight")
at = ", ".join(map(str, weight.index))
st.markdown(
    f"The weight `{step.layer_name}.kernel[{at}]` is **{step.before:+.6f}**. `tf.GradientTape` recorded the forward "
    f"pass and gives its gradient, ∂L/∂w = **{step.gradient:+.6g}**: the slope of the loss if this weight alone "
    "moved. Positive means a larger weight would raise the loss, so the optimizer lowers it."
)
if step.gradient == 0:
    best = int(np.abs(step.input_gradients).argmax())
    st.info(
        "This weight's gradient is exactly 0: its input is 0 (blank paper) in every image of the batch, or its "
        "unit is switched off (ReLU of a negative sum) for all of them. Nothing flows back, so this step leaves "
        "it alone.",
        icon=":material/block:",
    )
    if step.input_gradients[best] != 0:
        st.button(
            f"Follow unit {best} instead: the largest gradient from this input",
            key="step_best_unit", on_click=lambda: st.session_state.update(step_unit=best),
        )  # fmt: skip
if step.terms is not None:
    st.latex(
        r"\frac{\partial L}{\partial w} = \frac{1}{n}\sum_{\text{images}} a_{\text{in}} \cdot \delta_{\text{unit}}"
    )
    terms = pd.DataFrame(
        {
            "image": np.arange(first, first + size),
            "a: what flows in": [f"{v:.6g}" for v in step.terms[:, 0]],
            "δ: the unit's error": [f"{v + 0.0:+.6g}" for v in step.terms[:, 1]],
            "a · δ": [f"{v + 0.0:+.6g}" for v in step.terms[:, 0] * step.terms[:, 1]],
        }
    )
    st.dataframe(terms, hide_index=True, height=min(38 + 35 * size, 250))
    st.caption(
        f"By backpropagation, by hand: the mean of a · δ is **{step.hand_gradient:+.6g}**, the tape's "
        f"{step.gradient:+.6g}. δ is the error at the unit: p − y at the output (probability minus the one-hot "
        "target), passed back through the later weights and the activation's slope for hidden units. "
        "Dropout is off in this view, so every number can be followed."
    )

# --- 4. The update ---
st.subheader(f"4 · The update: {OPTIMIZER_LABELS[spec.optimizer]}")
formula_column, numbers_column = st.columns([1, 1.4])
with formula_column:
    st.latex(r"\begin{gathered}" + r"\\ ".join(UPDATE_FORMULAS[spec.optimizer]) + r"\end{gathered}")
    knobs = ", ".join(f"{k} = {v:g}" for k, v in HYPERPARAMETERS[spec.optimizer].items())
    st.caption(
        f"η = {spec.learning_rate:g}{', ' + knobs if knobs else ''} (Keras's defaults). This is the run's first "
        "step, t = 1, with m and v still 0."
    )
with numbers_column:
    rows = [("w before", step.before), ("g", step.gradient), *step.update.lines]
    rows += [
        ("w after, by the formula", step.update.after_formula),
        ("w after, as Keras applied it", step.after),
    ]
    table = pd.DataFrame([(what, f"{value:+.9f}") for what, value in rows], columns=["", "value"])
    st.dataframe(table, hide_index=True, width="stretch")
    if spec.optimizer == "sgd":
        st.caption("SGD's step is η x g: a steep slope takes a big step, a flat one a tiny step.")
    else:
        st.caption(
            "Dividing by √v makes the first step about η long (RMSProp about 3.2 η) whatever the gradient's size: "
            "each weight gets a step of its own."
        )
st.markdown(
    f"One step changed **{step.changed_weights:,} of the {step.total_weights:,} weights**, each by its own "
    "gradient; the weights whose input was 0 in every image (blank paper) had no gradient and did not move."
)
changes = step.unit_after - step.unit_before
if spec.architecture == "dense" and layer == 0:
    before_column, change_column = st.columns(2)
    for where, values, title, key in (
        (before_column, step.unit_before, f"unit {unit}'s 784 weights before the step", "step_unit_before"),
        (change_column, changes, "their change in this one step (its own scale)", "step_unit_change"),
    ):
        show_chart(
            image_grid_figure(values.reshape(1, 28, 28), [title], columns=1, colorscale=DIVERGING, symmetric=True, tile_px=230),
            key=key, where=where,
            alt=f"{title.capitalize()} as a 28 x 28 image, from {values.min():+.3g} to {values.max():+.3g}.",
        )  # fmt: skip
    st.caption(
        "The change has its own colour scale: it is much smaller than the weights. Only pixels with ink in an image "
        "where this unit was on moved; with RMSProp or Adam they all moved by about the same amount. Blue +, red −."
    )
else:
    largest = np.argsort(-np.abs(changes))[:8]
    st.dataframe(
        pd.DataFrame(
            {"input": largest, "before": step.unit_before[largest], "after": step.unit_after[largest]}
        ),
        hide_index=True,
    )
    st.caption(f"The 8 weights into unit {unit} that moved most, before and after the step.")

st.page_link(
    "app_pages/loss_surface.py",
    label=f"Watch {OPTIMIZER_LABELS[spec.optimizer]} take 500 such steps on a loss surface of two weights",
    icon=":material/landscape:",
    query_params=race_link_params(spec),
)
