"""The grid search: the test set never chooses in honest mode, results repeat with a seed."""

import math

import numpy as np
import pytest
from recording_control import RecordingControl

import mnist_core.scikit.tuning as tuning
from mnist_core.data.mnist import load_mnist
from mnist_core.jobs.tasks import TaskStopped
from mnist_core.scikit.tuning import GridSpec, best_index, run_grid, tuning_split

TINY = {
    "learning_rates": (0.001, 0.01),
    "layer_sizes": ((8,), (24,)),
    "max_iter": 2,
    "train_samples": 600,
    "validation_fraction": 0.25,
}


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.fixture(scope="module")
def honest(mnist):
    return run_grid(GridSpec(**TINY), mnist)


def with_test_labels(mnist, labels):
    (x_train, y_train), (x_test, _) = mnist
    return (x_train, y_train), (x_test, labels)


def test_honest_mode_scores_only_the_winner_on_the_test_set(honest, mnist):
    assert honest.test_evaluations == 1
    tested = [i for i, c in enumerate(honest.candidates) if not math.isnan(c.test_accuracy)]
    assert tested == [honest.winner]
    validation = [c.validation_accuracy for c in honest.candidates]
    assert honest.winner == int(np.nanargmax(validation)) == honest.honest_winner


def test_honest_mode_choice_does_not_depend_on_the_test_labels(honest, mnist):
    # Scramble the test labels: if the test set took part in choosing, the choice could change.
    scrambled = np.random.default_rng(0).permutation(mnist[1][1])
    other = run_grid(GridSpec(**TINY), with_test_labels(mnist, scrambled))
    assert other.winner == honest.winner
    assert [c.validation_accuracy for c in other.candidates] == [
        c.validation_accuracy for c in honest.candidates
    ]
    assert other.winner_test_accuracy != honest.winner_test_accuracy  # the test set did grade it


def test_honest_mode_touches_the_test_images_once(mnist, monkeypatch):
    x_test = mnist[1][0]
    calls = []
    real_accuracy = tuning.accuracy

    def spy(model, x, y):
        calls.append(
            len(x) == len(x_test) and np.array_equal(x[:50], x_test[:50].reshape(50, -1) / np.float32(255))
        )
        return real_accuracy(model, x, y)

    monkeypatch.setattr(tuning, "accuracy", spy)
    run_grid(GridSpec(**TINY), mnist)
    assert calls.count(True) == 1 and calls[-1] is True  # once, after every validation score


def test_wrong_way_picks_by_test_accuracy_and_reports_the_optimism(mnist):
    wrong = run_grid(GridSpec(**TINY, select_by="test"), mnist)
    tests = [c.test_accuracy for c in wrong.candidates]
    assert wrong.test_evaluations == len(wrong.candidates) == 4
    assert wrong.winner == int(np.argmax(tests))
    assert wrong.winner_test_accuracy == max(tests)
    honest_choice = wrong.candidates[wrong.honest_winner]
    assert wrong.optimism == pytest.approx(max(tests) - honest_choice.test_accuracy)
    assert wrong.optimism >= 0


def test_results_repeat_with_the_same_seed_and_change_with_another(honest, mnist):
    again = run_grid(GridSpec(**TINY), mnist)
    assert [c.validation_accuracy for c in again.candidates] == [
        c.validation_accuracy for c in honest.candidates
    ]
    assert again.winner_test_accuracy == honest.winner_test_accuracy
    other_seed = run_grid(GridSpec(**TINY, seed=7), mnist)
    assert [c.validation_accuracy for c in other_seed.candidates] != [
        c.validation_accuracy for c in honest.candidates
    ]


def test_validation_is_carved_from_the_training_images(mnist):
    spec = GridSpec(**TINY)
    (x_train, y_train), _ = mnist
    x_fit, y_fit, x_val, y_val = tuning_split(spec, x_train, y_train)
    assert len(x_val) == spec.validation_size == 150 and len(x_fit) == spec.fit_size == 450
    pool = {row.tobytes() for row in (x_train[:600].reshape(600, -1) / np.float32(255)).astype(np.float32)}
    fit_rows = {row.tobytes() for row in x_fit}
    val_rows = {row.tobytes() for row in x_val}
    assert fit_rows <= pool and val_rows <= pool and not fit_rows & val_rows


def test_progress_rows_and_matrix_follow_the_candidates(mnist):
    control = RecordingControl()
    result = run_grid(GridSpec(**TINY), mnist, control)
    assert [row["hidden layers"] for row in control.detail["candidates"]] == [
        "(8,)",
        "(24,)",
        "(8,)",
        "(24,)",
    ]
    assert control.fractions == sorted(control.fractions) and control.fractions[-1] == pytest.approx(1.0)
    matrix = result.accuracy_matrix()
    assert matrix.shape == (2, 2)
    assert matrix[1, 0] == result.candidates[2].validation_accuracy  # lr 0.01, (8,)


def test_stop_ends_the_search(mnist):
    with pytest.raises(TaskStopped):
        run_grid(GridSpec(**TINY), mnist, RecordingControl(stop_after_checkpoints=3))


def test_best_index_skips_diverged_runs():
    assert best_index([math.nan, 0.5, 0.9, 0.9]) == 2


@pytest.mark.parametrize(
    "change, message",
    [
        ({"learning_rates": (0.0,)}, "above 0"),
        ({"layer_sizes": ((0,),)}, "0 neurons"),
        ({"learning_rates": ()}, "at least one"),
        ({"train_samples": 100}, "train_samples"),
        ({"validation_fraction": 0.9}, "validation_fraction"),
        ({"select_by": "luck"}, "select_by"),
        (
            {
                "learning_rates": tuple(0.001 * (i + 1) for i in range(7)),
                "layer_sizes": tuple((i + 1,) for i in range(6)),
            },
            "too many",
        ),
    ],
)
def test_grid_spec_rejects_nonsense(change, message):
    with pytest.raises(ValueError, match=message):
        GridSpec(**{**TINY, **change})


def test_matrix_from_partial_rows_leaves_the_rest_empty():
    spec = GridSpec(**TINY)
    rows = [{"learning rate": 0.01, "hidden layers": "(24,)", "validation accuracy": 0.8}]
    matrix = tuning.matrix_from_rows(spec, rows)
    assert matrix[1, 1] == 0.8 and np.isnan(matrix).sum() == 3
