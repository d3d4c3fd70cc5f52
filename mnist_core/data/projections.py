"""Lesson 2: the 784-dimensional space. Projections to 2-D/3-D, random points of the cube,
distances to the nearest real digit, and straight-line walks between digits.

All inputs are images or vectors of raw pixels 0-255; functions scale them to 0-1 themselves,
so distances are in units where one pixel going from black to white counts 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.manifold import _t_sne as sklearn_tsne

from mnist_core.data.mnist import N_PIXELS
from mnist_core.i18n import integer, tr
from mnist_core.inspect.evaluation import nearest_neighbours

PCA_BEFORE_TSNE = 50  # t-SNE on 50 principal components: standard practice, and much faster than on 784
TSNE_ITERATIONS = 1000  # scikit-learn's default: 250 exaggerated steps, then 750 more


def as_unit_vectors(images: np.ndarray) -> np.ndarray:
    """Images or vectors of pixels 0-255 as float32 vectors of shape (n, 784) in 0-1."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


def subset_indices(n_available: int, n: int, seed: int) -> np.ndarray:
    """``n`` distinct indices out of ``n_available``, the same for the same seed, sorted."""
    if not 1 <= n <= n_available:
        raise ValueError(f"n must be between 1 and {n_available}, got {n}")
    return np.sort(np.random.default_rng(seed).choice(n_available, size=n, replace=False))


# --- PCA ---


@dataclass(frozen=True)
class PcaResult:
    """A PCA fit: coordinates of the samples, the components as images, and how much each explains."""

    coordinates: np.ndarray  # (n_samples, n_components)
    components: np.ndarray  # (n_components, 784): unit vectors in pixel space
    explained_variance_ratio: np.ndarray  # (n_components,), largest first
    mean: np.ndarray  # (784,): the average digit, in 0-1


def pca(images: np.ndarray, n_components: int = 3) -> PcaResult:
    """Project digits on their first principal components.

    Parameters
    ----------
    images : array of shape (n_samples, 28, 28) or (n_samples, 784), pixels 0-255
    n_components : int
        How many directions to keep, 1-784.

    Returns
    -------
    PcaResult
        Deterministic: scikit-learn fixes each component's sign.
    """
    return pca_of_vectors(as_unit_vectors(images), n_components)


def _pca_model(n_components: int, n_features: int) -> PCA:
    # Eigen-decomposition of the 784 x 784 covariance: well under a second for 10,000 digits. A wider
    # layer (a convnet's 5,408 pooled values) would need a 5,408 x 5,408 one: a seeded randomized SVD instead.
    if n_features <= 2 * N_PIXELS:
        return PCA(n_components=n_components, svd_solver="covariance_eigh")
    return PCA(n_components=n_components, svd_solver="randomized", random_state=0)


def pca_of_vectors(vectors: np.ndarray, n_components: int = 3) -> PcaResult:
    """``pca`` for any vectors (a layer's activations, say), taken as they are: no scaling.

    Parameters
    ----------
    vectors : array of shape (n_samples, n_features)
    n_components : int
        How many directions to keep, 1 to min(n_samples, n_features).

    Returns
    -------
    PcaResult
        ``components`` has shape (n_components, n_features), ``mean`` shape (n_features,).
    """
    vectors = np.asarray(vectors)
    if not 1 <= n_components <= min(vectors.shape):
        raise ValueError(f"n_components must be between 1 and {min(vectors.shape)}, got {n_components}")
    model = _pca_model(n_components, vectors.shape[1])
    coordinates = model.fit_transform(vectors)  # one BLAS thread: see jobs.config.limit_native_threads
    return PcaResult(coordinates, model.components_, model.explained_variance_ratio_, model.mean_)


# --- t-SNE with progress ---


class _ProgressTSNE(TSNE):
    """scikit-learn's t-SNE, reporting each gradient-descent iteration to ``on_iteration``.

    ``_tsne`` repeats scikit-learn 1.9's two-stage schedule and only wraps the objective, so the
    result is identical to ``TSNE`` with the same parameters (a unit test checks it).
    """

    on_iteration: Callable[[int, int], None] | None = None  # (iterations done, total); may raise to stop

    def _tsne(self, P, degrees_of_freedom, n_samples, X_embedded, neighbors=None, skip_num_points=0):
        if self.method != "barnes_hut":
            raise ValueError("progress is only reported for the barnes_hut method")
        calls = 0
        report = self.on_iteration

        def objective(*args, **kwargs):
            nonlocal calls
            calls += 1
            if report is not None:
                report(calls, self.max_iter)
            return sklearn_tsne._kl_divergence_bh(*args, **kwargs)

        opt_args = {
            "it": 0,
            "n_iter_check": self._N_ITER_CHECK,
            "min_grad_norm": self.min_grad_norm,
            "learning_rate": self.learning_rate_,
            "verbose": self.verbose,
            "kwargs": dict(
                skip_num_points=skip_num_points,
                angle=self.angle,
                verbose=self.verbose,
                num_threads=sklearn_tsne._openmp_effective_n_threads(),
            ),
            "args": [P, degrees_of_freedom, n_samples, self.n_components],
            "n_iter_without_progress": self._EXPLORATION_MAX_ITER,
            "max_iter": self._EXPLORATION_MAX_ITER,
            "momentum": 0.5,
        }
        params = X_embedded.ravel()
        P *= self.early_exaggeration
        params, kl_divergence, it = sklearn_tsne._gradient_descent(objective, params, **opt_args)
        P /= self.early_exaggeration
        remaining = self.max_iter - self._EXPLORATION_MAX_ITER
        if it < self._EXPLORATION_MAX_ITER or remaining > 0:
            opt_args["max_iter"] = self.max_iter
            opt_args["it"] = it + 1
            opt_args["momentum"] = 0.8
            opt_args["n_iter_without_progress"] = self.n_iter_without_progress
            params, kl_divergence, it = sklearn_tsne._gradient_descent(objective, params, **opt_args)
        self.n_iter_ = it
        self.kl_divergence_ = kl_divergence
        return params.reshape(n_samples, self.n_components)


def tsne(
    images: np.ndarray,
    n_components: int = 2,
    seed: int = 0,
    perplexity: float = 30.0,
    max_iter: int = TSNE_ITERATIONS,
    on_progress: Callable[[float, str], None] | None = None,
) -> np.ndarray:
    """Embed digits in 2-D or 3-D with t-SNE (after PCA to 50 dimensions).

    Parameters
    ----------
    images : array of shape (n_samples, 28, 28) or (n_samples, 784), pixels 0-255
    n_components : {2, 3}
    seed : int
        Same seed, same data, same result.
    perplexity : float
        Roughly how many neighbours each point tries to keep close; must be below n_samples.
    on_progress : callable, optional
        ``on_progress(fraction, message)``, called for each stage and each iteration; raise in it to stop.

    Returns
    -------
    float array of shape (n_samples, n_components)
    """
    return tsne_of_vectors(as_unit_vectors(images), n_components, seed, perplexity, max_iter, on_progress)


def tsne_of_vectors(
    vectors: np.ndarray,
    n_components: int = 2,
    seed: int = 0,
    perplexity: float = 30.0,
    max_iter: int = TSNE_ITERATIONS,
    on_progress: Callable[[float, str], None] | None = None,
) -> np.ndarray:
    """``tsne`` for any vectors of shape (n_samples, n_features) (a layer's activations), taken as they are."""
    vectors = np.asarray(vectors)
    if n_components not in (2, 3):
        raise ValueError(f"t-SNE here makes 2-D or 3-D maps, got n_components={n_components}")
    if not 0 < perplexity < len(vectors):
        raise ValueError(
            f"perplexity must be between 0 and the number of digits ({len(vectors)}), got {perplexity}"
        )

    def progress(fraction: float, message: str) -> None:
        if on_progress is not None:
            on_progress(fraction, message)

    # The messages are shown to the student: the caller runs this in their language (i18n.in_language).
    progress(
        0.0,
        tr("Reducing {count} values to {components} principal components").format(
            count=integer(vectors.shape[1]), components=PCA_BEFORE_TSNE
        ),
    )
    reduced = _pca_model(min(PCA_BEFORE_TSNE, *vectors.shape), vectors.shape[1]).fit_transform(vectors)
    progress(0.02, tr("Finding each digit's nearest neighbours (no progress within this stage)"))
    model = _ProgressTSNE(
        n_components=n_components, perplexity=perplexity, max_iter=max_iter, init="pca", random_state=seed
    )
    neighbour_share = 0.15  # a rough share of the run spent on neighbours before the first iteration

    def on_iteration(done: int, total: int) -> None:
        stage = tr("early exaggeration") if done <= model._EXPLORATION_MAX_ITER else tr("fine-tuning")
        progress(
            neighbour_share + (1 - neighbour_share) * done / total,
            tr("Iteration {done} of {total} ({stage})").format(
                done=integer(done), total=integer(total), stage=stage
            ),
        )

    model.on_iteration = on_iteration
    # One OpenMP and BLAS thread, set once for the whole worker (jobs.config.limit_native_threads): on a
    # busy 2-core server, threads that spin-wait for each other ran t-SNE 7-8x slower than one.
    return model.fit_transform(reduced)


def tsne_of_training_digits(n: int, dims: int, seed: int, control=None) -> np.ndarray:
    """``tsne`` of the ``subset_indices(60_000, n, seed)`` training digits: a job for a worker.

    It reads MNIST where it runs and returns the coordinates, shape (n, dims). Progress goes to
    ``control``, which is asked to stop at every iteration. The neighbour stage never looks: in a
    worker process a stop ends it anyway, by ending the worker (``MNIST_HARD_STOP_SECONDS``).
    """
    from mnist_core.data.mnist import load_mnist

    (images, _), _ = load_mnist()

    def on_progress(fraction: float, message: str) -> None:
        if control is not None:
            control.checkpoint()
            control.report(min(fraction, 1.0), message)

    chosen = images[subset_indices(len(images), n, seed)]
    return tsne(chosen, n_components=dims, seed=seed, on_progress=on_progress)


# --- Random points of the MNIST cube ---


def random_cube_points(n: int, seed: int) -> np.ndarray:
    """``n`` points drawn uniformly from the cube: every pixel independently 0-255.

    Returns
    -------
    uint8 array of shape (n, 28, 28)
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    return np.random.default_rng(seed).integers(0, 256, size=(n, 28, 28), dtype=np.uint8)


def nearest_distances(
    queries: np.ndarray, reference: np.ndarray, chunk: int = 8192
) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean distance from each query to its nearest reference vector, in 0-1 pixel units.

    Parameters
    ----------
    queries : array of shape (n_queries, 28, 28) or (n_queries, 784), pixels 0-255
    reference : array of shape (n_reference, 28, 28) or (n_reference, 784), pixels 0-255
    chunk : int
        Reference vectors converted to float at a time: memory stays small even against all 60,000.

    Returns
    -------
    distances : float array of shape (n_queries,)
    nearest : int array of shape (n_queries,), the index of each query's nearest reference
    """
    # Work in 0-255 units (no division of the whole reference), and scale the distances once at the end.
    q = np.asarray(queries).reshape(len(queries), -1).astype(np.float32)
    nearest, best = nearest_neighbours(q, np.asarray(reference).reshape(len(reference), -1), 1, chunk)
    return np.sqrt(np.maximum(best[:, 0].astype(np.float64), 0.0)) / 255.0, nearest[:, 0]


def cube_diagonal() -> float:
    """The longest distance inside the cube, from all-black to all-white: sqrt(784) = 28."""
    return float(np.sqrt(N_PIXELS))


# --- Walking in pixel space ---


def interpolate(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """Points on the straight line from ``start`` to ``end`` in pixel space, both ends included.

    Parameters
    ----------
    start, end : arrays of the same shape, e.g. (28, 28), pixels 0-255
    steps : int, at least 2

    Returns
    -------
    float array of shape (steps, *start.shape)
        ``(1 - t) * start + t * end`` for t = 0, 1/(steps-1), ..., 1.
    """
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    if start.shape != end.shape:
        raise ValueError(f"start and end must have the same shape, got {start.shape} and {end.shape}")
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    t = np.linspace(0.0, 1.0, steps).reshape(-1, *([1] * start.ndim))
    return (1 - t) * start + t * end
