"""The drawn parts of "What it learned" that take more than one chart: each with its alt texts, which
state the numbers shown."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages.what_it_learned_ui import learned_views
from app_pages.what_it_learned_ui.learned_views import describe_probabilities
from mnist_core.figures import learned_figures
from mnist_core.figures.prediction_figures import digit_figure, probabilities_figure
from mnist_core.i18n import integer, number, percent, tr
from mnist_core.inspect import ablation, adversarial, robustness
from mnist_core.jobs.tasks import TaskState
from ui.charts import chart, show_chart
from ui.tasks import get_task, task_panel

CURVES_FOR = "learned_curves_for"  # the model the curves task was started for


def digit_and_answer(image, title: str, probs, key: str, threshold: float = 0.0, stacked: bool = False):
    """The digit and the model's probabilities for it: side by side, or one above the other."""
    picture, bars = (st.container(), st.container()) if stacked else st.columns([1, 1.4])
    show_chart(
        chart(digit_figure, image, title, height=200 if stacked else 230),
        key=f"{key}_digit",
        where=picture,
        alt=tr("The digit: {title}.").format(title=title),
    )
    said = robustness.answer(probs, threshold)
    bars.markdown(
        tr("**The model says {digit}** ({confidence})").format(digit=said, confidence=number(probs.max(), 2))
        if said is not None
        else tr("**The model says: I don't know**")
    )
    show_chart(
        chart(probabilities_figure, probs, height=180 if stacked else 200),
        key=f"{key}_bars",
        where=bars,
        alt=describe_probabilities(probs),
    )


def attribution_maps(
    digit,
    probabilities: np.ndarray,
    target: int,
    gradient: np.ndarray,
    drops: np.ndarray,
    occlusion_caption: str,
) -> None:
    """The digit, its saliency map and its occlusion map for class ``target``, side by side, with captions."""
    answer = int(probabilities.argmax())
    columns = st.columns(3)
    show_chart(
        chart(digit_figure, digit.image, digit.title, height=300),
        key="learned_look_digit",
        where=columns[0],
        alt=tr("The digit: {title}; the model says {digit} ({confidence}).").format(
            title=digit.title, digit=answer, confidence=number(probabilities.max(), 2)
        ),
    )
    show_chart(
        chart(
            learned_figures.signed_map_figure,
            gradient,
            digit.image,
            tr("d score({digit}) / d pixel").format(digit=target),
        ),
        key="learned_saliency",
        where=columns[1],
        alt=tr(
            "Saliency map for class {digit} over the digit's outline: gradients from {low} (red) to {high} (blue)."
        ).format(digit=target, low=number(gradient.min(), 2), high=number(gradient.max(), 2)),
    )
    show_chart(
        chart(
            learned_figures.signed_map_figure,
            drops,
            digit.image,
            tr("drop of P({digit})").format(digit=target),
        ),
        key="learned_occlusion",
        where=columns[2],
        alt=tr(
            "Occlusion map for class {digit} over the digit's outline: covering drops its probability "
            "by up to {drop} (blue) and raises it by up to {rise} (red)."
        ).format(digit=target, drop=number(drops.max(), 3), rise=number(max(0.0, -drops.min()), 3)),
    )
    columns[0].caption(
        tr("The model says **{digit}** ({confidence}); the maps are for **{target}**.").format(
            digit=answer, confidence=number(probabilities.max(), 2), target=target
        )
    )
    columns[1].caption(tr("**Saliency**: blue, more ink here raises the class's score; red lowers it."))
    columns[2].caption(occlusion_caption)


def accuracy_curves(choice, change: robustness.Change) -> None:
    """The two accuracy curves, computed in the background once per model; a dotted line at the sliders."""
    curves = learned_views.finished_curves(choice.ref)
    if curves is None:
        task = get_task(learned_views.CURVES_TASK)
        if st.session_state.get(CURVES_FOR) != choice.ref.fingerprint or task is None:
            st.session_state[CURVES_FOR] = choice.ref.fingerprint  # once per model: a failed task stays
            learned_views.start_curves(choice.ref, choice.key)
        elif (snapshot := task.snapshot()).state == TaskState.FINISHED:
            curves = snapshot.result  # from the worker: kept for every session
            learned_views.keep_curves(choice.ref, curves)
        if curves is None:
            task_panel(learned_views.CURVES_TASK)
            return
    left, right = st.columns(2)
    show_chart(
        chart(
            learned_figures.accuracy_curve_figure,
            curves.angles,
            curves.rotation_accuracy,
            tr("rotation (°)"),
            change.rotation,
        ),
        key="learned_rotation_curve",
        where=left,
        alt=tr("Test accuracy against rotation:")
        + " "
        + ", ".join(f"{number(a)}° {number(v, 2)}" for a, v in zip(curves.angles, curves.rotation_accuracy)),
    )
    show_chart(
        chart(
            learned_figures.accuracy_curve_figure,
            curves.noise_levels,
            curves.noise_accuracy,
            tr("noise (std, of 255)"),
            change.noise,
        ),
        key="learned_noise_curve",
        where=right,
        alt=tr("Test accuracy against noise:")
        + " "
        + ", ".join(
            f"{number(n)} {number(v, 2)}" for n, v in zip(curves.noise_levels, curves.noise_accuracy)
        ),
    )
    st.caption(
        tr("Each point scores the same {n} test images; the dotted line is your slider.").format(
            n=integer(curves.images)
        )
    )


def abstention(choice, threshold: float) -> None:
    """Accuracy on the answered test images against the share answered, and the threshold's point."""
    _, labels = learned_views.curve_images()
    trade = robustness.abstention(learned_views.baseline_probabilities(choice), labels)
    share, accuracy = trade.at(threshold)
    right = tr("none") if np.isnan(accuracy) else percent(accuracy, 2)
    chart_column, numbers = st.columns([2, 1])
    show_chart(
        chart(learned_figures.abstention_figure, trade.answered, trade.accuracy, share, accuracy),
        key="learned_abstention",
        where=chart_column,
        alt=tr(
            "Accuracy on the answered test images against the share answered. At threshold {threshold} "
            "the model answers {share} of them and gets {right} of those right."
        ).format(threshold=number(threshold, 2), share=percent(share, 1), right=right),
    )
    numbers.metric(
        tr("Answered"), percent(share, 1), help=tr("of {n} test images").format(n=integer(len(labels)))
    )
    numbers.metric(tr("Right among them"), "—" if np.isnan(accuracy) else percent(accuracy, 2))
    numbers.caption(tr("A higher threshold answers fewer images and gets more of them right."))


def nudge_result(result: adversarial.Nudge, title: str) -> None:
    """The original, the change (its colour scale ending at the largest change) and the nudged digit."""
    before, change, after = st.columns(3)
    with before:
        digit_and_answer(result.original, title, result.before, "learned_before", stacked=True)
    change.markdown(tr("**The change**"))
    show_chart(
        chart(learned_figures.signed_map_figure, result.change, None, tr("change, of 255"), height=200),
        key="learned_change",
        where=change,
        alt=tr("The change: every pixel moved by at most {step} of 255, blue more ink, red less.").format(
            step=result.step
        ),
    )
    change.caption(
        tr("Amplified: the colours end at ±{step} of 255, where full ink is 255.").format(step=result.step)
    )
    with after:
        digit_and_answer(result.nudged, tr("nudged"), result.after, "learned_after", stacked=True)
    how = tr("one step") if result.repeats == 1 else tr("{n} small steps").format(n=integer(result.repeats))
    if result.flipped:
        st.markdown(
            tr(
                "The model now says **{digit}**. Every pixel moved by at most **{step} of 255** "
                "({share} of full ink), in {how}: to a person it is still the same digit."
            ).format(digit=result.target, step=result.step, share=percent(result.step / 255), how=how)
        )
    else:
        st.warning(
            tr(
                "No change of up to {step} of 255 per pixel made it a {digit}: this one resists. "
                "Pick another digit."
            ).format(step=adversarial.MAX_STEP, digit=result.target),
            icon=":material/shield:",
        )


def ablation_result(
    choice, layer: ablation.HiddenLayer, off: list[int], activity, whose: str, without, digit, answer: int
) -> None:
    """Accuracy with the units off (overall and per digit), the units' activity, and the digit's answer.

    ``activity`` is each unit's mean activation over ``whose`` (words: "every test image"); ``without``
    holds the probabilities of the curve images, then of ``digit``, with the units off.
    """
    _, labels = learned_views.curve_images()
    baseline = learned_views.baseline_probabilities(choice)
    accuracy, new_accuracy = (np.mean(p.argmax(axis=1) == labels) for p in (baseline, without[:-1]))
    metrics = st.columns(3)
    metrics[0].metric(
        tr("Units off"), tr("{off} of {units}").format(off=integer(len(off)), units=integer(layer.units))
    )
    difference = new_accuracy - accuracy
    metrics[1].metric(
        tr("Test accuracy"),
        number(new_accuracy, 3),
        ("+" if difference >= 0 else "") + number(difference, 3),
        help=tr("on {n} test images").format(n=integer(len(labels))),
    )
    metrics[2].metric(
        tr("{title} now reads").format(title=digit.title),
        tr("{digit} (was {answer})").format(digit=int(without[-1].argmax()), answer=answer),
    )
    left, right = st.columns(2)
    before, after = (
        ablation.accuracy_by_digit(baseline, labels),
        ablation.accuracy_by_digit(without[:-1], labels),
    )
    show_chart(
        chart(learned_figures.digit_accuracy_figure, before, after),
        key="learned_digit_accuracy",
        where=left,
        alt=tr("Test accuracy per digit, all units on, then with the units off:")
        + " "
        + ", ".join(
            tr("{digit}: {before} to {after}").format(digit=d, before=number(b, 2), after=number(a, 2))
            for d, (b, a) in enumerate(zip(before, after))
        ),
    )
    show_chart(
        chart(learned_figures.unit_activity_figure, activity, off, tr("unit")),
        key="learned_units",
        where=right,
        alt=tr("Mean activation of the {units} units; switched off, in red: {off}.").format(
            units=integer(layer.units), off=", ".join(map(str, off)) or tr("none")
        ),
    )
    right.caption(tr("Each unit's mean output over {whose}; the red ones are off.").format(whose=whose))
    left.caption(tr("{title}, with these units off:").format(title=digit.title))
    show_chart(
        chart(probabilities_figure, without[-1], height=180),
        key="learned_off_bars",
        where=left,
        alt=describe_probabilities(without[-1]),
    )
