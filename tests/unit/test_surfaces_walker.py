"""The 1-D walker: slope, known outcomes of the lesson's starts, overshooting."""

import numpy as np
import pytest

from mnist_core.landscape import walker


def test_valleys_are_where_the_slope_is_zero_and_c_is_lowest():
    for position in walker.VALLEYS.values():
        assert abs(float(walker.slope(position))) < 1e-3
        assert walker.slope(position - 0.05) < 0 < walker.slope(position + 0.05)
    depths = {name: float(walker.curve(x)) for name, x in walker.VALLEYS.items()}
    assert depths["C"] < depths["B"] < depths["A"]


def test_slope_is_the_derivative_of_the_curve():
    xs = np.linspace(0.1, 9.9, 50)
    h = 1e-6
    numeric = (walker.curve(xs + h) - walker.curve(xs - h)) / (2 * h)
    np.testing.assert_allclose(walker.slope(xs), numeric, atol=1e-6)


def test_tangent_touches_the_curve_with_the_slope():
    xs, ys = walker.tangent(3.0, half_width=0.5)
    assert ys[1] - ys[0] == pytest.approx(float(walker.slope(3.0)) * 1.0)
    assert (ys[0] + ys[1]) / 2 == pytest.approx(float(walker.curve(3.0)))


@pytest.mark.parametrize(
    ("start", "valley"),
    [(walker.START_POSITIONS["1"], "A"), (walker.START_POSITIONS["2"], "B"), (7.0, "C"), (9.8, "C")],
)
def test_the_lessons_starts_settle_in_their_valleys(start, valley):
    positions = walker.steps(start, 0.1, 200)
    result = walker.outcome(positions)
    assert (result.kind, result.valley) == ("settled", valley)
    assert positions[-1] == pytest.approx(walker.VALLEYS[valley], abs=1e-3)


def test_a_walker_in_a_or_b_is_told_c_is_lower():
    result = walker.outcome(walker.steps(walker.START_POSITIONS["1"], 0.1, 200))
    assert "Valley C is lower" in result.sentence and "uphill" in result.sentence


def test_one_step_moves_against_the_slope_by_learning_rate_times_slope():
    positions = walker.steps(3.0, 0.2, 1)
    assert positions[1] == pytest.approx(3.0 - 0.2 * float(walker.slope(3.0)))


def test_too_large_a_learning_rate_bounces_then_diverges():
    assert walker.outcome(walker.steps(7.0, 0.5, 100)).kind == "bouncing"
    diverged = walker.steps(7.0, 3.0, 100)
    assert walker.outcome(diverged).kind == "diverged"
    assert np.isnan(diverged[-1])


def test_few_steps_are_still_moving():
    assert walker.outcome(walker.steps(0.4, 0.03, 5)).kind == "moving"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": float("nan"), "learning_rate": 0.1, "n_steps": 3}, "start"),
        ({"start": 1.0, "learning_rate": 0.0, "n_steps": 3}, "learning_rate"),
        ({"start": 1.0, "learning_rate": 0.1, "n_steps": -1}, "n_steps"),
    ],
)
def test_bad_inputs_get_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        walker.steps(**kwargs)
