"""What it learned (life-cycle steps 5-6): where a trained network looks, when it fails, how little it
takes to fool it, and what it loses without some of its units."""

import numpy as np
import streamlit as st

from mnist_core import ablation, adversarial, attribution, robustness
from mnist_core.evaluation import predict_probabilities
from mnist_core.figures import learned_figures
from mnist_core.figures.prediction_figures import digit_figure, probabilities_figure
from ui import learned_views
from ui.charts import show_chart
from ui.lazy_tabs import run_open_tab
from ui.learned_views import describe_probabilities
from ui.links import link_to_this_view
from ui.model_choice import model_picker
from ui.tasks import get_task, task_panel

ANSWER, RUNNER_UP = "its answer", "its second choice"
CURVES_FOR = "learned_curves_for"  # the model the curves task was started for

st.title("What it learned")
link_to_this_view("what_it_learned")
st.caption(
    "Steps 5-6 · Evaluate and predict, then look closer: where the network looks, when it fails, how "
    "little it takes to fool it, and which of its units it needs."
)
picker_column, digit_column = st.columns([1, 1.4])
with picker_column:
    choice = model_picker()
model = choice.model
layers = learned_views.network(model)
if layers is None:
    st.stop()
with digit_column:
    digit = learned_views.choose_digit()
probabilities = predict_probabilities(model, digit.image[None])[0]
answer = int(probabilities.argmax())


def digit_and_answer(
    image: np.ndarray, title: str, probs: np.ndarray, key: str, threshold: float = 0.0, stacked: bool = False
):
    """The digit and the model's probabilities for it: side by side, or one above the other."""
    picture, bars = (st.container(), st.container()) if stacked else st.columns([1, 1.4])
    show_chart(
        digit_figure(image, title, height=200 if stacked else 230),
        key=f"{key}_digit",
        where=picture,
        alt=f"The digit: {title}.",
    )
    said = robustness.answer(probs, threshold)
    bars.markdown(
        f"**The model says {said}** ({probs.max():.2f})"
        if said is not None
        else "**The model says: I don't know**"
    )
    show_chart(
        probabilities_figure(probs, height=180 if stacked else 200),
        key=f"{key}_bars",
        where=bars,
        alt=describe_probabilities(probs),
    )


def where_it_looks() -> None:
    st.caption(
        "Step 6 · Predict. Which pixels decide the answer? Two ways to ask the network, for any digit."
    )
    options = st.columns(3)
    picked = options[0].selectbox(
        "For the class", [ANSWER, *map(str, range(10))], key="learned_class", bind="query-params"
    )
    target = answer if picked == ANSWER else int(picked)
    patch = options[1].select_slider(
        "Occluding square", [4, 6, 8], 6, key="learned_patch", bind="query-params"
    )
    fill = options[2].radio(
        "Cover with", ["grey", "black"], horizontal=True, key="learned_fill", bind="query-params"
    )
    gradient = attribution.saliency(model, digit.image, target)
    drops = attribution.occlusion(
        model, digit.image, target, patch, fill=attribution.GREY if fill == "grey" else 0
    )
    columns = st.columns(3)
    show_chart(
        digit_figure(digit.image, digit.title, height=300),
        key="learned_look_digit",
        where=columns[0],
        alt=f"The digit: {digit.title}; the model says {answer} ({probabilities.max():.2f}).",
    )
    show_chart(
        learned_figures.signed_map_figure(gradient, digit.image, f"d score({target}) / d pixel"),
        key="learned_saliency",
        where=columns[1],
        alt=f"Saliency map for class {target}: gradients from {gradient.min():.2f} (red) to {gradient.max():.2f} (blue).",
    )
    show_chart(
        learned_figures.signed_map_figure(drops, digit.image, f"drop of P({target})"),
        key="learned_occlusion",
        where=columns[2],
        alt=f"Occlusion map for class {target}: the probability drops by up to {drops.max():.3f} (blue) and rises "
        f"by up to {-drops.min():.3f} (red).",
    )
    columns[0].caption(
        f"The model says **{answer}** ({probabilities.max():.2f}); the maps are for **{target}**."
    )
    columns[1].caption("**Saliency**: blue, more ink here raises the score of the class; red lowers it.")
    columns[2].caption(
        f"**Occlusion**: a {patch} x {patch} {fill} square slides over the digit. Blue, covering here lowers the class's probability."
    )


def when_it_fails() -> None:
    st.caption(
        "Step 5 · Evaluate. Change the digit a little and watch the answer; below, the same over 1,000 test images."
    )
    sliders = st.columns(5)
    change = robustness.Change(
        noise=sliders[0].slider(
            "Noise (std, of 255)", 0, 160, 0, 10, key="learned_noise", bind="query-params"
        ),
        rotation=sliders[1].slider(
            "Rotation (°)", -90, 90, 0, 5, key="learned_rotation", bind="query-params"
        ),
        shift_right=sliders[2].slider("Shift right", -8, 8, 0, key="learned_shift_x", bind="query-params"),
        shift_down=sliders[3].slider("Shift down", -8, 8, 0, key="learned_shift_y", bind="query-params"),
        thickness=sliders[4].slider("Stroke thicker", -2, 3, 0, key="learned_thickness", bind="query-params"),
    )
    threshold = st.slider(
        'Say "I don\'t know" below this confidence',
        0.0,
        0.99,
        0.0,
        0.01,
        key="learned_threshold",
        bind="query-params",
    )
    changed = robustness.apply(digit.image, change)
    digit_and_answer(
        changed,
        f"{digit.title}, changed",
        predict_probabilities(model, changed[None])[0],
        "learned_changed",
        threshold,
    )

    curves = learned_views.finished_curves(model)
    if curves is None:
        if st.session_state.get(CURVES_FOR) != id(model) or get_task(learned_views.CURVES_TASK) is None:
            st.session_state[CURVES_FOR] = id(model)  # once per model: a failed task stays on screen
            learned_views.start_curves(model, choice.key)
        task_panel(learned_views.CURVES_TASK)
    else:
        left, right = st.columns(2)
        show_chart(
            learned_figures.accuracy_curve_figure(
                curves.angles, curves.rotation_accuracy, "rotation (°)", change.rotation
            ),
            key="learned_rotation_curve",
            where=left,
            alt="Test accuracy against rotation: "
            + ", ".join(f"{a:g}° {v:.2f}" for a, v in zip(curves.angles, curves.rotation_accuracy)),
        )
        show_chart(
            learned_figures.accuracy_curve_figure(
                curves.noise_levels, curves.noise_accuracy, "noise (std, of 255)", change.noise
            ),
            key="learned_noise_curve",
            where=right,
            alt="Test accuracy against noise: "
            + ", ".join(f"{n:g} {v:.2f}" for n, v in zip(curves.noise_levels, curves.noise_accuracy)),
        )
        st.caption(
            f"Each point scores the same {curves.images:,} test images; the dotted line is your slider."
        )
    st.subheader('"I don\'t know"', anchor=False)
    images, labels = learned_views.curve_images()
    trade = robustness.abstention(learned_views.baseline_probabilities(model), labels)
    share, accuracy = trade.at(threshold)
    chart, numbers = st.columns([2, 1])
    show_chart(
        learned_figures.abstention_figure(trade.answered, trade.accuracy, share, accuracy),
        key="learned_abstention",
        where=chart,
        alt=f"Accuracy on the answered images against the share answered; at threshold {threshold:.2f} it answers {share:.1%} and gets {accuracy:.2%} right.",
    )
    numbers.metric("Answered", f"{share:.1%}", help=f"of {len(labels):,} test images")
    numbers.metric("Right among them", "—" if np.isnan(accuracy) else f"{accuracy:.2%}")
    numbers.caption("A higher threshold answers fewer images and gets more of them right.")


def adversarial_nudge() -> None:
    st.caption(
        "Step 6 · Predict. The smallest fast-gradient-sign step that changes the answer to the digit you pick."
    )
    runner_up = int(np.argsort(probabilities)[-2])
    picked = st.selectbox(
        "Make it read", [RUNNER_UP, *map(str, range(10))], key="learned_target", bind="query-params"
    )
    target = runner_up if picked == RUNNER_UP else int(picked)
    result = adversarial.nudge(model, digit.image, target)
    if result.step == 0:
        st.info(
            f"The model already reads this digit as a {target}: pick another digit.", icon=":material/info:"
        )
        return
    before, change, after = st.columns(3)
    with before:
        digit_and_answer(result.original, digit.title, result.before, "learned_before", stacked=True)
    change.markdown("**The change**")
    show_chart(
        learned_figures.signed_map_figure(result.change, None, "change, of 255", height=200),
        key="learned_change",
        where=change,
        alt=f"The change: every pixel moved by at most {result.step} of 255, blue more ink, red less.",
    )
    change.caption(f"The change, amplified: the colours end at ±{result.step} of 255.")
    with after:
        digit_and_answer(result.nudged, "nudged", result.after, "learned_after", stacked=True)
    how = "one step" if result.repeats == 1 else f"{result.repeats} small steps"
    verdict = (
        f"The model now says **{int(result.after.argmax())}**"
        if result.flipped
        else f"No change up to {adversarial.MAX_STEP} of 255 made it a {target}"
    )
    st.markdown(
        f"{verdict}. Every pixel moved by at most **{result.step} of 255** ({result.step / 255:.0%} of full ink), "
        f"in {how}: to a person it is still the same digit."
    )


def switch_neurons_off() -> None:
    st.caption(
        "Step 5 · Evaluate. Force some hidden units to output 0 and see what the network still gets right."
    )
    hidden = ablation.hidden_layers(layers)
    if not hidden:
        st.info("This model has no hidden layer: there is no unit to switch off.", icon=":material/info:")
        return
    labels_by_layer = {layer.label: layer for layer in hidden}
    options = st.columns([1.2, 1.3, 1, 1])
    layer = labels_by_layer[
        options[0].selectbox("Layer", list(labels_by_layer), key="learned_layer", bind="query-params")
    ]
    way = options[1].radio(
        "Switch off",
        ["a digit's most active units", "units I pick"],
        key="learned_off_way",
        bind="query-params",
    )
    images, labels = learned_views.curve_images()
    if way == "units I pick":
        typed = options[2].text_input(
            "Units", "0-3", key="learned_off_units", bind="query-params", help="Like 3, 7, 12 or 0-4"
        )
        try:
            off = ablation.parse_units(typed, layer.units)
        except ValueError as error:
            st.warning(str(error), icon=":material/edit:")
            return
        activity = learned_views.mean_activations(model, layers, layer, None)
    else:
        which = options[2].selectbox("Digit", range(10), 1, key="learned_off_digit", bind="query-params")
        count = options[3].slider(
            "How many", 0, layer.units, min(8, layer.units), key="learned_off_count", bind="query-params"
        )
        activity = learned_views.mean_activations(model, layers, layer, which)
        off = ablation.most_active(activity, count)
    without = ablation.probabilities_without(
        model, layers, layer, off, np.concatenate([images, digit.image[None]])
    )
    baseline = learned_views.baseline_probabilities(model)
    accuracy, new_accuracy = (np.mean(p.argmax(axis=1) == labels) for p in (baseline, without[:-1]))
    metrics = st.columns(3)
    metrics[0].metric("Units off", f"{len(off)} of {layer.units}")
    metrics[1].metric(
        "Test accuracy",
        f"{new_accuracy:.3f}",
        f"{new_accuracy - accuracy:+.3f}",
        help=f"on {len(labels):,} test images",
    )
    metrics[2].metric(f"{digit.title} now reads", f"{int(without[-1].argmax())} (was {answer})")
    left, right = st.columns(2)
    before, after = (
        ablation.accuracy_by_digit(baseline, labels),
        ablation.accuracy_by_digit(without[:-1], labels),
    )
    show_chart(
        learned_figures.digit_accuracy_figure(before, after),
        key="learned_digit_accuracy",
        where=left,
        alt="Accuracy per digit, all units on then off: "
        + ", ".join(f"{d}: {b:.2f} to {a:.2f}" for d, (b, a) in enumerate(zip(before, after))),
    )
    show_chart(
        learned_figures.unit_activity_figure(activity, off, "unit"),
        key="learned_units",
        where=right,
        alt=f"Mean activation of the {layer.units} units; units switched off in red: {', '.join(map(str, off)) or 'none'}.",
    )
    whose = "every test image" if way == "units I pick" else f"the test images of {which}"
    right.caption(f"Each unit's mean output over {whose}; the red ones are off.")
    show_chart(
        probabilities_figure(without[-1], height=180),
        key="learned_off_bars",
        where=right,
        alt=describe_probabilities(without[-1]),
    )


run_open_tab(
    learned_views.TABS,
    [where_it_looks, when_it_fails, adversarial_nudge, switch_neurons_off],
    key=learned_views.TABS_KEY,
)
