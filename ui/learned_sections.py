"""The drawn parts of "What it learned" that take more than one chart: each with its alt texts, which
state the numbers shown."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mnist_core import ablation, adversarial, robustness
from mnist_core.figures import learned_figures
from mnist_core.figures.prediction_figures import digit_figure, probabilities_figure
from ui import learned_views
from ui.charts import show_chart
from ui.learned_views import describe_probabilities
from ui.tasks import get_task, task_panel

CURVES_FOR = "learned_curves_for"  # the model the curves task was started for


def digit_and_answer(image, title: str, probs, key: str, threshold: float = 0.0, stacked: bool = False):
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


def accuracy_curves(model, model_name: str, change: robustness.Change) -> None:
    """The two accuracy curves, computed in the background once per model; a dotted line at the sliders."""
    curves = learned_views.finished_curves(model)
    if curves is None:
        if st.session_state.get(CURVES_FOR) != id(model) or get_task(learned_views.CURVES_TASK) is None:
            st.session_state[CURVES_FOR] = id(model)  # once per model: a failed task stays on screen
            learned_views.start_curves(model, model_name)
        task_panel(learned_views.CURVES_TASK)
        return
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
    st.caption(f"Each point scores the same {curves.images:,} test images; the dotted line is your slider.")


def abstention(model, threshold: float) -> None:
    """Accuracy on the answered test images against the share answered, and the threshold's point."""
    _, labels = learned_views.curve_images()
    trade = robustness.abstention(learned_views.baseline_probabilities(model), labels)
    share, accuracy = trade.at(threshold)
    right = "none" if np.isnan(accuracy) else f"{accuracy:.2%}"
    chart, numbers = st.columns([2, 1])
    show_chart(
        learned_figures.abstention_figure(trade.answered, trade.accuracy, share, accuracy),
        key="learned_abstention",
        where=chart,
        alt=f"Accuracy on the answered test images against the share answered. At threshold {threshold:.2f} "
        f"the model answers {share:.1%} of them and gets {right} of those right.",
    )
    numbers.metric("Answered", f"{share:.1%}", help=f"of {len(labels):,} test images")
    numbers.metric("Right among them", "—" if np.isnan(accuracy) else f"{accuracy:.2%}")
    numbers.caption("A higher threshold answers fewer images and gets more of them right.")


def nudge_result(result: adversarial.Nudge, title: str) -> None:
    """The original, the change (its colour scale ending at the largest change) and the nudged digit."""
    before, change, after = st.columns(3)
    with before:
        digit_and_answer(result.original, title, result.before, "learned_before", stacked=True)
    change.markdown("**The change**")
    show_chart(
        learned_figures.signed_map_figure(result.change, None, "change, of 255", height=200),
        key="learned_change",
        where=change,
        alt=f"The change: every pixel moved by at most {result.step} of 255, blue more ink, red less.",
    )
    change.caption(f"Amplified: the colours end at ±{result.step} of 255, where full ink is 255.")
    with after:
        digit_and_answer(result.nudged, "nudged", result.after, "learned_after", stacked=True)
    how = "one step" if result.repeats == 1 else f"{result.repeats} small steps"
    if result.flipped:
        st.markdown(
            f"The model now says **{result.target}**. Every pixel moved by at most **{result.step} of 255** "
            f"({result.step / 255:.0%} of full ink), in {how}: to a person it is still the same digit."
        )
    else:
        st.warning(
            f"No change of up to {adversarial.MAX_STEP} of 255 per pixel made it a {result.target}: this one "
            "resists. Pick another digit.",
            icon=":material/shield:",
        )


def ablation_result(
    model, layer: ablation.HiddenLayer, off: list[int], activity, whose: str, without, digit, answer: int
) -> None:
    """Accuracy with the units off (overall and per digit), the units' activity, and the digit's answer.

    ``activity`` is each unit's mean activation over ``whose`` (words: "every test image"); ``without``
    holds the probabilities of the curve images, then of ``digit``, with the units off.
    """
    _, labels = learned_views.curve_images()
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
        alt="Test accuracy per digit, all units on, then with the units off: "
        + ", ".join(f"{d}: {b:.2f} to {a:.2f}" for d, (b, a) in enumerate(zip(before, after))),
    )
    show_chart(
        learned_figures.unit_activity_figure(activity, off, "unit"),
        key="learned_units",
        where=right,
        alt=f"Mean activation of the {layer.units} units; switched off, in red: "
        f"{', '.join(map(str, off)) or 'none'}.",
    )
    right.caption(f"Each unit's mean output over {whose}; the red ones are off.")
    left.caption(f"{digit.title}, with these units off:")
    show_chart(
        probabilities_figure(without[-1], height=180),
        key="learned_off_bars",
        where=left,
        alt=describe_probabilities(without[-1]),
    )
