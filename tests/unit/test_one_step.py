"""One batch by numbers: the hand gradient against tf.GradientTape and a finite difference, the update against Keras."""

import random

import keras
import numpy as np
import pytest
import tensorflow as tf
from recording_control import RecordingControl

from mnist_core.data.mnist import load_mnist
from mnist_core.engine.models import build_model, to_model_inputs
from mnist_core.engine.spec import PRESETS, ModelSpec, TrainConfig
from mnist_core.engine.training import train
from mnist_core.landscape.one_step import (
    WeightChoice,
    binary_cross_entropy,
    cross_entropy,
    dense_backprop,
    dense_loss,
    initial_model,
    one_step,
    optimizer_update,
)

TOLERANCE = 1e-5  # absolute, on gradients of about 1e-3 to 1e-1 (printed in the failures)


@pytest.fixture(scope="module")
def batch():
    (x_train, y_train), _ = load_mnist()
    return x_train[:8], y_train[:8]


DENSE_CASES = [
    (ModelSpec(), WeightChoice(0, (350, 3))),  # the first network, a pixel near the middle
    (ModelSpec(), WeightChoice(1, (5, 7))),  # its output layer
    (ModelSpec(hidden_units=(16, 8), dropout=(0.2, 0.0), activation="tanh", optimizer="adam"), WeightChoice(1, (2, 5))),
    (ModelSpec(hidden_units=(12,), dropout=(0.0,), activation="sigmoid", optimizer="sgd"), WeightChoice(0, (400, 11))),
    (ModelSpec(hidden_units=(), dropout=(), scale_inputs=False, optimizer="sgd"), WeightChoice(0, (350, 5))),
]  # fmt: skip


@pytest.mark.parametrize("spec, weight", DENSE_CASES)
def test_the_gradient_by_hand_equals_gradient_tape_and_a_finite_difference(spec, weight, batch):
    images, labels = batch
    step = one_step(spec, 42, images, labels, weight)
    assert step.gradient != 0  # a weight whose input is ink in these images: the test could fail
    assert step.hand_gradient == pytest.approx(step.gradient, abs=TOLERANCE)
    # A central finite difference in float64 on the same initial weights, independent of both.
    model = initial_model(spec, 42)
    weights = [w.astype(np.float64) for w in model.get_weights()]
    inputs = to_model_inputs(model, images).reshape(len(images), -1).astype(np.float64)
    if spec.scale_inputs:
        inputs = inputs / 255
    h = 1e-6
    plus, minus = [w.copy() for w in weights], [w.copy() for w in weights]
    plus[2 * weight.layer][weight.index] += h
    minus[2 * weight.layer][weight.index] -= h
    finite = (
        dense_loss(plus, inputs, labels, spec.activation) - dense_loss(minus, inputs, labels, spec.activation)
    ) / (2 * h)
    assert step.hand_gradient == pytest.approx(finite, abs=TOLERANCE)
    assert step.gradient == pytest.approx(finite, abs=TOLERANCE)


def test_the_loss_by_hand_is_keras_cross_entropy_and_minus_log_of_the_true_class(batch):
    images, labels = batch
    step = one_step(ModelSpec(), 42, images, labels, WeightChoice(1, (0, 0)))
    true = step.probabilities[np.arange(len(labels)), labels]
    assert step.losses == pytest.approx(-np.log(true), rel=1e-6)
    assert step.loss == pytest.approx(step.losses.mean(), rel=1e-5)
    model = initial_model(ModelSpec(), 42)
    keras_loss = model.evaluate(
        to_model_inputs(model, images), keras.utils.to_categorical(labels, 10), verbose=0
    )[0]
    assert step.loss == pytest.approx(keras_loss, rel=1e-5)


def test_the_initial_weights_are_the_ones_the_engine_starts_from():
    spec, config = (
        ModelSpec(hidden_units=(16,), dropout=(0.0,)),
        TrainConfig(epochs=1, train_limit=600, seed=5),
    )
    result = train(spec, config)
    for built, engine in zip(initial_model(spec, 5).get_weights(), result.weight_history[0]):
        np.testing.assert_array_equal(built, engine)
    assert not np.array_equal(initial_model(spec, 6).get_weights()[0], result.weight_history[0][0])


@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop", "adam"])
@pytest.mark.parametrize("learning_rate", [0.001, 0.1])
def test_the_shown_update_is_what_the_keras_optimizer_applies(optimizer, learning_rate, batch):
    images, labels = batch
    spec = ModelSpec(optimizer=optimizer, learning_rate=learning_rate)
    step = one_step(spec, 42, images, labels, WeightChoice(0, (350, 3)))
    assert step.after != step.before
    assert step.update.after_formula == pytest.approx(step.after, rel=1e-6, abs=1e-9)
    # and, independently of one_step, a Keras optimizer applying that gradient to that weight
    variable = tf.Variable([step.before], dtype=tf.float32)
    keras_optimizer = {
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
        "adam": keras.optimizers.Adam,
    }
    keras_optimizer[optimizer](learning_rate=learning_rate).apply_gradients(
        [(tf.constant([step.gradient], dtype=tf.float32), variable)]
    )
    assert step.update.after_formula == pytest.approx(float(variable.numpy()[0]), rel=1e-6, abs=1e-9)


def test_adam_and_rmsprop_first_steps_do_not_scale_with_the_gradient():
    # The lesson the page draws from the formulas: at t = 1 Adam moves a weight by about eta whatever g is.
    for g in (1e-2, 1.0):  # far above epsilon: below it, epsilon shrinks the step
        assert optimizer_update("adam", 0.01, 0.0, g).after_formula == pytest.approx(-0.01, rel=1e-3)
        assert optimizer_update("rmsprop", 0.01, 0.0, g).after_formula == pytest.approx(
            -0.01 * 10**0.5, rel=1e-2
        )
    assert optimizer_update("sgd", 0.01, 0.5, 2.0).after_formula == pytest.approx(0.48)


def test_the_convnet_step_follows_a_filter_weight(batch):
    images, labels = batch
    spec = ModelSpec(architecture="convnet", hidden_units=(), dropout=(), optimizer="sgd", learning_rate=0.01)
    step = one_step(spec, 42, images, labels, WeightChoice(0, (1, 1, 0, 3)))
    assert step.hand_gradient is None and step.layer_name == "conv"
    assert step.after == pytest.approx(step.before - 0.01 * step.gradient, abs=1e-7)
    assert step.unit_before.shape == (9,)  # the filter's 3 x 3 weights


def test_a_weight_outside_the_network_is_refused(batch):
    images, labels = batch
    with pytest.raises(ValueError, match="kernel has shape"):
        one_step(ModelSpec(), 42, images, labels, WeightChoice(0, (784, 0)))
    with pytest.raises(ValueError, match="2 layers with weights"):
        one_step(ModelSpec(), 42, images, labels, WeightChoice(2, (0, 0)))


def test_backprop_by_hand_matches_every_kernel_gradient_of_the_tape(batch):
    images, labels = batch
    spec = ModelSpec(hidden_units=(10, 6), dropout=(0.0, 0.0))
    model = initial_model(spec, 1)
    x = to_model_inputs(model, images)
    with tf.GradientTape() as tape:
        loss = keras.losses.CategoricalCrossentropy()(keras.utils.to_categorical(labels, 10), model(x))
    tape_kernels = [
        g.numpy()
        for g, v in zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        if "kernel" in v.path
    ]
    hand, _, _ = dense_backprop(model.get_weights(), x / 255, labels, "relu")
    for by_hand, by_tape in zip(hand, tape_kernels, strict=True):
        np.testing.assert_allclose(by_hand, by_tape, atol=TOLERANCE)


def test_cross_entropy_punishes_a_confident_wrong_answer():
    assert cross_entropy(1.0) == pytest.approx(0.0, abs=1e-6)
    assert cross_entropy(0.5) == pytest.approx(np.log(2))
    assert cross_entropy(0.01) == pytest.approx(-np.log(0.01))  # 4.6: ten times more than at 0.63
    assert cross_entropy(0.0) == pytest.approx(-np.log(1e-7))  # clipped as Keras does, not infinite
    assert binary_cross_entropy(1, 0.9) == pytest.approx(-np.log(0.9))
    assert binary_cross_entropy(0, 0.9) == pytest.approx(-np.log(0.1))
    assert float(keras.losses.binary_crossentropy(np.array([[0.0]]), np.array([[0.9]]))[0]) == pytest.approx(
        binary_cross_entropy(0, 0.9), rel=1e-5
    )


def test_the_engine_reports_the_diagram_weights_after_every_epoch():
    control = RecordingControl()
    spec = ModelSpec(hidden_units=(40,), dropout=(0.0,))
    result = train(spec, TrainConfig(epochs=2, train_limit=600), control=control)
    reported = control.detail["diagram_weights"]
    assert control.detail["diagram_epoch"] == 2
    assert reported.widths == (784, 40, 10) and len(reported.shown[1]) == 16
    last = result.weight_history[-1][0]
    np.testing.assert_array_equal(reported.kernels[0], last[np.ix_(reported.shown[0], reported.shown[1])])


@pytest.mark.parametrize(
    "spec",
    [ModelSpec(hidden_units=(16, 8), dropout=(0.2, 0.0)), PRESETS["convnet"].model],
    ids=["dense-with-dropout", "convnet"],
)
def test_the_initial_weights_replay_set_random_seed_without_touching_global_state(spec):
    # The replay of Keras's seed draws is a private detail of Keras: this fails if Keras changes it.
    keras.utils.set_random_seed(11)
    expected = build_model(spec).get_weights()
    random.seed(123)
    state = random.getstate()
    replayed = build_model(spec, initial_seed=11).get_weights()
    assert random.getstate() == state  # a run training in another thread keeps its own randomness
    for a, b in zip(expected, replayed, strict=True):
        np.testing.assert_array_equal(a, b)
