"""Part 3's loss landscape: Keras-exact losses, filter normalization, the PCA path plane."""

import numpy as np
import pytest

from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.jobs.tasks import BackgroundTask, TaskState
from mnist_core.landscape import loss_landscape as landscape

keras = pytest.importorskip("keras")

SPEC = ModelSpec(hidden_units=(16,))
CONFIG = TrainConfig(epochs=2, train_limit=3000, validation_size=500, batch_size=64)
SMALL = landscape.LandscapeSettings(resolution=5, samples=600, validation_samples=300)


@pytest.fixture(scope="module")
def run():
    from mnist_core.engine.training import prepare_data, train

    result = train(SPEC, CONFIG)
    data = prepare_data(SPEC, CONFIG)
    return result, data


@pytest.fixture(scope="module")
def computed(run):
    result, data = run
    return landscape.compute_landscape(
        result.model, result.weight_history, (data.x_train, data.y_train), (data.x_val, data.y_val), SMALL
    )


def keras_loss(model, weights, images, targets):
    """The oracle: Keras's own evaluate, on a clone holding ``weights``."""
    clone = keras.models.clone_model(model)
    clone.compile(loss="categorical_crossentropy")
    clone.set_weights(weights)
    return float(np.ravel(clone.evaluate(images.astype("float32"), targets, batch_size=128, verbose=0))[0])


def test_interpolation_endpoints_equal_the_losses_keras_reports(run, computed):
    result, data = run
    alphas = list(computed.alphas)
    for alpha, weights in ((0.0, result.weight_history[0]), (1.0, result.weight_history[-1])):
        index = alphas.index(alpha)
        train_loss = keras_loss(result.model, weights, data.x_train[:600], data.y_train[:600])
        val_loss = keras_loss(result.model, weights, data.x_val[:300], data.y_val[:300])
        assert computed.interpolation_train[index] == pytest.approx(train_loss, rel=1e-5)
        assert computed.interpolation_validation[index] == pytest.approx(val_loss, rel=1e-5)
    # training lowered the loss, and the line goes a little beyond both ends
    assert computed.interpolation_train[alphas.index(1.0)] < computed.interpolation_train[alphas.index(0.0)]
    assert computed.alphas.min() < 0 and computed.alphas.max() > 1


def test_grids_are_centred_on_the_trained_loss_and_the_path_ends_there(computed):
    centre = SMALL.resolution // 2
    trained = computed.interpolation_train[list(computed.alphas).index(1.0)]
    assert computed.random_grid[centre, centre] == pytest.approx(trained, rel=1e-6)
    assert computed.random_axis[centre] == 0
    np.testing.assert_allclose(computed.path[-1], (0, 0), atol=1e-9)
    assert computed.path_losses[-1] == pytest.approx(trained, rel=1e-5)
    assert computed.random_grid.shape == computed.pca_grid.shape == (5, 5)
    assert computed.random_grid.max() > trained  # moving away from the trained weights costs loss
    assert (
        computed.pca_x.min() <= computed.path[:, 0].min()
        and computed.pca_x.max() >= computed.path[:, 0].max()
    )


def test_plane_shortcut_matches_keras_away_from_the_trained_weights(run):
    result, data = run
    trained = result.weight_history[-1]
    rng = np.random.default_rng(3)
    d1 = landscape.filter_normalized_direction(trained, rng)
    d2 = landscape.filter_normalized_direction(trained, rng)
    evaluator = landscape.LossEvaluator(result.model, data.x_train[:400], data.y_train[:400])
    assert evaluator.uses_numpy
    moved = [t + 0.7 * a - 0.4 * b for t, a, b in zip(trained, d1, d2)]
    expected = keras_loss(result.model, moved, data.x_train[:400], data.y_train[:400])
    assert evaluator.on_plane(trained, [d1, d2])(0.7, -0.4) == pytest.approx(expected, rel=1e-5)
    assert evaluator(moved) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    "spec",
    [
        ModelSpec(hidden_units=(8, 6), dropout=(0.2, 0.0), activation="tanh"),
        ModelSpec(hidden_units=(5,), activation="sigmoid", scale_inputs=False),
        ModelSpec(hidden_units=(), dropout=()),
        ModelSpec(architecture="convnet", hidden_units=(), dropout=(), conv_filters=2, conv_dense_units=8),
    ],
)
def test_losses_match_keras_for_other_architectures(spec):
    from mnist_core.data.mnist import load_mnist
    from mnist_core.engine.models import build_model

    (x, y), _ = load_mnist()
    keras.utils.set_random_seed(1)
    model = build_model(spec)
    images = x[:200].reshape((200, *spec.input_shape))
    targets = keras.utils.to_categorical(y[:200], 10)
    evaluator = landscape.LossEvaluator(model, images, targets)
    assert evaluator.uses_numpy == (spec.architecture == "dense")
    weights = model.get_weights()
    expected = model.evaluate(images.astype("float32"), targets, batch_size=50, verbose=0)[0]
    assert evaluator(weights) == pytest.approx(expected, rel=1e-5)
    assert evaluator.on_plane(weights, [weights])(0.0) == pytest.approx(expected, rel=1e-5)


def test_filter_normalization_matches_every_units_norm_and_leaves_biases_out():
    rng = np.random.default_rng(0)
    weights = [
        rng.normal(size=(3, 3, 1, 4)).astype("float32"),  # conv kernel: 4 filters
        rng.normal(size=4).astype("float32"),  # its biases
        rng.normal(size=(784, 32)).astype("float32") * 0.05,  # dense kernel: 32 units
        rng.normal(size=32).astype("float32"),
    ]
    direction = landscape.filter_normalized_direction(weights, np.random.default_rng(1))
    assert [d.shape for d in direction] == [w.shape for w in weights]
    for d, w in ((direction[0], weights[0]), (direction[2], weights[2])):
        axes = tuple(range(w.ndim - 1))
        np.testing.assert_allclose(
            np.sqrt((d.astype(float) ** 2).sum(axis=axes)),
            np.sqrt((w.astype(float) ** 2).sum(axis=axes)),
            rtol=1e-5,
        )
        assert not np.allclose(d / np.abs(d).max(), w / np.abs(w).max())  # random, not a copy of w
    assert not direction[1].any() and not direction[3].any()
    again = landscape.filter_normalized_direction(weights, np.random.default_rng(1))
    np.testing.assert_array_equal(direction[2], again[2])  # reproducible from the seed


def test_path_plane_from_pca_reconstructs_a_two_epoch_path():
    rng = np.random.default_rng(0)
    history = [[rng.normal(size=(4, 3)), rng.normal(size=3)] for _ in range(3)]
    directions, path, explained, note = landscape.path_plane(history, rng)
    assert directions.shape == (2, 15) and path.shape == (3, 2) and note == ""
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(path[-1], 0, atol=1e-12)
    assert explained.sum() == pytest.approx(1.0) and explained[0] >= explained[1]
    final = landscape.flatten_weights(history[-1])
    for saved, (a, b) in zip(history, path):  # two offsets span a plane: projection is exact
        np.testing.assert_allclose(
            final + a * directions[0] + b * directions[1], landscape.flatten_weights(saved)
        )


def test_path_plane_of_one_epoch_adds_a_perpendicular_direction():
    rng = np.random.default_rng(0)
    history = [[rng.normal(size=(4, 3))] for _ in range(2)]
    directions, path, explained, note = landscape.path_plane(history, rng)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-12)
    assert "One epoch" in note and explained[1] == 0
    assert path[0, 1] == pytest.approx(0, abs=1e-9)


def test_compute_landscape_reports_progress_and_stops_when_asked(run):
    result, data = run
    settings = landscape.LandscapeSettings(resolution=51, samples=600, validation_samples=300)
    fractions = []

    def work(control):
        original = control.report

        def spy(fraction=None, message=None, **detail):
            if fraction is not None:
                fractions.append(fraction)
                if fraction > 0.05:
                    task.stop()
            original(fraction, message, **detail)

        control.report = spy
        return landscape.compute_landscape(
            result.model,
            result.weight_history,
            (data.x_train, data.y_train),
            (data.x_val, data.y_val),
            settings,
            control,
        )

    task = BackgroundTask(work, name="landscape")
    snapshot = task.start().join(60)
    assert snapshot.state == TaskState.STOPPED
    assert fractions == sorted(fractions) and 0 < fractions[-1] < 0.2
    assert len(snapshot.detail["interpolation"]["train"]) == len(settings.alphas)  # 1-D published early


def test_fingerprint_tells_runs_apart():
    a = [[np.zeros((2, 2), "float32")], [np.ones((2, 2), "float32")]]
    b = [[np.zeros((2, 2), "float32")], [np.full((2, 2), 2, "float32")]]
    assert landscape.fingerprint(a) == landscape.fingerprint([list(w) for w in a]) != landscape.fingerprint(b)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"resolution": 2}, "resolution"),
        ({"span": 0}, "span"),
        ({"samples": 5}, "samples"),
        ({"alphas": (0.5, 1.0)}, "alphas"),
    ],
)
def test_settings_explain_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        landscape.LandscapeSettings(**kwargs)


def test_a_history_of_one_is_refused(run):
    result, data = run
    with pytest.raises(ValueError, match="before and after training"):
        landscape.compute_landscape(
            result.model,
            result.weight_history[:1],
            (data.x_train, data.y_train),
            (data.x_val, data.y_val),
            SMALL,
        )
