"""The trace recomputes the network in NumPy: every number must be the one Keras computes."""

import keras
import numpy as np
import pytest

from mnist_core.data.mnist import load_mnist
from mnist_core.engine.default_model import load_default_model, load_shipped
from mnist_core.engine.models import build_model, to_model_inputs
from mnist_core.engine.spec import ModelSpec
from mnist_core.inspect.trace import (
    conv_filters,
    dense_forward,
    feature_maps,
    first_layer_weight_images,
    is_dense_network,
    layer_weights,
    softmax_steps,
    trace_dense,
)


@pytest.fixture(scope="module")
def test_images():
    _, (x_test, y_test) = load_mnist()
    return x_test[:8], y_test[:8]


@pytest.fixture(scope="module")
def model():
    return load_default_model()


def keras_probabilities(model, images):
    return model.predict(to_model_inputs(model, images), verbose=0)


def test_trace_matches_model_predict(model, test_images):
    images, _ = test_images
    expected = keras_probabilities(model, images)
    for image, probabilities in zip(images, expected):
        trace = trace_dense(model, image)
        np.testing.assert_allclose(trace.probabilities, probabilities, atol=1e-5)
        np.testing.assert_allclose(softmax_steps(trace.logits).probabilities, probabilities, atol=1e-5)


def test_hidden_activations_match_a_keras_sub_model(model, test_images):
    images, _ = test_images
    hidden = keras.Model(model.inputs[0], model.get_layer("hidden_1").output)
    expected = hidden.predict(to_model_inputs(model, images), verbose=0)
    for image, activations in zip(images, expected):
        np.testing.assert_allclose(trace_dense(model, image).hidden[0].outputs, activations, atol=1e-5)


def test_logits_match_keras_before_the_softmax(model, test_images):
    images, _ = test_images
    hidden = keras.Model(model.inputs[0], model.get_layer("hidden_1").output)
    kernel, bias = model.get_layer("output").get_weights()
    logits = hidden.predict(to_model_inputs(model, images), verbose=0) @ kernel + bias
    np.testing.assert_allclose(trace_dense(model, images[0]).logits, logits[0], atol=1e-4)


def test_one_unit_is_relu_of_the_sum_of_products_plus_bias(model, test_images):
    trace = trace_dense(model, test_images[0][0])
    assert trace.scale == pytest.approx(1 / 255)
    np.testing.assert_allclose(trace.steps[0].inputs, test_images[0][0].reshape(-1) / 255.0)
    kernel, bias = model.get_layer("hidden_1").get_weights()
    for unit in range(kernel.shape[1]):
        step = trace.unit(0, unit)
        x = test_images[0][0].reshape(-1) / 255.0
        np.testing.assert_allclose(step.products, kernel[:, unit] * x, rtol=1e-6, atol=1e-9)
        assert step.total == pytest.approx(float(kernel[:, unit] @ x), abs=1e-5)
        assert step.pre_activation == pytest.approx(step.total + float(bias[unit]))
        assert step.output == pytest.approx(max(step.pre_activation, 0.0))
    with pytest.raises(ValueError, match="units 0 to 31"):
        trace.unit(0, 32)


def test_trace_follows_a_model_that_wants_0_to_1_inputs_with_separate_activation_layers():
    """An uploaded model: (28, 28) input, Flatten, Dense + Activation layers, tanh, no scaling layer."""
    keras.utils.set_random_seed(3)
    inputs = keras.Input(shape=(28, 28))
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(16)(x)
    x = keras.layers.Activation("tanh")(x)
    x = keras.layers.Dropout(0.5)(x)
    x = keras.layers.Dense(10)(x)
    outputs = keras.layers.Softmax()(x)
    uploaded = keras.Model(inputs, outputs)
    _, (x_test, _) = load_mnist()
    expected = uploaded.predict(x_test[:3].astype(np.float32) / 255.0, verbose=0)
    for image, probabilities in zip(x_test[:3], expected):
        trace = trace_dense(uploaded, image)
        assert trace.scale is None
        assert [step.activation for step in trace.steps] == ["tanh", "softmax"]
        np.testing.assert_allclose(trace.probabilities, probabilities, atol=1e-5)


def test_softmax_steps_by_hand():
    logits = np.array([1.0, 2.0, 3.0])
    steps = softmax_steps(logits)
    np.testing.assert_allclose(steps.shifted, [-2.0, -1.0, 0.0])
    np.testing.assert_allclose(steps.exponentials, np.exp([-2.0, -1.0, 0.0]))
    np.testing.assert_allclose(steps.probabilities, keras.ops.convert_to_numpy(keras.ops.softmax(logits)))
    assert steps.probabilities.sum() == pytest.approx(1.0)


def test_temperature_flattens_or_sharpens_without_changing_the_winner():
    logits = np.array([0.5, 4.0, 1.0, -2.0])
    cold, normal, hot = (softmax_steps(logits, t).probabilities for t in (0.5, 1.0, 3.0))
    assert cold.max() > normal.max() > hot.max()
    assert cold.argmax() == normal.argmax() == hot.argmax() == 1
    np.testing.assert_allclose(hot, np.exp(logits / 3) / np.exp(logits / 3).sum())
    with pytest.raises(ValueError, match="temperature must be a number above 0"):
        softmax_steps(logits, 0.0)


def test_softmax_of_huge_logits_does_not_overflow():
    steps = softmax_steps(np.array([1000.0, 999.0]))
    assert np.all(np.isfinite(steps.probabilities))


def test_first_layer_weight_images_are_the_kernel_columns(model):
    images = first_layer_weight_images(model)
    kernel = model.get_layer("hidden_1").get_weights()[0]
    assert images.shape == (32, 28, 28)
    np.testing.assert_array_equal(images[5].reshape(-1), kernel[:, 5])


def test_layer_weights_for_histograms(model):
    layers = layer_weights(model)
    assert [(w.name, w.shape) for w in layers] == [("hidden_1", (784, 32)), ("output", (32, 10))]
    assert layers[0].weights.size == 784 * 32 and layers[1].biases.size == 10


def test_convnet_filters_and_feature_maps_match_a_numpy_convolution(test_images):
    convnet = load_shipped("default-convnet")
    assert not is_dense_network(convnet)
    with pytest.raises(ValueError, match="Conv2D"):
        trace_dense(convnet, test_images[0][0])
    filters = conv_filters(convnet)
    assert filters.shape == (32, 3, 3)
    image = test_images[0][0]
    maps = feature_maps(convnet, image)
    assert maps.shape == (32, 26, 26)
    bias = convnet.get_layer("conv").get_weights()[1]
    scaled = image / 255.0
    patches = np.lib.stride_tricks.sliding_window_view(scaled, (3, 3))  # (26, 26, 3, 3)
    for index in (0, 7, 31):
        expected = np.maximum(np.einsum("ijkl,kl->ij", patches, filters[index]) + bias[index], 0)
        np.testing.assert_allclose(maps[index], expected, atol=1e-5)


def test_a_dense_model_has_no_filters():
    dense = build_model(ModelSpec(hidden_units=(8,), dropout=(0.0,)))
    assert is_dense_network(dense)
    with pytest.raises(ValueError, match="no Conv2D layer"):
        conv_filters(dense)


# --- The server's trace: NumPy on a model's description, no Keras ---


def test_the_trace_from_a_description_is_keras_own_forward_pass(model, test_images):
    from mnist_core.inspect.trace import trace_described, trace_plan
    from mnist_core.jobs.model_jobs import describe_model

    plan, description = trace_plan(model), describe_model(model)
    assert plan.numpy_only and plan.raw_pixels
    assert [layer.scale for layer in plan.layers if layer.kind == "Rescaling"] == [pytest.approx(1 / 255)]
    images, _ = test_images
    expected = keras_probabilities(model, images)
    for image, probabilities in zip(images, expected):
        trace = trace_described(plan, description, image)
        assert trace.scale == pytest.approx(1 / 255)
        np.testing.assert_allclose(trace.probabilities, probabilities, atol=1e-5)
    np.testing.assert_array_equal(
        trace_described(plan, description, images[0]).logits, trace_dense(model, images[0]).logits
    )


def test_an_activation_only_keras_computes_is_never_guessed_on_the_server():
    from mnist_core.inspect.trace import trace_described, trace_plan
    from mnist_core.jobs.model_jobs import describe_model

    keras.utils.set_random_seed(4)
    inputs = keras.Input(shape=(784,))
    hidden = keras.layers.Dense(8, activation="elu")(inputs)
    elu = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))
    plan = trace_plan(elu)
    assert not plan.numpy_only
    assert [(layer.activation, layer.numpy_exact) for layer in plan.layers if layer.kind == "Dense"] == [
        ("elu", False),
        ("softmax", True),
    ]
    with pytest.raises(ValueError, match="only Keras computes"):
        trace_described(plan, describe_model(elu), np.zeros(784))


def test_the_weight_views_read_the_same_numbers_from_a_description(model):
    from mnist_core.jobs.model_jobs import describe_model

    convnet = load_shipped("default-convnet")
    for keras_model in (model, convnet):
        description = describe_model(keras_model)
        assert is_dense_network(description) == is_dense_network(keras_model)
        for mine, theirs in zip(layer_weights(description), layer_weights(keras_model)):
            assert (mine.name, mine.shape) == (theirs.name, theirs.shape)
            np.testing.assert_array_equal(mine.weights, theirs.weights)
    np.testing.assert_array_equal(
        first_layer_weight_images(describe_model(model)), first_layer_weight_images(model)
    )
    np.testing.assert_array_equal(conv_filters(describe_model(convnet)), conv_filters(convnet))


def test_keras_outputs_are_the_models_probabilities_and_a_convnets_maps(model, test_images):
    from mnist_core.inspect.trace import keras_outputs

    image = test_images[0][0]
    dense = keras_outputs(model, image)
    np.testing.assert_allclose(dense.probabilities, keras_probabilities(model, image[None])[0], atol=1e-6)
    assert dense.feature_maps is None
    convnet = load_shipped("default-convnet")
    conv = keras_outputs(convnet, image)
    np.testing.assert_array_equal(conv.feature_maps, feature_maps(convnet, image))
    assert conv.probabilities.argmax() == keras_probabilities(convnet, image[None])[0].argmax()


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_the_shared_dense_forward_pass_is_keras_on_a_batch(activation, test_images):
    images, _ = test_images
    model = build_model(ModelSpec(hidden_units=(12, 7), dropout=(0.0, 0.0), activation=activation))
    expected = keras_probabilities(model, images)
    x = images.reshape(len(images), -1).astype(np.float32) / 255.0  # the model's Rescaling, by hand
    steps = dense_forward(model.get_weights(), x, [activation, activation, "softmax"])
    assert [z.shape for z, _ in steps] == [(8, 12), (8, 7), (8, 10)]
    np.testing.assert_allclose(steps[-1][1], expected, atol=1e-6)
    hidden = keras.Model(model.inputs, model.get_layer("hidden_1").output)
    np.testing.assert_allclose(
        steps[0][1], hidden.predict(to_model_inputs(model, images), verbose=0), atol=1e-6
    )


def test_the_forward_pass_can_start_from_the_first_layers_sums():
    rng = np.random.default_rng(3)
    weights = [rng.standard_normal(shape) for shape in [(5, 4), (4,), (4, 3), (3,)]]
    x = rng.standard_normal((6, 5))
    full = dense_forward(weights, x, ["tanh", "linear"])
    started = dense_forward(
        weights, None, ["tanh", "linear"], first_pre_activation=x @ weights[0] + weights[1]
    )
    np.testing.assert_array_equal(full[-1][0], started[-1][0])
    np.testing.assert_allclose(full[-1][0], np.tanh(x @ weights[0] + weights[1]) @ weights[2] + weights[3])
    with pytest.raises(ValueError, match="1 activations for 2 Dense layers"):
        dense_forward(weights, x, ["tanh"])
