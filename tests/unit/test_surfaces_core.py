"""Toy surfaces: values, gradients, the trajectory contract and its errors."""

import numpy as np
import pytest

from mnist_core.landscape import surfaces

KNOWN_MINIMA = {
    "bowl": [(0, 0)],
    "ravine": [(0, 0)],
    "saddle": [(0, 2**0.5), (0, -(2**0.5))],
    "rosenbrock": [(1, 1)],
    "himmelblau": [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
}


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_minima_have_the_lowest_value_and_zero_gradient(name):
    for x, y in KNOWN_MINIMA[name]:
        assert float(surfaces.loss(name, x, y)) == pytest.approx(surfaces.SURFACES[name].lowest, abs=1e-9)
        assert np.allclose(surfaces.gradient(name, x, y), 0, atol=1e-4)
    _, _, z = surfaces.grid(name, 60)
    assert z.min() >= surfaces.SURFACES[name].lowest - 1e-9


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_gradient_matches_finite_differences(name):
    rng = np.random.default_rng(0)
    h = 1e-6
    for x, y in rng.uniform(-2, 2, size=(10, 2)):
        dx = (surfaces.loss(name, x + h, y) - surfaces.loss(name, x - h, y)) / (2 * h)
        dy = (surfaces.loss(name, x, y + h) - surfaces.loss(name, x, y - h)) / (2 * h)
        np.testing.assert_allclose(surfaces.gradient(name, x, y), (dx, dy), rtol=1e-5, atol=1e-5)


def test_saddle_point_is_flat_but_not_a_minimum():
    assert surfaces.gradient("saddle", 0, 0) == (0.0, 0.0)
    assert surfaces.loss("saddle", 0, 0.5) < surfaces.loss("saddle", 0, 0) < surfaces.loss("saddle", 0.5, 0)


def test_loss_broadcasts_arrays():
    xs, ys = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3))
    assert surfaces.loss("bowl", xs, ys).shape == (3, 4)
    np.testing.assert_allclose(surfaces.loss("bowl", xs, ys), xs**2 + ys**2)


@pytest.mark.parametrize("optimizer", surfaces.OPTIMIZERS)
def test_trajectory_shape_start_and_descent(optimizer):
    path = surfaces.trajectory("bowl", optimizer, 0.05, (1.5, -1.0), 200)
    assert path.shape == (201, 2)
    np.testing.assert_array_equal(path[0], (1.5, -1.0))
    assert surfaces.loss("bowl", *path[-1]) < 0.05 * surfaces.loss("bowl", *path[0])


def test_sgd_first_step_is_learning_rate_times_gradient():
    path = surfaces.trajectory("himmelblau", "sgd", 0.01, (1.0, 2.0), 1)
    gx, gy = surfaces.gradient("himmelblau", 1.0, 2.0)
    lr = float(np.float32(0.01))
    np.testing.assert_allclose(path[1], (1.0 - lr * gx, 2.0 - lr * gy))


def test_sgd_zig_zags_across_the_ravine_floor():
    sgd = surfaces.trajectory("ravine", "sgd", 0.45, (-3.6, 1.2), 10)
    assert np.all(np.sign(sgd[1:, 1]) != np.sign(sgd[:-1, 1]))  # crosses the floor every step


def test_too_large_a_learning_rate_diverges_to_nan():
    path = surfaces.trajectory("bowl", "sgd", 1.5, (1.0, 1.0), 2000)
    at = surfaces.diverged_at(path)
    assert at is not None and np.all(np.isnan(path[at:])) and np.all(np.isfinite(path[:at]))
    assert surfaces.diverged_at(surfaces.trajectory("bowl", "sgd", 0.1, (1.0, 1.0), 50)) is None


def test_zero_steps_is_just_the_start():
    np.testing.assert_array_equal(surfaces.trajectory("saddle", "adam", 0.1, (0.5, 0.5), 0), [[0.5, 0.5]])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("volcano", "sgd", 0.1, (0, 0), 5), "surface must be one of"),
        (("bowl", "nesterov", 0.1, (0, 0), 5), "optimizer must be one of"),
        (("bowl", "sgd", 0.1, (float("nan"), 0), 5), "start must be two finite numbers"),
        (("bowl", "sgd", 0.1, (float("inf"), 0), 5), "start must be two finite numbers"),
        (("bowl", "sgd", 0.1, (1, 2, 3), 5), "start must be two finite numbers"),
        (("bowl", "sgd", -0.1, (0, 0), 5), "learning_rate"),
        (("bowl", "sgd", 0.1, (0, 0), -2), "steps"),
    ],
)
def test_bad_arguments_get_clear_value_errors(args, message):
    with pytest.raises(ValueError, match=message):
        surfaces.trajectory(*args)


def test_loss_rejects_unknown_surface():
    with pytest.raises(ValueError, match="surface must be one of"):
        surfaces.loss("cliff", 0, 0)
