"""The Loss surface's and One step's worker jobs: picklable, plain data in and out, same numbers as in-process."""

import functools
import pickle

import numpy as np
import pytest

from mnist_core.data.mnist import load_mnist
from mnist_core.engine.default_model import FIRST_NETWORK, load_shipped_history
from mnist_core.engine.spec import PRESETS, ModelSpec
from mnist_core.jobs.model_jobs import ModelCall, ModelRef
from mnist_core.jobs.tasks import TaskFailed
from mnist_core.landscape.loss_landscape import LandscapeSettings, landscape_of_model
from mnist_core.landscape.one_step import WeightChoice, one_step, one_step_on_training_images

pytest.importorskip("keras")


def test_the_step_job_reads_its_own_images_and_gives_the_in_process_step():
    weight = WeightChoice(0, (350, 3))
    job = functools.partial(one_step_on_training_images, ModelSpec(), 42, 10, 4, weight)
    step = pickle.loads(pickle.dumps(job))(None)  # as a worker gets it: by name, with its control
    (x_train, y_train), _ = load_mnist()
    expected = one_step(ModelSpec(), 42, x_train[10:14], y_train[10:14], weight)
    assert list(step.labels) == list(y_train[10:14])
    assert step.gradient == expected.gradient and step.after == expected.after
    assert step.hand_gradient == pytest.approx(step.gradient, rel=1e-4, abs=1e-9)
    pickle.dumps(step)  # the result travels back


def test_the_landscape_job_on_the_shipped_model_pickles_and_refuses_a_history_of_one():
    preset = PRESETS[FIRST_NETWORK.preset]
    history = load_shipped_history(FIRST_NETWORK.key)
    settings = LandscapeSettings(resolution=3, samples=200, validation_samples=100)
    call = ModelCall(
        landscape_of_model,
        ModelRef.of_shipped(FIRST_NETWORK.key),
        (preset.model, preset.train, history, settings),
    )
    landscape = pickle.loads(pickle.dumps(call))()
    assert landscape.random_grid.shape == (3, 3) and len(landscape.path) == len(history)
    assert np.isfinite(landscape.pca_grid).all()
    one = ModelCall(call.function, call.ref, (preset.model, preset.train, history[:1], settings))
    with pytest.raises(TaskFailed, match="two or more"):
        one()
