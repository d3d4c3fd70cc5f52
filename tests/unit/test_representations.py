"""Every layer's representation of the digits, its 2-D map and its k-nearest-neighbour accuracy, and one
image's tensors: checked against independent oracles (a NumPy forward pass, scikit-learn, Keras's own
layer shapes)."""

import keras
import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from mnist_core.data.mnist import load_mnist
from mnist_core.data.projections import pca_of_vectors, tsne_of_vectors
from mnist_core.engine.default_model import load_shipped, load_shipped_history
from mnist_core.figures.representation_figures import layer_maps_figure, separation_by_epoch_figure
from mnist_core.inspect.representations import (
    knn_accuracy,
    layer_maps,
    layer_representations,
    representation_layers,
    tensor_shapes,
    tsne_maps,
    uncrumpling,
)
from mnist_core.inspect.trace import feature_maps, trace_dense


@pytest.fixture(scope="module")
def digits():
    _, (x_test, y_test) = load_mnist()
    return x_test[:400], y_test[:400]


def numpy_forward(weights, images):
    """The first network by hand: relu(x W1 + b1), then softmax(h W2 + b2), on pixels / 255."""
    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    x = images.reshape(len(images), -1) / 255.0
    hidden = np.maximum(x @ w1 + b1, 0.0)
    logits = hidden @ w2 + b2
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return x, hidden, exp / exp.sum(axis=1, keepdims=True)


def top_two_principal_coordinates(values):
    """PCA without scikit-learn: the top two eigenvectors of the centred Gram matrix, scaled by sqrt(eigenvalue)."""
    centred = np.asarray(values, dtype=np.float64) - np.mean(values, axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(centred @ centred.T)
    return eigenvectors[:, ::-1][:, :2] * np.sqrt(eigenvalues[::-1][:2])


def test_the_first_networks_layers_are_the_numpy_trace_of_every_digit(digits):
    images, _ = digits
    model = load_shipped("default")
    found = layer_representations(model, images[:50])
    assert [(r.name, r.kind, r.shape) for r in found] == [
        ("pixels", "Input", (784,)),
        ("hidden_1", "Dense", (32,)),
        ("output", "Dense", (10,)),
    ]
    for index, image in enumerate(images[:50]):
        trace = trace_dense(model, image)
        np.testing.assert_allclose(found[0].values[index], image.reshape(-1) / 255.0, atol=1e-6)
        np.testing.assert_allclose(found[1].values[index], trace.hidden[0].outputs, atol=1e-5)
        np.testing.assert_allclose(found[2].values[index], trace.probabilities, atol=1e-6)


def test_a_snapshot_of_the_history_is_used_without_changing_the_model(digits):
    images, _ = digits
    model = load_shipped("default")
    before = [w.copy() for w in model.get_weights()]
    history = load_shipped_history()
    found = layer_representations(model, images, history[0])
    _, hidden, probabilities = numpy_forward(history[0], images)
    np.testing.assert_allclose(found[1].values, hidden, atol=1e-5)
    np.testing.assert_allclose(found[2].values, probabilities, atol=1e-5)
    for kept, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(kept, now)
    with pytest.raises(ValueError, match="do not fit the model: it needs arrays shaped"):
        layer_representations(model, images, history[0][:2])


def test_the_convnet_is_seen_after_pooling_and_the_pooling_is_a_2x2_max(digits):
    images, _ = digits
    model = load_shipped("default-convnet")
    layers, too_wide = representation_layers(model)
    assert [layer.name for layer in layers] == ["pool", "hidden_1", "output"]
    assert too_wide == ["conv (21,632 values)"]
    found = layer_representations(model, images[:3])
    conv = np.moveaxis(feature_maps(model, images[1]), 0, -1)  # (26, 26, 32), Keras's own convolution
    pooled = conv.reshape(13, 2, 13, 2, 32).max(axis=(1, 3))
    np.testing.assert_allclose(found[1].values[1], pooled.reshape(-1), atol=1e-6)
    np.testing.assert_allclose(found[-1].values, model.predict(images[:3, :, :, None], verbose=0), atol=1e-6)


def test_an_activation_layer_stands_for_the_dense_layer_before_it():
    inputs = keras.Input(shape=(784,))
    linear = keras.layers.Dense(8, name="linear")(inputs)
    relu = keras.layers.Activation("relu", name="relu")(linear)
    dropped = keras.layers.Dropout(0.5, name="drop")(relu)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax", name="out")(dropped))
    assert [layer.name for layer in representation_layers(model)[0]] == ["relu", "out"]
    found = layer_representations(model, np.full((2, 784), 200, dtype=np.uint8))
    assert (found[1].values >= 0).all()


def test_knn_accuracy_is_scikit_learns_score():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 10, 600)
    features = rng.normal(size=(600, 20)) + labels[:, None] * 0.3  # classes half apart
    for k in (1, 5, 7):
        oracle = KNeighborsClassifier(n_neighbors=k).fit(features[:300], labels[:300])
        assert knn_accuracy(features, labels, k) == oracle.score(features[300:], labels[300:])
    with pytest.raises(ValueError, match="k must be between 1 and half the digits"):
        knn_accuracy(features[:8], labels[:8], 5)


def test_the_maps_of_the_real_layers_and_their_numbers(digits):
    images, labels = digits
    model = load_shipped("default")
    found = layer_representations(model, images)
    maps = layer_maps(found, labels)
    for layer_map, representation in zip(maps, found):
        oracle = KNeighborsClassifier(n_neighbors=5).fit(representation.values[:200], labels[:200])
        assert layer_map.knn_accuracy == oracle.score(representation.values[200:], labels[200:])
        # PCA by SVD of the centred values: the same two directions, up to their signs.
        expected = top_two_principal_coordinates(representation.values)
        np.testing.assert_allclose(np.abs(layer_map.coordinates), np.abs(expected), atol=1e-3)
        np.testing.assert_allclose(
            layer_map.place(representation.values[:5]), layer_map.coordinates[:5], atol=1e-4
        )
    assert maps[-1].knn_accuracy > maps[0].knn_accuracy  # the trained output separates better than the pixels
    assert [m.name for m in uncrumpling(model, images, labels)] == ["pixels", "hidden_1", "output"]


def test_a_wide_layer_is_projected_by_a_seeded_randomized_pca_with_the_same_result(digits):
    images, _ = digits
    pooled = layer_representations(load_shipped("default-convnet"), images[:200])[1].values  # 5,408 values
    fit = pca_of_vectors(pooled, 2)
    expected = top_two_principal_coordinates(pooled)
    np.testing.assert_allclose(np.abs(fit.coordinates), np.abs(expected), atol=0.02 * np.abs(expected).max())
    np.testing.assert_array_equal(fit.coordinates, pca_of_vectors(pooled, 2).coordinates)


def test_one_images_tensors_have_keras_layer_shapes_and_its_values(digits):
    images, _ = digits
    model = load_shipped("default-convnet")
    tensors = tensor_shapes(model, images[0])
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    assert [t.name for t in tensors] == ["input", *[layer.name for layer in layers]]
    assert [t.shape for t in tensors[1:]] == [(1, *layer.output.shape[1:]) for layer in layers]
    assert tensors[0].shape == (1, 28, 28, 1)
    conv, pool = tensors[2], tensors[3]
    assert (conv.kind, conv.shape, pool.kind, pool.shape) == (
        "Conv2D",
        (1, 26, 26, 32),
        "MaxPooling2D",
        (1, 13, 13, 32),
    )
    np.testing.assert_allclose(conv.maps(), feature_maps(model, images[0]), atol=1e-6)
    np.testing.assert_allclose(pool.maps(), conv.maps().reshape(32, 13, 2, 13, 2).max(axis=(2, 4)), atol=1e-6)
    np.testing.assert_allclose(
        tensors[-1].values, model.predict(images[:1, :, :, None], verbose=0), atol=1e-6
    )
    with pytest.raises(ValueError, match="holds no 2-D feature maps"):
        tensors[-1].maps()


def test_the_layer_maps_figure_has_one_legend_and_a_star_per_panel():
    labels = np.array([0, 1, 1, 2])
    points = [np.arange(8.0).reshape(4, 2), -np.arange(8.0).reshape(4, 2)]
    figure = layer_maps_figure(
        ["pixels", "output"], points, labels, ["a", "b", "c", "d"], [np.zeros(2), np.ones(2)]
    )
    digit_traces = [t for t in figure.data if t.name in ("0", "1", "2")]
    assert len(digit_traces) == 6 and sum(bool(t.showlegend) for t in digit_traces) == 3
    stars = [t for t in figure.data if t.name == "your digit"]
    assert [(t.x[0], t.y[0]) for t in stars] == [(0.0, 0.0), (1.0, 1.0)]
    assert [a.text for a in figure.layout.annotations] == ["pixels", "output"]
    with pytest.raises(ValueError, match="2 titles for 1 panels"):
        layer_maps_figure(["a", "b"], points[:1], labels)


def test_the_separation_figure_draws_one_line_per_layer():
    figure = separation_by_epoch_figure(np.array([[0.9, 0.6], [0.9, 0.95]]), ["pixels", "output"], epoch=1)
    assert [t.name for t in figure.data] == ["pixels", "output"]
    assert list(figure.data[1].y) == [0.6, 0.95]


def test_the_t_sne_maps_are_scikit_learns_t_sne_of_each_layer_with_progress_over_all_layers(digits):
    images, _ = digits
    model = load_shipped("default")
    reports = []
    maps = tsne_maps(
        model, images[:80], seed=1, on_progress=lambda fraction, message: reports.append(fraction)
    )
    found = layer_representations(model, images[:80])
    assert list(maps) == ["pixels", "hidden_1", "output"]
    np.testing.assert_array_equal(maps["hidden_1"], tsne_of_vectors(found[1].values, seed=1))
    assert reports == sorted(reports) and reports[0] == 0 and 0.95 < reports[-1] <= 1


def test_the_page_jobs_read_their_digits_in_the_worker_and_match_the_direct_calls():
    from mnist_core.data.projections import subset_indices
    from mnist_core.inspect.representations import (
        SAMPLE,
        history_uncrumpling,
        sample_digits,
        sample_uncrumpling,
    )
    from mnist_core.jobs.model_jobs import describe_model

    _, (x_test, y_test) = load_mnist()
    indices = subset_indices(len(y_test), SAMPLE, 0)
    images, labels = sample_digits()
    np.testing.assert_array_equal(images, x_test[indices])
    np.testing.assert_array_equal(labels, y_test[indices])
    model, history = load_shipped("default"), load_shipped_history()
    own = sample_uncrumpling(model)
    by_epoch = history_uncrumpling(model, history[:2])
    direct = uncrumpling(model, images, labels, history[1])
    assert [m.knn_accuracy for m in by_epoch[1]] == [m.knn_accuracy for m in direct]
    assert [m.knn_accuracy for m in own] == [m.knn_accuracy for m in uncrumpling(model, images, labels)]
    assert by_epoch[0][-1].knn_accuracy < by_epoch[1][-1].knn_accuracy  # one epoch separates the outputs
    convnet = load_shipped("default-convnet")
    described = representation_layers(describe_model(convnet))
    assert [layer.name for layer in described[0]] == [
        layer.name for layer in representation_layers(convnet)[0]
    ]
    assert described[1] == ["conv (21,632 values)"]
