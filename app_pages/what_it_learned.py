"""What it learned (life-cycle steps 5-6): where a trained network looks, when it fails, how little it
takes to fool it, and what it loses without some of its units."""

import numpy as np
import streamlit as st

from app_pages.what_it_learned_ui import learned_sections, learned_views
from mnist_core.i18n import N_, tr
from mnist_core.inspect import ablation, attribution, learned_jobs, robustness
from ui.lazy_tabs import run_open_tab
from ui.links import link_to_this_view
from ui.model_choice import model_picker
from ui.worker_jobs import WorkerJobFailed, show_failure

ANSWER, RUNNER_UP = N_("its answer"), N_("its second choice")
DIGITS = [str(d) for d in range(10)]
FILLS = {"grey": N_("grey"), "black": N_("black")}
OFF_WAYS = {"most active": N_("a digit's most active units"), "picked": N_("units I pick")}

st.title(tr("What it learned"))
link_to_this_view("what_it_learned")
st.caption(
    tr(
        "Steps 5-6 · Evaluate and predict, then look closer: where the network looks, when it fails, how "
        "little it takes to fool it, and which of its units it needs."
    )
)
picker_column, digit_column = st.columns([1, 1.4])
with picker_column:
    choice = model_picker()
checked = learned_views.check(choice)  # every Keras computation below runs in a worker: choice.ref
if checked is None:
    st.stop()
with digit_column:
    digit = learned_views.choose_digit()
try:
    probabilities = learned_views.answer(learned_jobs.probabilities, choice, digit.image[None])[0]
except WorkerJobFailed as failure:
    show_failure(failure)
    st.stop()
answer = int(probabilities.argmax())


def where_it_looks() -> None:
    st.caption(
        tr("Step 6 · Predict. Which pixels decide the answer? Two ways to ask the network, for any class.")
    )
    options = st.columns(3)
    picked = options[0].selectbox(
        tr("For the class"),
        [ANSWER, *DIGITS],
        format_func=learned_views.labels_now([ANSWER, *DIGITS]),
        key="learned_class",
        bind="query-params",
    )
    target = answer if picked == ANSWER else int(picked)
    patch = options[1].select_slider(
        tr("Occluding square"), [4, 6, 8], 6, key="learned_patch", bind="query-params"
    )
    fill = options[2].radio(
        tr("Cover with"),
        list(FILLS),
        format_func=learned_views.labels_now(FILLS),
        horizontal=True,
        key="learned_fill",
        bind="query-params",
    )
    maps = learned_views.answer(
        learned_jobs.where_it_looks,
        choice,
        digit.image,
        target,
        patch,
        fill=attribution.GREY if fill == "grey" else 0,
    )
    learned_sections.attribution_maps(
        digit,
        probabilities,
        target,
        maps.gradient,
        maps.drops,
        tr(
            "**Occlusion**: a {patch} x {patch} {fill} square slides over the digit (grey also adds ink to the "
            "paper; black only erases). Blue: covering here lowers P({digit})."
        ).format(patch=patch, fill=tr(FILLS[fill]), digit=target),
    )


def when_it_fails() -> None:
    st.caption(
        tr(
            "Step 5 · Evaluate. Change the digit a little and watch the answer; below, over 1,000 test images."
        )
    )
    sliders = st.columns(5)
    change = robustness.Change(
        noise=sliders[0].slider(
            tr("Noise (std, of 255)"), 0, 160, 0, 10, key="learned_noise", bind="query-params"
        ),
        rotation=sliders[1].slider(
            tr("Rotation (°)"), -90, 90, 0, 5, key="learned_rotation", bind="query-params"
        ),
        shift_right=sliders[2].slider(
            tr("Shift right"), -8, 8, 0, key="learned_shift_x", bind="query-params"
        ),
        shift_down=sliders[3].slider(tr("Shift down"), -8, 8, 0, key="learned_shift_y", bind="query-params"),
        thickness=sliders[4].slider(
            tr("Stroke thicker"), -2, 3, 0, key="learned_thickness", bind="query-params"
        ),
    )
    threshold = st.slider(
        tr("Say \"I don't know\" below this confidence"), 0.0, 0.99, 0.0, 0.01, key="learned_threshold",
        bind="query-params",
    )  # fmt: skip
    changed = robustness.apply(digit.image, change)
    changed_probabilities = learned_views.answer(learned_jobs.probabilities, choice, changed[None])[0]
    learned_sections.digit_and_answer(
        changed,
        tr("{title}, changed").format(title=digit.title),
        changed_probabilities,
        "learned_changed",
        threshold,
    )
    learned_sections.accuracy_curves(choice, change)
    st.subheader(tr('"I don\'t know"'), anchor=False)
    learned_sections.abstention(choice, threshold)


def adversarial_nudge() -> None:
    st.caption(
        tr(
            "Step 6 · Predict. The smallest fast-gradient-sign step that turns the answer into the digit "
            "you pick."
        )
    )
    picked = st.selectbox(
        tr("Make it read"),
        [RUNNER_UP, *DIGITS],
        format_func=learned_views.labels_now([RUNNER_UP, *DIGITS]),
        key="learned_target",
        bind="query-params",
    )
    target = int(np.argsort(probabilities)[-2]) if picked == RUNNER_UP else int(picked)
    result = learned_views.answer(learned_jobs.nudge, choice, digit.image, target)
    if result.step == 0:
        st.info(
            tr("The model already reads this digit as a {digit}: pick another digit.").format(digit=target),
            icon=":material/info:",
        )
        return
    learned_sections.nudge_result(result, digit.title)


def switch_neurons_off() -> None:
    st.caption(
        tr(
            "Step 5 · Evaluate. Force some hidden units to output 0 and see what the network still gets right."
        )
    )
    hidden = {layer.label: layer for layer in checked.hidden}
    if not hidden:
        st.info(tr("This model has no hidden layer: there is no unit to switch off."), icon=":material/info:")
        return
    options = st.columns([1.2, 1.3, 1, 1])
    layer = hidden[options[0].selectbox(tr("Layer"), list(hidden), key="learned_layer", bind="query-params")]
    way = options[1].radio(
        tr("Switch off"),
        list(OFF_WAYS.values()),
        format_func=learned_views.labels_now(OFF_WAYS.values()),
        key="learned_off_way",
        bind="query-params",
    )
    if way == OFF_WAYS["picked"]:
        typed = options[2].text_input(
            tr("Units"), "0-3", key="learned_off_units", bind="query-params", help=tr("Like 3, 7, 12 or 0-4")
        )
        try:
            off = ablation.parse_units(typed, layer.units)
        except ValueError as error:
            st.warning(str(error), icon=":material/edit:")
            return
        activity, whose = learned_views.mean_activations(choice, layer, None), tr("every test image")
    else:
        which = options[2].selectbox(tr("Digit"), range(10), 1, key="learned_off_digit", bind="query-params")
        count = options[3].slider(
            tr("How many"), 0, layer.units, min(8, layer.units), key="learned_off_count", bind="query-params"
        )
        activity, whose = (
            learned_views.mean_activations(choice, layer, which),
            tr("the test images of {digit}").format(digit=which),
        )
        off = ablation.most_active(activity, count)
    without = learned_views.answer(learned_jobs.probabilities_without, choice, layer, off, digit.image)
    learned_sections.ablation_result(choice, layer, off, activity, whose, without, digit, answer)


# Only the open tab runs: the curves and the switched-off accuracies cost passes over 1,000 images.
run_open_tab(
    [tr(label) for label in learned_views.TABS],  # the URL holds the label as shown; ui.links reads either
    [
        learned_views.shown_on_failure(section)
        for section in (where_it_looks, when_it_fails, adversarial_nudge, switch_neurons_off)
    ],
    key="learned_section",  # = learned_views.TABS_KEY, written out for the lesson paths' check
)
