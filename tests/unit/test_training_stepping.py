"""Stepping through a run, slow motion, a learning rate changed mid-run, and the live confusion matrix."""

import time

import keras
import numpy as np
import pytest
from recording_control import RecordingControl
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix
from waiting import wait_for

from mnist_core.engine.models import build_model
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import prepare_data, train
from mnist_core.jobs.tasks import BackgroundTask, TaskState

SMALL = TrainConfig(epochs=2, batch_size=64, train_limit=2400, seed=7)  # 35 updates an epoch


def updates_done(task):
    return task.snapshot().detail.get("updates_done", 0)


def wait_until_paused_after(task, updates_before):
    wait_for(
        lambda: task.snapshot().state == TaskState.PAUSED and updates_done(task) != updates_before,
        what=f"a pause after update {updates_before}",
    )
    return updates_done(task)


def test_the_engine_gives_the_numbers_of_a_plain_keras_fit():
    # The engine runs Keras's fit with its own train function (to stop after any batch);
    # a plain fit of the same model, seed and data must end at the same weights.
    spec = ModelSpec(hidden_units=(32,), dropout=(0.2,))
    result = train(spec, SMALL)
    data = prepare_data(spec, SMALL)
    keras.utils.set_random_seed(SMALL.seed)
    plain = build_model(spec)
    plain.fit(
        data.x_train,
        data.y_train,
        batch_size=SMALL.batch_size,
        epochs=SMALL.epochs,
        validation_data=(data.x_val, data.y_val),
        verbose=0,
    )
    for ours, keras_own in zip(result.model.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(ours, keras_own, atol=1e-5)


def test_steps_run_exact_batch_counts_and_leave_the_numbers_unchanged():
    task = BackgroundTask(lambda control: train(ModelSpec(), SMALL, control=control)).start()
    wait_for(lambda: task.state == TaskState.RUNNING, what="the run to start")
    task.pause()  # held at the engine's first checkpoint, before any update
    task.request("step", ("batches", 1))
    task.resume()
    assert wait_until_paused_after(task, 0) == 1
    assert task.snapshot().message == "Paused after a step: 1 gradient updates"
    task.request("step", ("batches", 3))
    task.resume()
    assert wait_until_paused_after(task, 1) == 4
    task.request("step", ("epoch", 1))  # to the end of this epoch, its validation included
    task.resume()
    assert wait_until_paused_after(task, 4) == SMALL.gradient_updates_per_epoch == 35
    wait_for(lambda: len(task.snapshot().detail.get("epochs", [])) == 1, what="epoch 1's row")
    task.request("step", ("batches", 1))  # into the next epoch
    task.resume()
    assert wait_until_paused_after(task, 35) == 36
    task.resume()
    snapshot = task.join(120)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    straight = train(ModelSpec(), SMALL)
    for stepped, unstepped in zip(
        snapshot.result.model.get_weights(), straight.model.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(stepped, unstepped)


class LearningRateAt(RecordingControl):
    """Asks for a new learning rate once the run has made ``update`` gradient updates."""

    def __init__(self, update, rate):
        super().__init__()
        self.update, self.rate, self.asked = update, rate, False

    def take_request(self, name):
        if name == "learning_rate" and not self.asked and self.detail.get("updates_done", 0) == self.update:
            self.asked = True
            return self.rate
        return None

    def pause(self, message="Paused"):
        raise AssertionError("nothing asked for a pause")


def test_a_learning_rate_change_applies_from_the_next_update_on():
    spec = ModelSpec(optimizer="sgd", learning_rate=0.01)
    # One batch an epoch, so the batch order cannot matter: update n is a step on all 500 images.
    config = TrainConfig(epochs=4, batch_size=500, train_limit=600, validation_size=100, seed=3)
    control = LearningRateAt(update=2, rate=0.5)
    result = train(spec, config, control=control)
    assert result.learning_rate_changes == [{"update": 2, "learning_rate": 0.5}]
    assert control.detail["learning_rate_changes"] == [{"update": 2, "learning_rate": 0.5}]
    assert float(np.asarray(result.model.optimizer.learning_rate)) == pytest.approx(0.5)

    data = prepare_data(spec, config)
    keras.utils.set_random_seed(config.seed)
    reference = build_model(spec)
    for update in range(4):
        if update == 2:
            reference.optimizer.learning_rate = 0.5
        reference.train_on_batch(data.x_train, data.y_train)
    for ours, by_hand in zip(result.model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, by_hand, atol=1e-5)
    unchanged = train(spec, config)
    assert not np.allclose(unchanged.model.get_weights()[0], result.model.get_weights()[0], atol=1e-4)


def test_the_confusion_matrix_of_each_epoch_is_sklearns_on_the_models_predictions():
    control = RecordingControl()
    result = train(ModelSpec(), SMALL, control=control)
    data = prepare_data(ModelSpec(), SMALL)
    labels = np.argmax(data.y_val, axis=1)
    assert len(result.confusion_per_epoch) == SMALL.epochs
    model = keras.models.clone_model(result.model)
    for epoch, confusion in enumerate(result.confusion_per_epoch, start=1):
        model.set_weights(result.weight_history[epoch])
        predicted = np.argmax(model.predict(data.x_val, verbose=0), axis=1)
        np.testing.assert_array_equal(
            confusion, sklearn_confusion_matrix(labels, predicted, labels=range(10))
        )
        assert confusion.sum() == len(data.x_val) == 200
    assert control.detail["confusion"] == {"epoch": 2, "matrix": result.confusion_per_epoch[-1].tolist()}
    assert not np.array_equal(result.confusion_per_epoch[0], result.confusion_per_epoch[1])


def test_slow_motion_spaces_the_updates_and_full_speed_ends_it():
    config = TrainConfig(epochs=1, batch_size=64, train_limit=2400, seed=7)
    task = BackgroundTask(lambda control: train(ModelSpec(), config, control=control))
    task.request("speed", 10)
    task.start()
    wait_for(lambda: updates_done(task) >= 3, what="3 updates")
    first, started = updates_done(task), time.monotonic()
    time.sleep(1.0)
    during = (updates_done(task) - first) / (time.monotonic() - started)
    assert 5 <= during <= 12, f"{during:.1f} updates a second in slow motion at 10"
    assert task.snapshot().detail["eta_seconds"] > (35 - updates_done(task)) / 10 * 0.8
    task.request("speed", 0)
    snapshot = task.join(60)
    assert snapshot.state == TaskState.FINISHED and snapshot.detail["updates_done"] == 35


def test_a_learning_rate_change_is_marked_where_it_took_effect_on_both_charts():
    from mnist_core.figures.training_figures import batch_curves_figure, epoch_curves_figure

    change = [{"update": 215, "learning_rate": 0.003}]
    batches = {"update": [100, 200, 300], "loss": [1.0, 0.8, 0.5], "accuracy": [0.5, 0.7, 0.8]}
    epochs = [{"epoch": 1, "loss": 0.4, "accuracy": 0.9, "val_loss": 0.3, "val_accuracy": 0.92}]
    for figure, x in (
        (batch_curves_figure(batches, 430, change), 215),
        (epoch_curves_figure(epochs, change, 430), 0.5),
    ):
        marks = [shape for shape in figure.layout.shapes if shape.line.dash == "dash"]
        assert marks and {shape.x0 for shape in marks} == {x}
        assert any(annotation.text == "lr 0.003" for annotation in figure.layout.annotations)
    assert not [s for s in batch_curves_figure(batches, 430).layout.shapes if s.line.dash == "dash"]
