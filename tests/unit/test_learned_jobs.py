"""The jobs "What it learned" sends to a worker: the same answers as the core functions they wrap,
through a real ``ModelCall`` on the thread executor (pickled both ways), as plain data."""

import pickle

import keras
import numpy as np
import pytest

from mnist_core.data.mnist import load_mnist
from mnist_core.engine.default_model import load_shipped
from mnist_core.engine.models import to_model_inputs
from mnist_core.inspect import ablation, adversarial, attribution, learned_jobs, robustness
from mnist_core.inspect.layer_chain import chain
from mnist_core.jobs import TaskState, make_executor
from mnist_core.jobs.model_jobs import ModelCall, ModelRef


@pytest.fixture(scope="module")
def test_set():
    _, (x_test, y_test) = load_mnist()
    return x_test, y_test


@pytest.fixture(scope="module")
def dense():
    return load_shipped("default")


def in_worker(function, *args, pass_control=False):
    """``function(model, *args)`` on the shipped default model, run as the page runs it."""
    call = ModelCall(function, ModelRef.of_shipped("default"), args, pass_control=pass_control)
    snapshot = make_executor("thread").submit(call, name=function.__name__).join(120)
    assert snapshot.state == TaskState.FINISHED, snapshot.error_details
    return snapshot.result


def test_the_curve_images_are_the_pages_sample_of_the_test_set(test_set):
    x_test, y_test = test_set
    images, labels = learned_jobs.curve_images()
    indices = robustness.curve_sample(len(x_test))
    np.testing.assert_array_equal(images, x_test[indices])
    np.testing.assert_array_equal(labels, y_test[indices])
    assert len(images) == robustness.CURVE_IMAGES


def test_a_chain_is_checked_and_its_hidden_layers_listed(dense):
    checked = in_worker(learned_jobs.check_model)
    assert checked == learned_jobs.ModelCheck(None, tuple(ablation.hidden_layers(chain(dense))))
    assert [layer.label for layer in checked.hidden] == ["hidden_1 (32 units)"]


def test_a_model_with_a_skip_connection_is_refused_with_the_reason():
    inputs = keras.Input(shape=(784,))
    hidden = keras.layers.Dense(784, activation="relu")(inputs)
    out = keras.layers.Dense(10, activation="softmax")(keras.layers.Add()([inputs, hidden]))
    checked = learned_jobs.check_model(keras.Model(inputs, out))
    assert checked.hidden == () and "not a plain chain of layers" in checked.problem


def test_the_maps_and_the_nudge_are_the_core_functions_answers(dense, test_set):
    image = test_set[0][0]
    maps = in_worker(learned_jobs.where_it_looks, image, 3, 8, 0)
    np.testing.assert_allclose(maps.gradient, attribution.saliency(dense, image, 3), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(maps.drops, attribution.occlusion(dense, image, 3, 8, fill=0), atol=1e-6)
    result = in_worker(learned_jobs.nudge, image, 3)
    expected = adversarial.nudge(dense, image, 3)
    assert (result.step, result.repeats, result.flipped) == (
        expected.step,
        expected.repeats,
        expected.flipped,
    )
    np.testing.assert_array_equal(result.nudged, expected.nudged)


def test_probabilities_are_keras_own(dense, test_set):
    images = test_set[0][:3]
    expected = dense.predict(to_model_inputs(dense, images), verbose=0)
    np.testing.assert_allclose(in_worker(learned_jobs.probabilities, images), expected, atol=1e-5)
    baseline = in_worker(learned_jobs.curve_probabilities)
    curve = learned_jobs.curve_images()[0]
    np.testing.assert_allclose(baseline, dense.predict(to_model_inputs(dense, curve), verbose=0), atol=1e-5)


def test_units_off_and_their_activity(dense, test_set):
    layer = ablation.hidden_layers(chain(dense))[0]
    image = test_set[0][0]
    all_on = in_worker(learned_jobs.probabilities_without, layer, [], image)
    assert all_on.shape == (robustness.CURVE_IMAGES + 1, 10)
    np.testing.assert_allclose(all_on[:-1], in_worker(learned_jobs.curve_probabilities), atol=1e-5)
    np.testing.assert_allclose(all_on[-1], in_worker(learned_jobs.probabilities, image[None])[0], atol=1e-5)
    every_unit_off = in_worker(learned_jobs.probabilities_without, layer, list(range(layer.units)), image)
    assert np.allclose(every_unit_off, every_unit_off[0])  # nothing reaches the output but its bias
    images, labels = learned_jobs.curve_images()
    hidden = keras.Model(dense.inputs, dense.get_layer(layer.name).output)  # Keras's own submodel
    sevens = hidden.predict(to_model_inputs(dense, images[labels == 7]), verbose=0).mean(axis=0)
    np.testing.assert_allclose(
        in_worker(learned_jobs.mean_activations, layer, 7), sevens, rtol=1e-4, atol=1e-5
    )


def test_the_curves_report_progress_and_pickle_as_plain_data(dense):
    curves = in_worker(learned_jobs.accuracy_curves, pass_control=True)
    assert isinstance(curves, robustness.RobustnessCurves) and curves.images == robustness.CURVE_IMAGES
    plain = float(
        np.mean(in_worker(learned_jobs.curve_probabilities).argmax(axis=1) == learned_jobs.curve_images()[1])
    )
    assert curves.rotation_accuracy[list(curves.angles).index(0.0)] == pytest.approx(plain)
    assert "keras" not in pickle.dumps(curves).decode("latin-1")  # arrays and numbers, no Keras object
