"""Test-set evaluation and nearest neighbours, checked against Keras and brute force."""

import keras
import numpy as np
import pytest

from mnist_core.data.mnist import load_mnist, one_hot
from mnist_core.engine.default_model import load_default_model
from mnist_core.engine.models import to_model_inputs
from mnist_core.inspect.evaluation import (
    PixelNeighbours,
    confusion_matrix,
    cross_entropy,
    evaluate,
    nearest_neighbours,
    predict_probabilities,
    sample,
    scores,
)

SUBSET = 2000


@pytest.fixture(scope="module")
def evaluated():
    _, (x_test, y_test) = load_mnist()
    model = load_default_model()
    return model, x_test[:SUBSET], y_test[:SUBSET], evaluate(model, x_test[:SUBSET], y_test[:SUBSET])


def test_loss_and_accuracy_match_model_evaluate(evaluated):
    model, images, labels, evaluation = evaluated
    loss, accuracy = model.evaluate(to_model_inputs(model, images), one_hot(labels), verbose=0)
    assert evaluation.loss == pytest.approx(loss, rel=1e-4)
    assert evaluation.accuracy == pytest.approx(accuracy, abs=1e-6)
    assert evaluation.correct + evaluation.incorrect == SUBSET
    assert evaluation.correct == int((evaluation.predicted == labels).sum())


def test_small_batches_predict_the_same_as_model_predict(evaluated):
    model, images, _, evaluation = evaluated
    direct = predict_probabilities(model, images[:5])  # a direct call, not model.predict
    np.testing.assert_allclose(direct, evaluation.probabilities[:5], atol=1e-6)


def test_cross_entropy_against_keras():
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(10), size=50).astype(np.float32)
    labels = rng.integers(0, 10, 50)
    expected = keras.losses.CategoricalCrossentropy()(one_hot(labels), probabilities)
    assert cross_entropy(probabilities, labels) == pytest.approx(float(expected), rel=1e-5)


def test_confusion_matrix_counts():
    labels = np.array([0, 0, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 2, 0, 2])
    matrix = confusion_matrix(labels, predicted)
    assert matrix.shape == (10, 10)
    assert matrix[0, 0] == 1 and matrix[0, 1] == 1 and matrix[2, 0] == 1 and matrix[2, 2] == 2
    assert matrix.sum() == 6 and np.trace(matrix) == 4


def test_confusion_matrix_agrees_with_scikit_learn(evaluated):
    from sklearn.metrics import confusion_matrix as sklearn_confusion

    _, _, labels, evaluation = evaluated
    np.testing.assert_array_equal(
        evaluation.confusion, sklearn_confusion(labels, evaluation.predicted, labels=range(10))
    )


def test_cells_and_the_most_confused_pair(evaluated):
    _, _, labels, evaluation = evaluated
    true_digit, predicted_digit = evaluation.most_confused()
    assert true_digit != predicted_digit
    cell = evaluation.cell(true_digit, predicted_digit)
    assert len(cell) == evaluation.confusion[true_digit, predicted_digit] > 0
    assert np.all(labels[cell] == true_digit) and np.all(evaluation.predicted[cell] == predicted_digit)
    assert len(evaluation.indices(True)) == evaluation.correct
    assert len(evaluation.indices(False)) == evaluation.incorrect


def test_sample_is_reproducible_and_without_repeats():
    indices = np.arange(100, 200)
    first, again, other = sample(indices, 9, 1), sample(indices, 9, 1), sample(indices, 9, 2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert len(set(first)) == 9 and set(first) <= set(indices)
    np.testing.assert_array_equal(sample(np.array([3, 4]), 9, 0), [3, 4])


def test_nearest_neighbours_match_brute_force():
    (x_train, _), (x_test, _) = load_mnist()
    candidates = x_train[:3000]
    finder = PixelNeighbours(candidates, dimensions=20)
    for query in x_test[:3]:
        indices, distances = finder.nearest(query, k=4)
        brute = np.sqrt(((candidates.reshape(3000, -1) / 255.0 - query.reshape(-1) / 255.0) ** 2).sum(axis=1))
        np.testing.assert_array_equal(indices, np.argsort(brute, kind="stable")[:4])
        np.testing.assert_allclose(distances, np.sort(brute)[:4], rtol=1e-5)


def test_an_image_is_its_own_nearest_neighbour():
    (x_train, _), _ = load_mnist()
    finder = PixelNeighbours(x_train[:500])
    indices, distances = finder.nearest(x_train[123], k=1)
    assert indices[0] == 123 and distances[0] == pytest.approx(0.0, abs=1e-3)
    with pytest.raises(ValueError, match="pixels"):
        finder.nearest(np.zeros(10))


def test_a_model_trained_on_unscaled_pixels_is_fed_unscaled_pixels():
    """Lesson 3's bad run feeds 0-255 pixels: predicting must feed the same, not 0-1 values."""
    from mnist_core.engine.models import build_model, expects_raw_pixels, load_model_bytes, model_to_bytes
    from mnist_core.engine.spec import ModelSpec
    from mnist_core.inspect.trace import trace_dense

    _, (x_test, _) = load_mnist()
    keras.utils.set_random_seed(1)
    unscaled = build_model(ModelSpec(hidden_units=(8,), dropout=(0.0,), scale_inputs=False))
    assert expects_raw_pixels(unscaled)
    assert expects_raw_pixels(load_model_bytes(model_to_bytes(unscaled)))  # the mark survives saving
    raw = unscaled.predict(x_test[:4].reshape(4, 784).astype(np.float32), verbose=0)
    np.testing.assert_allclose(predict_probabilities(unscaled, x_test[:4]), raw, atol=1e-6)
    np.testing.assert_allclose(trace_dense(unscaled, x_test[0]).probabilities, raw[0], atol=1e-5)


@pytest.mark.parametrize("k, chunk", [(1, 7), (4, 7), (4, 1000), (9, 3)])
def test_the_brute_force_search_matches_a_full_distance_matrix(k, chunk):
    rng = np.random.default_rng(k + chunk)
    reference = rng.integers(0, 4, size=(40, 6)).astype(np.uint8)  # few values: many equal distances
    queries = rng.integers(0, 4, size=(12, 6)).astype(np.float64)
    indices, squared = nearest_neighbours(queries, reference, k=k, chunk=chunk)
    full = ((queries[:, None, :] - reference[None, :, :].astype(np.float64)) ** 2).sum(axis=2)
    expected = np.argsort(full, axis=1, kind="stable")[:, :k]  # ties: the smaller index first
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_allclose(squared, np.take_along_axis(full, expected, axis=1), atol=1e-9)
    with pytest.raises(ValueError, match="k must be between 1 and 40"):
        nearest_neighbours(queries, reference, k=41)


def test_scores_are_keras_loss_and_accuracy():
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((400, 10)) * 12  # some answers certain to within float32 rounding
    probabilities = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(np.float32)
    labels = rng.integers(0, 10, 400)
    scored = scores(probabilities, labels)
    keras_loss = keras.losses.CategoricalCrossentropy()(one_hot(labels), probabilities)
    assert scored.loss == pytest.approx(float(keras_loss), rel=1e-6)
    accuracy = keras.metrics.CategoricalAccuracy()
    accuracy.update_state(one_hot(labels), probabilities)
    assert scored.accuracy == pytest.approx(float(accuracy.result()), abs=1e-7)
    assert scored.confusion.sum() == 400 and np.trace(scored.confusion) == round(scored.accuracy * 400)
