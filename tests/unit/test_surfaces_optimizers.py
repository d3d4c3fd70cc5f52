"""The NumPy update rules against keras.optimizers, step by step, on every surface."""

import numpy as np
import pytest

from mnist_core.landscape import surfaces

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

KERAS_OPTIMIZERS = {
    "sgd": lambda lr, **_: keras.optimizers.SGD(learning_rate=lr),
    "momentum": lambda lr, momentum=0.9, **_: keras.optimizers.SGD(learning_rate=lr, momentum=momentum),
    "rmsprop": lambda lr, rho=0.9, **_: keras.optimizers.RMSprop(learning_rate=lr, rho=rho),
    "adam": lambda lr, beta_1=0.9, beta_2=0.999, **_: keras.optimizers.Adam(
        learning_rate=lr, beta_1=beta_1, beta_2=beta_2
    ),
}
OTHER_HYPERPARAMETERS = {"momentum": 0.6, "rho": 0.75, "beta_1": 0.8, "beta_2": 0.95}
STEPS = 40


def keras_trajectory(surface, optimizer, learning_rate, start, steps, dtype="float64", **hyper):
    """The oracle: Keras's optimizer on two weights, gradients by TensorFlow's autodiff."""
    weights = keras.Variable(np.asarray(start, dtype=dtype), dtype=dtype)
    keras_optimizer = KERAS_OPTIMIZERS[optimizer](learning_rate, **hyper)
    path = [np.array(start, dtype=float)]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            value = surfaces._formula(surface, weights.value[0], weights.value[1])
        (grad,) = tape.gradient(value, [weights.value])
        keras_optimizer.apply_gradients([(grad, weights)])
        path.append(np.asarray(weights.numpy(), dtype=float))
    return np.array(path)


@pytest.mark.parametrize("optimizer", surfaces.OPTIMIZERS)
@pytest.mark.parametrize("surface", list(surfaces.SURFACES))
def test_numpy_rules_match_keras_optimizers_step_by_step(surface, optimizer):
    spec = surfaces.SURFACES[surface]
    learning_rate = spec.learning_rates[optimizer]
    ours = surfaces.trajectory(surface, optimizer, learning_rate, spec.start, STEPS)
    theirs = keras_trajectory(surface, optimizer, learning_rate, spec.start, STEPS)
    assert ours.shape == (STEPS + 1, 2)
    assert np.all(np.isfinite(ours))
    # every single step, not only the end point
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    assert np.abs(ours[-1] - ours[0]).max() > 0.01  # the walk really moved


@pytest.mark.parametrize("optimizer", surfaces.OPTIMIZERS)
def test_rules_match_keras_with_the_sliders_hyperparameters(optimizer):
    ours = surfaces.trajectory("rosenbrock", optimizer, 0.0007, (-1.2, 1.8), STEPS, **OTHER_HYPERPARAMETERS)
    theirs = keras_trajectory("rosenbrock", optimizer, 0.0007, (-1.2, 1.8), STEPS, **OTHER_HYPERPARAMETERS)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


@pytest.mark.parametrize("optimizer", surfaces.OPTIMIZERS)
def test_rules_match_keras_float32_weights_to_float32_precision(optimizer):
    # Keras's everyday float32 weights: the same rules, rounded at each operation
    ours = surfaces.trajectory("himmelblau", optimizer, 0.003, (1.0, 1.5), 25)
    theirs = keras_trajectory("himmelblau", optimizer, 0.003, (1.0, 1.5), 25, dtype="float32")
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4)
