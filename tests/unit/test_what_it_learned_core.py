"""Saliency, occlusion, robustness transforms, the adversarial nudge and switching units off, each checked
against an independent oracle: finite differences, a model built by hand, scipy.ndimage, Keras itself."""

import keras
import numpy as np
import pytest
from scipy import ndimage

from mnist_core.data.mnist import load_mnist
from mnist_core.engine.default_model import load_shipped
from mnist_core.engine.models import SCALING_LAYER_NAME, to_model_inputs
from mnist_core.inspect import ablation, adversarial, attribution, robustness
from mnist_core.inspect.layer_chain import chain
from mnist_core.inspect.trace import trace_dense


@pytest.fixture(scope="module")
def test_set():
    _, (x_test, y_test) = load_mnist()
    return x_test, y_test


@pytest.fixture(scope="module")
def dense():
    return load_shipped("default")


@pytest.fixture(scope="module")
def convnet():
    return load_shipped("default-convnet")


def test_saliency_equals_finite_differences_of_the_numpy_trace(dense, test_set):
    image = test_set[0][0].astype(np.float64)
    digit = 7
    gradient = attribution.saliency(dense, image, digit)
    h = 1e-2  # in 0-255 units; the trace is float64, so this is far from rounding and from ReLU kinks
    checked = np.argsort(-np.abs(gradient).ravel())[:20].tolist() + [0, 300, 500]
    for pixel in checked:
        up, down = image.copy().ravel(), image.copy().ravel()
        up[pixel] += h
        down[pixel] -= h
        slope = (trace_dense(dense, up).logits[digit] - trace_dense(dense, down).logits[digit]) / (2 * h)
        assert gradient.ravel()[pixel] == pytest.approx(slope * 255, rel=2e-3, abs=1e-3)


def test_saliency_of_the_convnet_equals_finite_differences(convnet, test_set):
    image = test_set[0][1].astype(np.float64)
    gradient = attribution.saliency(convnet, image, 2)
    layers = chain(convnet)
    # The logits by a sub-model that stops before the output's softmax: Keras's own numbers.
    hidden = keras.Model(convnet.inputs[0], layers[-2].output)
    kernel, bias = (np.asarray(w, dtype=np.float64) for w in layers[-1].get_weights())

    def logit(pixels):
        return (
            np.asarray(hidden(to_model_inputs(convnet, pixels[None]))).astype(np.float64) @ kernel + bias
        )[0, 2]

    h = 2.0  # float32 inside the convnet: a larger step keeps the difference above rounding
    for pixel in np.argsort(-np.abs(gradient).ravel())[:5]:
        row, col = divmod(int(pixel), 28)
        up, down = image.copy(), image.copy()
        up[row, col] += h
        down[row, col] -= h
        assert gradient[row, col] == pytest.approx((logit(up) - logit(down)) / (2 * h) * 255, rel=0.05)


def region_model():
    """A model whose class 0 score is the ink inside rows 4-9, columns 16-21 and nothing else."""
    inputs = keras.Input(shape=(784,), name="pixels")
    x = keras.layers.Rescaling(1 / 255, name=SCALING_LAYER_NAME)(inputs)
    outputs = keras.layers.Dense(10, activation="softmax", name="output")(x)
    model = keras.Model(inputs, outputs)
    kernel = np.zeros((784, 10), dtype=np.float32)
    region = np.zeros((28, 28), dtype=bool)
    region[4:10, 16:22] = True
    kernel[region.ravel(), 0] = 0.1  # small: a softmax near 1 would hide the drops
    model.layers[-1].set_weights([kernel, np.zeros(10, dtype=np.float32)])
    return model, region


def test_occlusion_finds_the_one_region_the_answer_depends_on():
    model, region = region_model()
    image = np.zeros((28, 28), dtype=np.uint8)
    image[2:26, 12:16] = 255  # ink the model ignores
    image[region] = 255
    patch = 4
    heat = attribution.occlusion(model, image, digit=0, patch=patch, stride=2, fill=0)
    grown = ndimage.binary_dilation(region, iterations=patch)  # pixels a patch touching the region may cover
    assert heat[region].min() > 0.01
    assert np.abs(heat[~grown]).max() == 0.0
    assert np.unravel_index(heat.argmax(), heat.shape) in set(zip(*np.nonzero(region)))


def test_occlusion_covers_every_pixel_with_its_patches():
    images, corners = attribution.occlusion_images(np.zeros((28, 28), np.uint8), 6, 4, fill=128)
    covered = (images == 128).any(axis=0)
    assert covered.all() and len(images) == len(corners) == 7 * 7


@pytest.mark.parametrize("angle", [-75, -30, 15, 90])
def test_rotation_matches_scipy(angle, test_set):
    image = test_set[0][3]
    expected = ndimage.rotate(image.astype(np.float64), angle, reshape=False, order=1, mode="grid-constant")
    ours = robustness.rotate(image, angle)
    assert np.abs(ours.astype(np.float64) - np.clip(expected, 0, 255)).max() <= 1.0


def test_shift_matches_scipy(test_set):
    images = test_set[0][:3]
    for right, down in [(3, -2), (-5, 4), (0, 8)]:
        expected = np.stack(
            [ndimage.shift(image, (down, right), order=0, mode="constant") for image in images]
        )
        np.testing.assert_array_equal(robustness.shift(images, right, down), expected)


@pytest.mark.parametrize("pixels", [2, -1])
def test_thickness_matches_scipy_grey_morphology(pixels, test_set):
    image = test_set[0][4]
    cross = ndimage.generate_binary_structure(2, 1)
    morph = ndimage.grey_dilation if pixels > 0 else ndimage.grey_erosion
    expected = image
    for _ in range(abs(pixels)):
        expected = morph(expected, footprint=cross, mode="constant", cval=0)
    np.testing.assert_array_equal(robustness.thicken(image, pixels), expected)


def test_noise_has_its_standard_deviation_and_is_repeatable():
    grey = np.full((50, 28, 28), 128, dtype=np.uint8)
    noisy = robustness.add_noise(grey, 20, seed=3)
    assert np.std(noisy.astype(np.float64) - 128) == pytest.approx(20, rel=0.02)
    np.testing.assert_array_equal(noisy, robustness.add_noise(grey, 20, seed=3))
    np.testing.assert_array_equal(robustness.add_noise(grey, 0), grey)
    assert (grey == 128).all()  # the input is untouched


def test_a_change_is_checked():
    with pytest.raises(ValueError, match="shift must be between"):
        robustness.Change(shift_right=20)


def test_robustness_curves_start_at_the_plain_accuracy_and_fall(dense, test_set):
    x_test, y_test = test_set
    images, labels = x_test[:300], y_test[:300]
    curves = robustness.robustness_curves(dense, images, labels, angles=(0, 90), noise_levels=(0, 150))
    plain = (dense.predict(to_model_inputs(dense, images), verbose=0).argmax(axis=1) == labels).mean()
    assert curves.rotation_accuracy[0] == pytest.approx(plain) == curves.noise_accuracy[0]
    assert curves.rotation_accuracy[1] < plain - 0.3 and curves.noise_accuracy[1] < plain


def test_abstention_trades_answers_for_accuracy():
    probabilities = np.array([[0.9, 0.1], [0.6, 0.4], [0.45, 0.55], [0.2, 0.8]])
    labels = np.array([0, 1, 1, 1])  # the 0.6 one is wrong
    result = robustness.abstention(probabilities, labels, thresholds=[0.0, 0.7, 0.95])
    np.testing.assert_allclose(result.answered, [1.0, 0.5, 0.0])
    np.testing.assert_allclose(result.accuracy[:2], [0.75, 1.0])
    assert np.isnan(result.accuracy[2])
    assert robustness.answer(probabilities[1], 0.7) is None and robustness.answer(probabilities[0], 0.7) == 0


@pytest.mark.parametrize("name", ["dense", "convnet"])
def test_the_nudge_flips_a_real_test_image_within_its_stated_size(name, request, test_set):
    model = request.getfixturevalue(name)
    x_test, y_test = test_set
    image = x_test[0]
    assert model.predict(to_model_inputs(model, image[None]), verbose=0).argmax() == y_test[0] == 7
    result = adversarial.nudge(model, image, target=3)
    assert result.flipped
    seen = model.predict(to_model_inputs(model, result.nudged[None]), verbose=0)[0]
    assert seen.argmax() == 3  # Keras itself reads the nudged image as a 3
    assert np.abs(result.nudged.astype(int) - image.astype(int)).max() == result.step <= adversarial.MAX_STEP
    assert result.step > 0


def test_a_nudge_to_the_digit_it_already_reads_changes_nothing(dense, test_set):
    result = adversarial.nudge(dense, test_set[0][0], target=7)
    assert result.step == 0 and result.flipped


@pytest.mark.parametrize("name", ["dense", "convnet"])
def test_all_units_on_is_the_original_model(name, request, test_set):
    model = request.getfixturevalue(name)
    images = test_set[0][:200]
    layers = chain(model)
    for layer in ablation.hidden_layers(layers):
        ours = ablation.probabilities_without(model, layers, layer, [], images)
        np.testing.assert_allclose(ours, model.predict(to_model_inputs(model, images), verbose=0), atol=1e-5)


def test_units_off_equal_a_copy_with_their_weights_cut(dense, test_set):
    images = test_set[0][:200]
    layers = chain(dense)
    hidden = ablation.hidden_layers(layers)[0]
    off = [0, 5, 17]
    cut = keras.models.clone_model(dense)
    cut.set_weights(dense.get_weights())
    kernel, bias = cut.get_layer(hidden.name).get_weights()
    kernel[:, off], bias[off] = 0, 0  # relu(0) = 0: the unit's output is 0 for every input
    cut.get_layer(hidden.name).set_weights([kernel, bias])
    np.testing.assert_allclose(
        ablation.probabilities_without(dense, layers, hidden, off, images),
        cut.predict(to_model_inputs(cut, images), verbose=0),
        atol=1e-5,
    )


def test_a_digits_most_active_units_matter_most_for_that_digit(dense, test_set):
    x_test, y_test = test_set
    images, labels = x_test[:1000], y_test[:1000]
    layers = chain(dense)
    hidden = ablation.hidden_layers(layers)[0]
    ones = ablation.mean_activations(dense, layers, hidden, images[labels == 1])
    expected = np.asarray(layers[hidden.index](to_model_inputs(dense, images[labels == 1]) / 255)).mean(
        axis=0
    )
    np.testing.assert_allclose(ones, expected, rtol=1e-5)
    off = ablation.most_active(ones, 8)
    by_digit = ablation.accuracy_by_digit(
        ablation.probabilities_without(dense, layers, hidden, off, images), labels
    )
    before = ablation.accuracy_by_digit(dense.predict(to_model_inputs(dense, images), verbose=0), labels)
    assert before[1] - by_digit[1] > 0.2


def test_units_are_typed_as_numbers_and_ranges():
    assert ablation.parse_units("3, 7,1-2", 32) == [1, 2, 3, 7]
    with pytest.raises(ValueError, match="units 0 to 31; there is no unit 40"):
        ablation.parse_units("40", 32)
    with pytest.raises(ValueError, match="'x' is not a unit number"):
        ablation.parse_units("x", 32)


def test_the_compiled_predictions_are_the_models_and_let_it_go(test_set):
    import gc
    import weakref

    from mnist_core.engine.models import load_model_bytes, model_to_bytes
    from mnist_core.inspect.layer_chain import _compiled, predicted_digits

    model = load_model_bytes(model_to_bytes(load_shipped("default")))  # a copy this test owns
    images = test_set[0][:600]
    expected = model.predict(to_model_inputs(model, images), verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(predicted_digits(model, images), expected)
    kept, gone = len(_compiled), weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None and len(_compiled) == kept - 1  # the compiled function did not keep it alive
