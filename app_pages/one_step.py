"""One step by numbers (life-cycle steps 3-4): one turn of the training loop on your own network."""

import numpy as np
import pandas as pd
import streamlit as st

from app_pages.build_and_train_ui.train_form import OPTIMIZER_LABELS, ensure_defaults, read_form
from app_pages.one_step_ui.one_step_views import (
    cached_step,
    general,
    network_from_link,
    network_into_link,
    race_link_params,
    weight_layers,
)
from mnist_core.figures.prediction_figures import image_grid_figure
from mnist_core.figures.step_figures import cross_entropy_figure, unit_weights_figure
from mnist_core.figures.surface_figures import signed
from mnist_core.i18n import integer, number, tr
from mnist_core.landscape.one_step import HYPERPARAMETERS, UPDATE_FORMULAS, WeightChoice, cross_entropy
from ui.charts import chart, show_chart
from ui.links import link_to_this_view
from ui.resources import mnist
from ui.worker_jobs import WorkerJobFailed, show_failure

st.title(tr("One step by numbers"))
link_to_this_view("one_step")
st.caption(
    tr(
        "Life-cycle steps 3 and 4: what fit does thousands of times, once, slowly. Pick a batch, run it forward, "
        "measure the loss, take its gradient and let the optimizer move every weight a little."
    )
)
network_from_link()
ensure_defaults()
form = read_form()
if form.error:
    st.error(
        tr("The network set on Build & Train can't be built: {error}").format(error=form.error),
        icon=":material/tune:",
    )
    st.page_link("app_pages/build_and_train.py", label=tr("Fix it on Build & Train"), icon=":material/tune:")
    st.stop()
spec, config = form.spec, form.config
network_into_link()
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(
        tr("**Your network:** `{network}`, initial weights of seed {seed}").format(
            network=spec.describe(), seed=config.seed
        ),
        width="content",
    )
    st.page_link(
        "app_pages/build_and_train.py", label=tr("Change it on Build & Train"), icon=":material/tune:"
    )

(x_train, y_train), _ = mnist()  # for the batch's pictures: the step itself runs in a worker

# --- 1. The batch and the forward pass ---
st.subheader(tr("1 · A batch goes forward"))
batch_column, images_column = st.columns([1, 2.5])
first = batch_column.number_input(
    tr("First training image"), 0, len(x_train) - 1, 0, key="step_first_image", bind="query-params",
    help=tr("The batch is this image and the ones after it in the training set."),
)  # fmt: skip
size = batch_column.select_slider(
    tr("Images in the batch"), [1, 2, 4, 8, 16, 32], 4, key="step_batch_size", bind="query-params",
    help=tr("fit uses your batch size; a few images keep every number on screen."),
)  # fmt: skip
size = min(size, len(x_train) - first)
layers = weight_layers(spec)
labels = [f"{i + 1}: {name}" for i, (name, _) in enumerate(layers)]
layer = batch_column.selectbox(
    tr("Follow a weight of layer"), range(len(layers)), format_func=labels.__getitem__, key="step_layer",
    bind="query-params",
)  # fmt: skip
shape = layers[layer][1]
fan_in = int(np.prod(shape[:-1]))
if st.session_state.get("step_input", 0) >= fan_in:  # another layer (or network) has fewer inputs
    st.session_state["step_input"] = fan_in // 2
if st.session_state.get("step_unit", 0) >= shape[-1]:
    st.session_state["step_unit"] = 0
from_what = (
    tr("From pixel ({range})") if layer == 0 and spec.architecture == "dense" else tr("From input ({range})")
)
source = batch_column.number_input(
    from_what.format(range=f"0-{fan_in - 1}"), 0, fan_in - 1, min(350, fan_in - 1) if layer == 0 else 0,
    key="step_input", bind="query-params",
    help=tr("For the first Dense layer, pixel 28 x row + column of the flattened image: 350 is (12, 14)."),
)  # fmt: skip
unit = batch_column.number_input(
    tr("To unit ({range})").format(range=f"0-{shape[-1] - 1}"), 0, shape[-1] - 1, min(3, shape[-1] - 1),
    key="step_unit", bind="query-params",
    help=tr("Unit 3 of the first network learns from pixel 350 on the first batch; many others are switched off."),
)  # fmt: skip
index = (*np.unravel_index(source, shape[:-1]), unit)
weight = WeightChoice(layer, tuple(int(i) for i in index))
try:
    step = cached_step(spec, config.seed, first, size, weight)
except WorkerJobFailed as failure:
    show_failure(failure)
    st.stop()

titles = [f"{label}: p={number(p[label], 2)}" for label, p in zip(step.labels, step.probabilities)]
show_chart(
    chart(image_grid_figure, x_train[first : first + size], titles, columns=8, tile_px=70),
    key="step_batch", where=images_column,
    alt=tr(
        "The batch: {size} training images from number {first}, digits {digits}, each with the probability "
        "the network gives its true digit."
    ).format(size=integer(size), first=integer(first), digits=", ".join(map(str, step.labels))),
)  # fmt: skip
predicted = step.probabilities.argmax(axis=1)
images_column.dataframe(
    pd.DataFrame(
        {
            tr("image"): np.arange(first, first + size),
            tr("true digit"): step.labels,
            tr("network says"): predicted,
            tr("p(true digit)"): step.probabilities[np.arange(size), step.labels],
            tr("loss = −ln p"): step.losses,
        }
    ),
    hide_index=True,
    height=min(38 + 35 * size, 250),
)
images_column.caption(
    tr(
        "The output layer is a softmax: 10 positive numbers that add up to 1, one per digit. Untrained, the "
        "network spreads them almost evenly (about {tenth} each). The batch's loss is the mean: **{loss}**."
    ).format(tenth=number(0.1), loss=number(step.loss, 4))
)

# --- 2. The loss ---
st.subheader(tr("2 · The loss: cross-entropy"))
explain_column, curve_column = st.columns([1, 1.6])
with explain_column:
    st.latex(r"L = -\ln p_{\text{true digit}}")
    st.markdown(
        tr(
            "Cross-entropy is the network's *surprise* at the right answer. It only looks at the probability "
            "given to the true digit: 1 costs nothing, {guess} (a guess) costs {guess_loss}, and a confident "
            "wrong answer costs a lot."
        ).format(guess=number(0.1), guess_loss=number(cross_entropy(0.1), 2))
    )
    confidence = st.slider(
        tr("Probability given to the true digit"), 0.001, 1.0, 0.1, 0.001, format="%.3f",
        key="step_confidence", bind="query-params",
    )  # fmt: skip
    st.markdown(
        tr(
            "Loss **{loss}**. Sure and wrong (p = {sure}): {sure_loss}, three times a guess's {guess_loss}."
        ).format(
            loss=number(cross_entropy(confidence), 2),
            sure=number(0.001),
            sure_loss=number(cross_entropy(0.001), 2),
            guess_loss=number(cross_entropy(0.1), 2),
        )
    )
    st.caption(
        tr(
            "Two classes (cat or not): binary cross-entropy, −(y ln p + (1 − y) ln(1 − p)): the same curve for "
            "y = 1, and its mirror, dashed, for y = 0."
        )
    )
show_chart(
    chart(cross_entropy_figure, confidence), key="step_loss_curve", where=curve_column,
    alt=tr(
        "The curve of −ln p for p from 0 to 1: loss {loss} at p = {p}, {half_loss} at {half} and {sure_loss} "
        "at {sure}; dashed, its mirror −ln(1 − p)."
    ).format(
        loss=number(cross_entropy(confidence), 2), p=number(confidence, 3),
        half_loss=number(cross_entropy(0.5), 2), half=number(0.5),
        sure_loss=number(cross_entropy(0.001), 2), sure=number(0.001),
    ),
)  # fmt: skip

# --- 3. The backward pass ---
st.subheader(tr("3 · Backward: the gradient of one weight"))
at = ", ".join(map(str, weight.index))
st.markdown(
    tr(
        "The weight `{weight}` is **{value}**. `tf.GradientTape` recorded the forward pass and gives its "
        "gradient, ∂L/∂w = **{gradient}**: the slope of the loss if this weight alone moved. Positive means a "
        "larger weight would raise the loss, so the optimizer lowers it."
    ).format(
        weight=f"{step.layer_name}.kernel[{at}]",
        value=signed(step.before, 6),
        gradient=general(step.gradient),
    )
)
if step.gradient == 0:
    best = int(np.abs(step.input_gradients).argmax())
    st.info(
        tr(
            "This weight's gradient is exactly 0: its input is 0 (blank paper) in every image of the batch, or "
            "its unit is switched off (ReLU of a negative sum) for all of them. Nothing flows back, so this step "
            "leaves it alone."
        ),
        icon=":material/block:",
    )
    if step.input_gradients[best] != 0:
        st.button(
            tr("Follow unit {unit} instead: the largest gradient from this input").format(unit=best),
            key="step_best_unit", on_click=lambda: st.session_state.update(step_unit=best),
        )  # fmt: skip
if step.terms is not None:
    st.latex(
        r"\frac{\partial L}{\partial w} = \frac{1}{n}\sum_{\text{images}} a_{\text{in}} \cdot \delta_{\text{unit}}"
    )
    terms = pd.DataFrame(
        {
            tr("image"): np.arange(first, first + size),
            tr("a: what flows in"): [general(v, sign=False) for v in step.terms[:, 0]],
            tr("δ: the unit's error"): [general(v) for v in step.terms[:, 1]],
            "a · δ": [general(v) for v in step.terms[:, 0] * step.terms[:, 1]],
        }
    )
    st.dataframe(terms, hide_index=True, height=min(38 + 35 * size, 250))
    st.caption(
        tr(
            "By backpropagation, by hand: the mean of a · δ is **{hand}**, the tape's {tape}. δ is the error at "
            "the unit: p − y at the output (probability minus the one-hot target), passed back through the later "
            "weights and the activation's slope for hidden units. Dropout is off in this view, so every number "
            "can be followed."
        ).format(hand=general(step.hand_gradient), tape=general(step.gradient))
    )

# --- 4. The update ---
st.subheader(tr("4 · The update: {optimizer}").format(optimizer=OPTIMIZER_LABELS[spec.optimizer]))
formula_column, numbers_column = st.columns([1, 1.4])
with formula_column:
    st.latex(r"\begin{gathered}" + r"\\ ".join(UPDATE_FORMULAS[spec.optimizer]) + r"\end{gathered}")
    knobs = "".join(
        f", {k} = {general(v, 3, sign=False)}" for k, v in HYPERPARAMETERS[spec.optimizer].items()
    )
    st.caption(
        tr(
            "η = {rate}{knobs} (Keras's defaults). This is the run's first step, t = 1, with m and v still 0."
        ).format(rate=general(spec.learning_rate, 3, sign=False), knobs=knobs)
    )
with numbers_column:
    rows = [(tr("w before"), step.before), ("g", step.gradient), *step.update.lines]
    rows += [
        (tr("w after, by the formula"), step.update.after_formula),
        (tr("w after, as Keras applied it"), step.after),
    ]
    table = pd.DataFrame([(what, signed(value, 9)) for what, value in rows], columns=["", tr("value")])
    st.dataframe(table, hide_index=True, width="stretch")
    if spec.optimizer == "sgd":
        st.caption(tr("SGD's step is η x g: a steep slope takes a big step, a flat one a tiny step."))
    else:
        st.caption(
            tr(
                "Dividing by √v makes the first step about η long (RMSProp about {rmsprop} η) whatever the "
                "gradient's size: each weight gets a step of its own."
            ).format(rmsprop=number(3.2, 1))
        )
st.markdown(
    tr(
        "One step changed **{changed} of the {total} weights**, each by its own gradient; the weights whose "
        "input was 0 in every image (blank paper) had no gradient and did not move."
    ).format(changed=integer(step.changed_weights), total=integer(step.total_weights))
)
changes = step.unit_after - step.unit_before
if spec.architecture == "dense" and layer == 0:
    before_column, change_column = st.columns(2)
    for where, values, title, key in (
        (
            before_column,
            step.unit_before,
            tr("unit {unit}'s 784 weights before the step").format(unit=unit),
            "step_unit_before",
        ),
        (change_column, changes, tr("their change in this one step (its own scale)"), "step_unit_change"),
    ):
        show_chart(
            chart(unit_weights_figure, values, title),
            key=key, where=where,
            alt=tr("{title} as a 28 x 28 image, from {low} to {high}.").format(
                title=title[:1].upper() + title[1:], low=general(values.min(), 3), high=general(values.max(), 3)
            ),
        )  # fmt: skip
    st.caption(
        tr(
            "The change has its own colour scale: it is much smaller than the weights. Only pixels with ink in an "
            "image where this unit was on moved; with RMSProp or Adam they all moved by about the same amount. "
            "Blue +, red −."
        )
    )
else:
    largest = np.argsort(-np.abs(changes))[:8]
    st.dataframe(
        pd.DataFrame(
            {
                tr("input"): largest,
                tr("before"): step.unit_before[largest],
                tr("after"): step.unit_after[largest],
            }
        ),
        hide_index=True,
    )
    st.caption(
        tr("The 8 weights into unit {unit} that moved most, before and after the step.").format(unit=unit)
    )

st.page_link(
    "app_pages/loss_surface.py",
    label=tr("Watch {optimizer} take 500 such steps on a loss surface of two weights").format(
        optimizer=OPTIMIZER_LABELS[spec.optimizer]
    ),
    icon=":material/landscape:",
    query_params=race_link_params(spec),
)
