"""scikit-learn core: input parsing, the streamed fit against a plain fit, parameter counts."""

import math
import warnings

import numpy as np
import pytest
from recording_control import RecordingControl
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from mnist_core.data.mnist import load_mnist
from mnist_core.scikit.sklearn_models import (
    BATCHES_PER_REPORT,
    DEEP_NARROW_SIZES,
    MLPSettings,
    check_learning_rate,
    describe_sizes,
    fit_streaming,
    make_classifier,
    mlp_parameter_counts,
    parse_layer_sizes,
    parse_learning_rates,
    parse_size_list,
    prepare_inputs,
    train_mlp,
)


@pytest.fixture(scope="module")
def small():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    return prepare_inputs(x_train[:800]), np.asarray(y_train[:800])


@pytest.mark.parametrize(
    "text, sizes",
    [
        ("(50,)", (50,)),
        ("50", (50,)),
        (" (10, 10, 10, 10, 10) ", (10, 10, 10, 10, 10)),
        ("10,10", (10, 10)),
        ("[64, 32]", (64, 32)),
    ],
)
def test_parse_layer_sizes_reads_python_spellings(text, sizes):
    assert parse_layer_sizes(text) == sizes


@pytest.mark.parametrize(
    "text, message",
    [
        ("(10,,a)", "layer 2 is empty"),
        ("(10, a)", "'a', not a whole number"),
        ("0", "0 neurons"),
        ("(-5,)", "-5 neurons"),
        ("(1.5,)", "not a whole number"),
        ("()", "at least one hidden layer"),
        ("", "at least one hidden layer"),
        ("(10, 10", "brackets do not match"),
        ("(2000,)", "between 1 and 1024"),
        ("(1, 1, 1, 1, 1, 1)", "at most 5"),
    ],
)
def test_parse_layer_sizes_explains_bad_input(text, message):
    with pytest.raises(ValueError, match=message):
        parse_layer_sizes(text)


def test_describe_sizes_round_trips_through_the_parser():
    for sizes in [(50,), (10, 10, 10, 10, 10), (3, 7)]:
        assert parse_layer_sizes(describe_sizes(sizes)) == sizes
    assert describe_sizes((50,)) == "(50,)"


def test_parse_size_list_and_its_errors():
    assert parse_size_list("(10,), (50,), (10, 10, 10, 10)") == ((10,), (50,), (10, 10, 10, 10))
    with pytest.raises(ValueError, match="in brackets"):
        parse_size_list("10, 50")
    with pytest.raises(ValueError, match="listed twice"):
        parse_size_list("(10,), (10)")
    with pytest.raises(ValueError, match="layer 2 is empty"):
        parse_size_list("(10,), (10,,a)")


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "above 0"),
        ("-0.1", "above 0"),
        ("nan", "finite"),
        ("inf", "finite"),
        ("fast", "a number"),
        (100, "too large"),
    ],
)
def test_learning_rate_errors(value, message):
    with pytest.raises(ValueError, match=message):
        check_learning_rate(value)


def test_parse_learning_rates():
    assert parse_learning_rates("0.001, 0.01, 0.5") == (0.001, 0.01, 0.5)
    with pytest.raises(ValueError, match="separated by commas"):
        parse_learning_rates("0.1,,0.2")
    with pytest.raises(ValueError, match="above 0"):
        parse_learning_rates("0.1, 0")


def test_default_settings_are_the_lessons_call():
    settings = MLPSettings()
    assert settings.code() == "MLPClassifier(hidden_layer_sizes=(50,), max_iter=10, random_state=1)"
    params = settings.estimator().get_params()
    assert (params["hidden_layer_sizes"], params["max_iter"], params["random_state"]) == ((50,), 10, 1)
    assert params["learning_rate_init"] == MLPClassifier().learning_rate_init
    assert settings.train_samples == 60_000


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("hidden_layer_sizes", (50, 0), "0 neurons"),
        ("max_iter", 0, "max_iter"),
        ("learning_rate_init", -1.0, "above 0"),
        ("learning_rate_init", math.nan, "finite"),
        ("train_samples", 10, "train_samples"),
    ],
)
def test_settings_reject_nonsense(field, value, message):
    with pytest.raises(ValueError, match=message):
        MLPSettings(**{field: value})


def test_streamed_fit_is_identical_to_a_plain_fit(small):
    x, y = small
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MLPClassifier(hidden_layer_sizes=(20,), max_iter=4, random_state=1).fit(x, y)
    seen = []
    control = RecordingControl()
    outcome = fit_streaming(make_classifier((20,), 0.001, 4, 1), x, y, control, on_iteration=seen.append)
    assert seen == outcome.loss_curve == pytest.approx(plain.loss_curve_, rel=0, abs=0)
    for mine, theirs in zip(outcome.model.coefs_, plain.coefs_):
        np.testing.assert_array_equal(mine, theirs)
    assert not outcome.stopped and not outcome.diverged
    # 800 images in batches of 200 = 16 batches in 4 iterations: a checkpoint every
    # BATCHES_PER_REPORT batches and one after each iteration
    assert control.checkpoints == 16 // BATCHES_PER_REPORT + 4


def test_stop_ends_the_fit_early_with_a_usable_model(small):
    x, y = small
    control = RecordingControl(stop_after_checkpoints=2)
    outcome = fit_streaming(make_classifier((20,), 0.001, 10, 1), x, y, control)
    assert outcome.stopped
    assert outcome.iterations == 2
    assert outcome.model.predict(x[:5]).shape == (5,)


def test_a_loss_that_stops_being_a_number_ends_the_fit_as_diverged(small, monkeypatch):
    x, y = small
    original = MLPClassifier._update_no_improvement_count

    def poisoned(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.loss_curve_[-1] = math.nan

    monkeypatch.setattr(MLPClassifier, "_update_no_improvement_count", poisoned)
    outcome = fit_streaming(make_classifier((10,), 0.5, 3, 1), x, y)
    assert outcome.diverged and not outcome.stopped


def test_parameter_counts_match_the_trained_weights(small):
    x, y = small
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(hidden_layer_sizes=DEEP_NARROW_SIZES, max_iter=1, random_state=0).fit(x, y)
    counts = mlp_parameter_counts(DEEP_NARROW_SIZES)
    actual = [w.size + b.size for w, b in zip(model.coefs_, model.intercepts_)]
    assert [count.parameters for count in counts] == actual
    assert sum(count.parameters for count in mlp_parameter_counts((50,))) == 784 * 50 + 50 + 50 * 10 + 10
    assert counts[0].formula == "784 x 10 + 10"


def test_prepare_inputs_scales_and_flattens_without_mutating():
    (x_train, _), _ = load_mnist()
    images = np.array(x_train[:3])
    before = images.copy()
    vectors = prepare_inputs(images)
    assert vectors.shape == (3, 784) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, images.reshape(3, 784) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(images, before)


def test_train_mlp_streams_the_loss_and_scores_on_train_and_test():
    mnist = load_mnist()
    settings = MLPSettings(hidden_layer_sizes=(16,), max_iter=3, train_samples=600)
    control = RecordingControl()
    run = train_mlp(settings, mnist, control)
    assert control.detail["loss_curve"] == run.loss_curve
    assert len(run.loss_curve) == 3 and run.loss_curve[-1] < run.loss_curve[0]
    (x_train, y_train), (x_test, y_test) = mnist
    expected_test = np.mean(run.model.predict(x_test.reshape(-1, 784) / 255.0) == y_test)
    expected_train = np.mean(run.model.predict(x_train[:600].reshape(-1, 784) / 255.0) == y_train[:600])
    assert run.test_accuracy == pytest.approx(expected_test)
    assert run.train_accuracy == pytest.approx(expected_train)
    assert control.fractions == sorted(control.fractions) and control.fractions[-1] <= 1.0
    assert run.parameters == 784 * 16 + 16 + 16 * 10 + 10
