"""Lesson 7's grid search, done honestly: a validation split chooses, the test set only grades.

Every combination of learning rate and hidden layer sizes is trained on the
training images minus a validation share carved out of them, and scored on that
validation share. The best one wins, and only the winner is scored on the test
set, once. The "wrong way" (``select_by="test"``) scores every candidate on the
test set and picks the best of those scores: the number it reports then flatters,
because it was chosen for being high on exactly these test images.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from mnist_core.data.mnist import load_mnist, split_validation
from mnist_core.i18n import tr
from mnist_core.jobs.tasks import TaskControl, TaskFailed, TaskStopped
from mnist_core.scikit.sklearn_models import (
    MAX_ITERATIONS,
    MAX_TRAIN_SAMPLES,
    check_layer_sizes,
    check_learning_rate,
    describe_sizes,
    fit_streaming,
    make_classifier,
    prepare_inputs,
)

SELECT_BY = ("validation", "test")
LESSON_LEARNING_RATES = (0.001, 0.01, 0.5)
LESSON_GRID_SIZES = ((10,), (50,), (10, 10, 10, 10))
DEFAULT_GRID_SAMPLES = 10_000  # nine fits finish in about a minute on two shared cores
MIN_GRID_SAMPLES = 500
MAX_CANDIDATES = 36


@dataclass(frozen=True)
class GridSpec:
    """What the grid search tries, on which images, and how it picks the winner."""

    learning_rates: tuple[float, ...] = LESSON_LEARNING_RATES
    layer_sizes: tuple[tuple[int, ...], ...] = LESSON_GRID_SIZES
    max_iter: int = 10
    train_samples: int = DEFAULT_GRID_SAMPLES  # the first N training images, validation included
    validation_fraction: float = 0.2  # share of those N held out to choose the winner
    seed: int = 1  # fixes the validation split and every network's initial weights
    select_by: str = "validation"  # "test" is the wrong way, shown on purpose

    def __post_init__(self):
        if not self.learning_rates or not self.layer_sizes:
            raise ValueError(tr("give at least one learning rate and one architecture"))
        for rate in self.learning_rates:
            check_learning_rate(rate)
        for sizes in self.layer_sizes:
            check_layer_sizes(tuple(sizes))
        if len(self.learning_rates) * len(self.layer_sizes) > MAX_CANDIDATES:
            raise ValueError(
                tr("{count} combinations is too many: keep it to {most} or fewer").format(
                    count=len(self.learning_rates) * len(self.layer_sizes), most=MAX_CANDIDATES
                )
            )
        if not (isinstance(self.max_iter, int) and 1 <= self.max_iter <= MAX_ITERATIONS):
            raise ValueError(f"max_iter must be between 1 and {MAX_ITERATIONS}, got {self.max_iter}")
        if not (
            isinstance(self.train_samples, int)
            and MIN_GRID_SAMPLES <= self.train_samples <= MAX_TRAIN_SAMPLES
        ):
            raise ValueError(
                f"train_samples must be between {MIN_GRID_SAMPLES} and {MAX_TRAIN_SAMPLES}, "
                f"got {self.train_samples}"
            )
        if not (math.isfinite(self.validation_fraction) and 0.05 <= self.validation_fraction <= 0.5):
            raise ValueError(
                f"validation_fraction must be between 0.05 and 0.5, got {self.validation_fraction}"
            )
        if self.select_by not in SELECT_BY:
            raise ValueError(f"select_by must be one of {SELECT_BY}, got {self.select_by!r}")

    @property
    def candidates(self) -> list[tuple[float, tuple[int, ...]]]:
        """Every (learning rate, layer sizes) pair, sizes varying fastest."""
        return [(rate, tuple(sizes)) for rate in self.learning_rates for sizes in self.layer_sizes]

    @property
    def validation_size(self) -> int:
        return max(1, round(self.train_samples * self.validation_fraction))

    @property
    def fit_size(self) -> int:
        return self.train_samples - self.validation_size


@dataclass(frozen=True)
class Candidate:
    """One trained combination and its scores (test accuracy is NaN when the test set was not used)."""

    learning_rate: float
    layer_sizes: tuple[int, ...]
    validation_accuracy: float
    test_accuracy: float
    iterations: int
    fit_seconds: float
    diverged: bool = False

    @property
    def label(self) -> str:
        return f"lr {self.learning_rate:g}, {describe_sizes(self.layer_sizes)}"

    def as_row(self) -> dict:
        return {
            "learning rate": self.learning_rate,
            "hidden layers": describe_sizes(self.layer_sizes),
            "validation accuracy": self.validation_accuracy,
            "test accuracy": self.test_accuracy,
            "iterations": self.iterations,
            "fit seconds": round(self.fit_seconds, 2),
        }


@dataclass
class GridResult:
    """The finished grid: every candidate, the winner and how often the test set was used."""

    spec: GridSpec
    candidates: list[Candidate]
    winner: int  # index into candidates, picked by spec.select_by
    winner_test_accuracy: float  # the score this procedure reports
    test_evaluations: int  # how many models were scored on the test set
    seconds: float
    honest_winner: int = field(default=-1)  # picked by validation, whatever spec.select_by says

    @property
    def reported(self) -> Candidate:
        return self.candidates[self.winner]

    @property
    def optimism(self) -> float:
        """Wrong way only: reported test score minus the validation-picked model's test score."""
        if self.spec.select_by != "test":
            return math.nan
        return self.winner_test_accuracy - self.candidates[self.honest_winner].test_accuracy

    def accuracy_matrix(self, which: str = "validation") -> np.ndarray:
        """Accuracies of shape (n_learning_rates, n_layer_sizes), NaN for a diverged run."""
        values = [
            candidate.validation_accuracy if which == "validation" else candidate.test_accuracy
            for candidate in self.candidates
        ]
        return np.array(values, dtype=float).reshape(
            len(self.spec.learning_rates), len(self.spec.layer_sizes)
        )


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """Share of ``x`` (n, 784) that ``model`` classifies as ``y`` (n,)."""
    return float(np.mean(model.predict(x) == y))


def best_index(scores: list[float]) -> int:
    """The first index of the highest score, ignoring NaN (diverged runs)."""
    finite = [score if math.isfinite(score) else -math.inf for score in scores]
    return int(np.argmax(finite))


def tuning_split(spec: GridSpec, x_train: np.ndarray, y_train: np.ndarray):
    """The first ``spec.train_samples`` images split into fit and validation parts, by ``spec.seed``.

    Returns
    -------
    x_fit (n_fit, 784) float32, y_fit (n_fit,), x_val (n_val, 784) float32, y_val (n_val,)
    """
    x, y = x_train[: spec.train_samples], np.asarray(y_train[: spec.train_samples])
    fit_idx, val_idx = split_validation(len(x), spec.validation_size, spec.seed)
    return prepare_inputs(x[fit_idx]), y[fit_idx], prepare_inputs(x[val_idx]), y[val_idx]


def run_grid(spec: GridSpec, mnist, control: TaskControl | None = None) -> GridResult:
    """Train every candidate of ``spec`` and pick a winner; the test set is used as little as allowed.

    Parameters
    ----------
    spec : GridSpec
    mnist : ((x_train, y_train), (x_test, y_test))
        uint8 images (n, 28, 28) and integer labels.
    control : TaskControl, optional
        Gets ``fraction``, a message and ``candidates`` (the rows done so far, as dicts);
        a stop ends the search (``TaskStopped``).

    Returns
    -------
    GridResult
        With ``select_by="validation"`` only the winner has a test accuracy and
        ``test_evaluations`` is 1.
    """
    (x_train, y_train), (x_test, y_test) = mnist
    x_fit, y_fit, x_val, y_val = tuning_split(spec, x_train, y_train)
    x_test_vectors, y_test = prepare_inputs(x_test), np.asarray(y_test)
    wrong_way = spec.select_by == "test"
    pairs = spec.candidates
    started = time.perf_counter()
    candidates: list[Candidate] = []
    models = []
    test_evaluations = 0
    for index, (rate, sizes) in enumerate(pairs):

        def on_batch(share, index=index, rate=rate, sizes=sizes):
            if control is not None:
                message = tr("Model {number} of {total}: lr {learning_rate}, {sizes}").format(
                    number=index + 1, total=len(pairs), learning_rate=f"{rate:g}", sizes=describe_sizes(sizes)
                )
                control.report((index + share) / len(pairs), message)

        on_batch(0.0)
        model = make_classifier(sizes, rate, spec.max_iter, spec.seed)
        outcome = fit_streaming(model, x_fit, y_fit, control, on_batch)
        if outcome.stopped:
            raise TaskStopped()
        validation = math.nan if outcome.diverged else accuracy(model, x_val, y_val)
        test = math.nan
        if wrong_way and not outcome.diverged:
            test = accuracy(model, x_test_vectors, y_test)
            test_evaluations += 1
        candidate = Candidate(
            rate, sizes, validation, test, outcome.iterations, outcome.seconds, diverged=outcome.diverged
        )
        candidates.append(candidate)
        models.append(model)
        if control is not None:
            row = candidate.as_row()
            control.update_detail(lambda detail, row=row: detail.setdefault("candidates", []).append(row))
    if all(candidate.diverged for candidate in candidates):
        raise TaskFailed(tr("Every combination diverged (its loss became NaN): try smaller learning rates."))
    honest_winner = best_index([candidate.validation_accuracy for candidate in candidates])
    if wrong_way:
        winner = best_index([candidate.test_accuracy for candidate in candidates])
        winner_test = candidates[winner].test_accuracy
    else:
        winner = honest_winner
        if control is not None:
            control.report(message=tr("Scoring the winner on the test set, once"))
        winner_test = accuracy(models[winner], x_test_vectors, y_test)
        test_evaluations += 1
        candidates[winner] = _with_test(candidates[winner], winner_test)
    return GridResult(
        spec=spec,
        candidates=candidates,
        winner=winner,
        winner_test_accuracy=winner_test,
        test_evaluations=test_evaluations,
        seconds=time.perf_counter() - started,
        honest_winner=honest_winner,
    )


def run_grid_job(spec: GridSpec, control: TaskControl | None = None) -> GridResult:
    """``run_grid`` on MNIST as read where it runs: a job for a worker (bind ``spec`` with partial).

    Nine scikit-learn fits hold a CPU for a minute or more; in a worker they leave the server's
    Python to the students' page runs.
    """
    return run_grid(spec, load_mnist(), control)


def _with_test(candidate: Candidate, test_accuracy: float) -> Candidate:
    return replace(candidate, test_accuracy=test_accuracy)


def matrix_from_rows(spec: GridSpec, rows: list[dict], column: str = "validation accuracy") -> np.ndarray:
    """Accuracies (n_learning_rates, n_layer_sizes) from the rows finished so far; NaN for the rest."""
    matrix = np.full((len(spec.learning_rates), len(spec.layer_sizes)), np.nan)
    labels = [describe_sizes(tuple(sizes)) for sizes in spec.layer_sizes]
    for row in rows:
        i = spec.learning_rates.index(row["learning rate"])
        matrix[i, labels.index(row["hidden layers"])] = row[column]
    return matrix
