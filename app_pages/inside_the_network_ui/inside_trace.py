"""Inside the network's first tab: one digit through the layers, number by number (life-cycle step 6).

Keras never runs here: what only Keras computes (the model's probabilities, a convnet's feature
maps, the shape errors) comes from a worker (``ui.worker_jobs``), remembered per model and input;
the trace is NumPy arithmetic on the weights of the model's description.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core.figures.prediction_figures import (
    activations_figure,
    digit_figure,
    image_grid_figure,
    probabilities_figure,
    products_figure,
    weight_histograms_figure,
)
from mnist_core.i18n import N_, current_language, integer, ntr, number, tr
from mnist_core.inspect.trace import (
    DenseTrace,
    conv_filters,
    first_layer_weight_images,
    is_dense_network,
    keras_outputs,
    layer_weights,
    softmax_steps,
    trace_dense,
    trace_described,
    trace_plan,
    untraceable_layers,
)
from mnist_core.jobs.model_jobs import ModelDescription, ModelRef
from mnist_core.teaching.lesson_bugs import shape_error_demo
from ui.charts import chart, show_chart
from ui.model_choice import ModelChoice, per_model, your_digit
from ui.presentation import presenter_view_on
from ui.resources import mnist
from ui.results import remembered
from ui.worker_jobs import WorkerJobFailed, on_model, run_quick, show_failure

MAX_WEIGHT_IMAGES = 64  # more 28 x 28 tiles than this are too small to read
SOURCE_KEY = "inside_source"
# ui.links.INSIDE_TABS, marked here for the catalogue: shown through tr, written in the URL as shown.
TABS = (N_("1 · Follow one digit"), N_("2 · Layer by layer"), N_("3 · Tensor shapes"))
TEST_IMAGE, YOUR_DIGIT = N_("A test image"), N_("Your digit")


def digest(*arrays: np.ndarray) -> str:
    """A short name of some arrays' values (an input image, a weight snapshot), for a cache key."""
    hashed = hashlib.blake2b(digest_size=12)
    for array in arrays:
        array = np.ascontiguousarray(array)
        hashed.update(f"{array.dtype}{array.shape}".encode())
        hashed.update(array.tobytes())
    return hashed.hexdigest()


def on_model_for_input(function: Callable, ref: ModelRef, *args, inputs: str):
    """``on_model(function, ref, *args)``, kept in the server's result store per model and ``inputs`` (a key
    of args).

    A rerun that changes nothing the worker computes (a unit, the temperature) asks it nothing.
    """
    return remembered(
        f"inside.{function.__module__}.{function.__qualname__}",
        ref.fingerprint,
        inputs,
        compute=lambda: on_model(function, ref, *args),
    )


def open_on_your_digit() -> None:
    """After "Follow this digit": start on the student's digit (called before the tabs are drawn)."""
    if your_digit():
        st.session_state[SOURCE_KEY] = YOUR_DIGIT


def pick_input() -> tuple[np.ndarray, str]:
    """The input radio (a test image or the student's digit) and the test image number: (image, title).

    Shared by the tabs that need one image; the choice outlives a closed tab.
    """
    _, (x_test, y_test) = mnist()
    drawn = your_digit()
    sources = [TEST_IMAGE] + ([YOUR_DIGIT] if drawn else [])
    picked_source = st.radio(
        tr("Input"),
        sources,
        format_func={source: tr(source) for source in sources}.__getitem__,  # translated now, on the page
        horizontal=True,
        key=SOURCE_KEY,
        bind="query-params",
        persist_state="session",
    )
    if picked_source == TEST_IMAGE:
        index = st.number_input(
            tr("Test image number"),
            0,
            len(x_test) - 1,
            0,
            key="inside_test_index",
            bind="query-params",
            persist_state="session",
        )
        image, title = (
            x_test[index],
            tr("x_test[{index}], label {label}").format(index=index, label=y_test[index]),
        )
    else:
        source = drawn["source"]  # named by the page that made it, in English or already translated
        image, title = drawn["digit"], tr(source)
    if not drawn:
        st.page_link(
            "app_pages/predictions.py",
            label=tr("Draw your own digit on the Predictions page"),
            icon=":material/target:",
        )
    return image, title


def _dense_trace(choice: ModelChoice, description: ModelDescription, image: np.ndarray) -> DenseTrace:
    """The trace of ``image``: NumPy on the description's weights, or a worker for a Keras-only activation."""
    plan = per_model(choice.ref, "trace_plan", lambda: on_model(trace_plan, choice.ref))
    if plan.numpy_only:
        return trace_described(plan, description, image)
    return on_model_for_input(trace_dense, choice.ref, image, inputs=digest(image))


def follow_one_digit(choice: ModelChoice) -> None:
    """The input, its prediction, and the trace: convolution filters or every Dense unit's sum."""
    description = choice.description
    st.header(tr("The input"))
    image, title = pick_input()
    input_column, output_column = st.columns(2)
    show_chart(chart(digit_figure, image, title), key="inside_input", where=input_column)
    try:
        keras_says = on_model_for_input(keras_outputs, choice.ref, image, inputs=digest(image))
        trace = _dense_trace(choice, description, image) if is_dense_network(description) else None
    except WorkerJobFailed as failure:
        show_failure(failure)
        return
    answer = keras_says.probabilities
    show_chart(chart(probabilities_figure, answer), key="inside_out", where=output_column)
    output_column.caption(
        tr("What `model.predict` says for this input: **{digit}**.").format(digit=answer.argmax())
    )

    if choice.is_convnet:
        st.header(tr("The convolution: 32 small filters slide over the image"))
        filters = conv_filters(description)
        maps = keras_says.feature_maps
        st.markdown(
            tr(
                "Each of the {filters} filters is a {height} x {width} grid of weights. Sliding it over the "
                "28 x 28 input and taking relu(dot(filter, patch) + b) at every position gives a {rows} x "
                "{columns} feature map: bright where the patch looks like the filter."
            ).format(
                filters=len(filters),
                height=filters.shape[1],
                width=filters.shape[2],
                rows=maps.shape[1],
                columns=maps.shape[2],
            )
        )
        show_chart(
            chart(
                image_grid_figure,
                filters,
                [tr("filter {number}").format(number=i) for i in range(len(filters))],
                16,
                "RdBu",
                True,
                tile_px=60,
            ),
            key="inside_filters",
        )
        show_chart(
            # Smaller tiles in presenter view: all 32 maps fit under the lesson bar on a 1280 x 720 screen.
            chart(
                image_grid_figure,
                maps,
                [tr("map {number}").format(number=i) for i in range(len(maps))],
                8,
                "gray",
                tile_px=96 if presenter_view_on() else 110,
            ),
            key="inside_maps",
        )
    elif trace is not None:
        st.header(tr("One unit: y = relu(dot(w, x) + b)"))
        first = trace.steps[0]
        where = tr("in the model's own Rescaling layer") if trace.scale else tr("before the model")
        st.markdown(
            tr(
                "The first layer reads 784 numbers x_i, one per pixel, each pixel / 255 ({where}). "
                "Each unit multiplies every input by its own weight, adds them up, adds its bias, then applies "
                "its activation. Pick a unit and see every number."
            ).format(where=where)
        )
        names = [
            ntr("{name} ({n} unit, {activation})", "{name} ({n} units, {activation})", step.units).format(
                name=step.name, n=integer(step.units), activation=step.activation
            )
            for step in trace.steps
        ]
        layer_column, unit_column = st.columns(2)
        layer_index = layer_column.selectbox(
            tr("Layer"),
            range(len(names)),
            format_func=names.__getitem__,
            key="inside_layer",
            bind="query-params",
        )
        step = trace.steps[layer_index]
        if step.units > 1:
            unit = unit_column.slider(
                tr("Unit"),
                0,
                step.units - 1,
                int(step.outputs.argmax()),
                key=f"inside_unit_{layer_index}",
                bind="query-params",
            )
        else:  # a slider needs two ends: a one-unit layer has only unit 0
            unit = 0
            unit_column.markdown(tr("**Unit 0**, the layer's only one"))
        detail = trace.unit(layer_index, unit)
        picture_column, sum_column = st.columns([1, 1.3])
        with picture_column:
            if len(detail.products) == 784:
                show_chart(chart(products_figure, detail.products), key="inside_products")
                st.caption(
                    tr("Each pixel's w·x: blue pushes the unit up, red pushes it down, white does nothing.")
                )
            else:
                show_chart(
                    chart(activations_figure, detail.products, label=tr("input")), key="inside_products"
                )
                st.caption(tr("Each input's w·x for this unit."))
        with sum_column:
            # The numbers stay as code, written as Python prints them: the student can check them in Keras.
            st.markdown(
                tr("**Sum of the {n} products** w·x = {total}").format(
                    n=len(detail.products), total=f"`{detail.total:.6f}`"
                )
                + "  \n"
                + tr("**+ bias** b = {bias} → {sum}").format(
                    bias=f"`{detail.bias:+.6f}`", sum=f"`{detail.pre_activation:.6f}`"
                )
                + f"  \n**{detail.activation}** → `{detail.output:.6f}`"
                + (
                    "  " + tr("(negative becomes 0)")
                    if detail.activation == "relu" and detail.pre_activation < 0
                    else ""
                )
            )
            top = np.argsort(-np.abs(detail.products))[:8]
            st.dataframe(
                pd.DataFrame(
                    {
                        tr("input i"): top,
                        **(
                            {tr("pixel (row, col)"): [f"({i // 28}, {i % 28})" for i in top]}
                            if layer_index == 0
                            else {}
                        ),
                        "x_i": detail.inputs[top],
                        "w_i": detail.weights[top],
                        "w_i · x_i": detail.products[top],
                    }
                ),
                hide_index=True,
                column_config={
                    c: st.column_config.NumberColumn(format="%.5f") for c in ("x_i", "w_i", "w_i · x_i")
                },
            )
            st.caption(
                tr("The 8 largest of {n} products; {zeros} are zero.").format(
                    n=integer(len(detail.products)), zeros=integer(int((detail.inputs == 0).sum()))
                )
            )
        for position, hidden in enumerate(trace.hidden):
            st.markdown(
                tr("**Every unit of {layer}** (the chosen one highlighted):").format(layer=hidden.name)
            )
            show_chart(
                chart(
                    activations_figure, hidden.outputs, unit if position == layer_index else None, tr("unit")
                ),
                key=f"inside_hidden_{position}",
            )

        st.header(tr("The output: logits, then softmax step by step"))
        temperature = st.slider(
            tr("Temperature T"), 0.1, 5.0, 1.0, 0.1, key="inside_temperature", bind="query-params"
        )
        soft = softmax_steps(trace.logits, temperature)
        probability_column = tr("÷ sum = probability")
        st.dataframe(
            pd.DataFrame(
                {
                    tr("digit"): range(10),
                    tr("logit z"): soft.logits,
                    "z / T": soft.tempered,
                    tr("minus the max"): soft.shifted,
                    "exp(…)": soft.exponentials,
                    probability_column: soft.probabilities,
                }
            ),
            hide_index=True,
            column_config={
                name: st.column_config.NumberColumn(format="%.6f") for name in ("exp(…)", probability_column)
            },
        )
        difference = np.abs(softmax_steps(trace.logits).probabilities - answer).max()
        st.caption(
            tr(
                "Sum of the exponentials: {total}. Subtracting the max first changes nothing in the result "
                "but keeps exp from overflowing. Higher T flattens the probabilities, lower T sharpens them; "
                "the winner stays **{digit}**. At T = 1 these are the model's own numbers: "
                "they differ from Keras's output by at most {difference}."
            ).format(
                total=number(soft.total, 6), digit=soft.probabilities.argmax(), difference=f"{difference:.1e}"
            )
        )

        st.header(tr("What each first-layer unit looks for"))
        weights = first_layer_weight_images(description)[:MAX_WEIGHT_IMAGES]
        show_chart(
            chart(
                image_grid_figure,
                weights,
                [tr("unit {number}").format(number=i) for i in range(len(weights))],
                8,
                "RdBu",
                True,
                tile_px=100,
            ),
            key="inside_weight_images",
        )
        st.caption(
            tr(
                "Each unit's 784 weights laid out as a 28 x 28 image: ink on blue pixels raises the unit's output, "
                "ink on red lowers it."
            )
            + (
                " "
                + tr("The first {shown} of {units} units.").format(
                    shown=MAX_WEIGHT_IMAGES, units=integer(first.units)
                )
                if first.units > MAX_WEIGHT_IMAGES
                else ""
            )
        )
    else:
        st.info(
            tr(
                "The number-by-number trace follows Dense layers only; it cannot follow {layers}. The weights "
                "below are still this model's. Pick a Dense network to follow a digit through it."
            ).format(layers=", ".join(untraceable_layers(description)) or tr("a model without Dense layers")),
            icon=":material/info:",
        )

    weighted_layers = layer_weights(description)
    if weighted_layers:
        st.header(tr("Weights of every layer"))
        show_chart(
            chart(weight_histograms_figure, [(w.name, w.weights) for w in weighted_layers]),
            key="inside_histograms",
        )
        st.caption(
            tr("How many of each layer's weights fall in each range. Each bar chart has its own scale.")
        )

    st.header(tr("Shape errors, for real (lesson 3)"))
    st.markdown(
        tr(
            "Two preparation steps are easy to forget. Each button runs the real Keras `fit` without one of them "
            "and shows the error Keras raises."
        )
    )

    for which, label in (
        ("reshape", N_("Fit without the reshape")),
        ("one-hot", N_("Fit without the one-hot encoding")),
    ):
        if st.button(tr(label), key=f"inside_bug_{which}"):
            st.session_state[f"inside_bug_{which}_shown"] = True
        if st.session_state.get(f"inside_bug_{which}_shown"):
            try:
                with st.spinner(tr("Running model.fit…")):
                    demo = shape_error(which, current_language())
            except WorkerJobFailed as failure:
                show_failure(failure)
                continue
            st.code(demo.buggy_code, language="python")
            # Keras's own words, as code: that is what the student will meet. A line ends after each of
            # its colons and full stops, so the message fits the box instead of scrolling sideways.
            said = re.sub(r"(?<=[:.]) ", "\n", demo.message)
            st.error(
                tr("Keras stops with a **{error}**:").format(error=demo.error_type) + f"\n\n```\n{said}\n```",
                icon=":material/error:",
            )
            st.markdown(tr("**The fix:** {why}").format(why=demo.why))
            st.code(demo.fixed_code, language="python")
            st.success(demo.fixed_result, icon=":material/check_circle:")


def shape_error(which: str, language: str):
    """The real ``fit`` and its error, in a worker, once per server and language (the page's language)."""
    return remembered(
        "inside.shape_error",
        which,
        language,
        compute=lambda: run_quick(functools.partial(shape_error_demo, which), name=f"shape error: {which}"),
    )
