"""The 784-dimensional space: PCA, t-SNE with progress, random cube points, distances, walks."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from mnist_core.data import projections
from mnist_core.data.mnist import load_mnist


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small problems: threads only add waiting on a busy 2-core machine."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def digits():
    (x_train, y_train), (x_test, _) = load_mnist()
    return np.array(x_train[:400]), np.array(y_train[:400]), np.array(x_test[:30])


def test_subset_indices_are_distinct_sorted_and_seeded():
    a = projections.subset_indices(1000, 100, seed=3)
    assert len(np.unique(a)) == 100 and (np.diff(a) > 0).all()
    assert (a == projections.subset_indices(1000, 100, seed=3)).all()
    assert not (a == projections.subset_indices(1000, 100, seed=4)).all()
    with pytest.raises(ValueError, match="between 1 and 1000"):
        projections.subset_indices(1000, 1001, seed=0)


def test_pca_matches_the_svd_of_the_centred_data(digits):
    images, _, _ = digits
    result = projections.pca(images, 5)
    x = images.reshape(len(images), -1) / 255.0
    centred = x - x.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    np.testing.assert_allclose(result.explained_variance_ratio, variance[:5] / variance.sum(), rtol=1e-3)
    np.testing.assert_allclose(np.abs(result.components), np.abs(vt[:5]), atol=2e-3)
    np.testing.assert_allclose(np.abs(result.coordinates), np.abs(centred @ vt[:5].T), atol=2e-3)
    assert result.coordinates.shape == (400, 5) and result.mean.shape == (784,)


def test_pca_is_deterministic_and_validates(digits):
    images, _, _ = digits
    first, second = projections.pca(images, 3), projections.pca(images, 3)
    assert (first.coordinates == second.coordinates).all()
    with pytest.raises(ValueError, match="n_components"):
        projections.pca(images, 0)


def test_tsne_with_progress_gives_exactly_scikit_learns_result(digits):
    images, _, _ = digits
    images = images[:80]
    reports = []
    ours = projections.tsne(
        images, seed=1, perplexity=10, max_iter=300, on_progress=lambda f, m: reports.append((f, m))
    )
    reduced = PCA(50, svd_solver="covariance_eigh").fit_transform(projections.as_unit_vectors(images))
    theirs = TSNE(2, perplexity=10, init="pca", random_state=1, max_iter=300).fit_transform(reduced)
    np.testing.assert_array_equal(ours, theirs)
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] >= 0.99
    assert any("Iteration 300 of 300" in m for _, m in reports)


def test_tsne_is_seeded_3d_capable_and_stoppable(digits):
    images, _, _ = digits
    images = images[:60]
    a = projections.tsne(images, n_components=3, seed=2, perplexity=10, max_iter=250)
    b = projections.tsne(images, n_components=3, seed=2, perplexity=10, max_iter=250)
    assert a.shape == (60, 3) and (a == b).all()

    def stop_at_iteration_20(fraction, message):
        if message.startswith("Iteration 20 "):
            raise InterruptedError

    with pytest.raises(InterruptedError):
        projections.tsne(images, seed=2, perplexity=10, on_progress=stop_at_iteration_20)
    with pytest.raises(ValueError, match="perplexity"):
        projections.tsne(images[:10])
    with pytest.raises(ValueError, match="2-D or 3-D"):
        projections.tsne(images, n_components=4)


def test_random_cube_points_are_seeded_and_cover_0_to_255():
    points = projections.random_cube_points(50, seed=7)
    assert points.shape == (50, 28, 28) and points.dtype == np.uint8
    assert (points == projections.random_cube_points(50, seed=7)).all()
    assert points.min() == 0 and points.max() == 255
    assert abs(points.mean() - 127.5) < 2


def test_nearest_distances_match_scikit_learn(digits):
    images, _, tests = digits
    distances, nearest = projections.nearest_distances(tests, images, chunk=70)
    reference = NearestNeighbors(n_neighbors=1).fit(images.reshape(400, -1) / 255.0)
    expected, expected_index = reference.kneighbors(tests.reshape(30, -1) / 255.0)
    np.testing.assert_allclose(distances, expected[:, 0], atol=1e-3)
    assert (nearest == expected_index[:, 0]).all()
    zero, itself = projections.nearest_distances(images[:3], images)
    assert np.allclose(zero, 0, atol=1e-2) and (itself == [0, 1, 2]).all()


def test_random_points_are_far_from_every_digit_and_real_digits_are_close(digits):
    images, _, tests = digits
    random_distance, _ = projections.nearest_distances(projections.random_cube_points(30, seed=0), images)
    real_distance, _ = projections.nearest_distances(tests, images)
    assert np.median(random_distance) > 2 * np.median(real_distance)
    assert projections.cube_diagonal() == 28.0


def test_interpolate_walks_a_straight_line(digits):
    images, _, _ = digits
    start, end = images[0], images[1]
    frames = projections.interpolate(start, end, 5)
    assert frames.shape == (5, 28, 28)
    assert (frames[0] == start).all() and (frames[-1] == end).all()
    np.testing.assert_allclose(frames[2], (start.astype(float) + end) / 2)
    with pytest.raises(ValueError, match="at least 2"):
        projections.interpolate(start, end, 1)
    with pytest.raises(ValueError, match="same shape"):
        projections.interpolate(start, end[:10], 3)
