import threading
import time

import numpy as np
import pytest
from waiting import wait_for

from mnist_core.engine.models import load_model_bytes
from mnist_core.engine.replays import ReplayedRun, RunRecord, replay, run_key, train_or_replay
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import TrainingResult
from mnist_core.i18n import in_language
from mnist_core.jobs.result_store import ResultStore
from mnist_core.jobs.tasks import BackgroundTask, SlotPool, TaskState

SMALL = TrainConfig(epochs=2, batch_size=64, train_limit=2400, seed=7)


def run_task(work, slots=None, timeout=120):
    snapshot = BackgroundTask(work, slots=slots).start().join(timeout)
    assert snapshot.is_over, snapshot.message
    return snapshot


@pytest.fixture(scope="module")
def trained():
    """One real training through train_or_replay, with what its task showed live."""
    store = ResultStore()
    key = run_key(ModelSpec(), SMALL, "mnist:test")
    snapshot = run_task(lambda control: train_or_replay(store, key, ModelSpec(), SMALL, control))
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    return store, key, snapshot


def test_keys_differ_by_every_setting_and_the_data():
    key = run_key(ModelSpec(), SMALL, "mnist:a")
    assert key == run_key(
        ModelSpec(), TrainConfig(epochs=2, batch_size=64, train_limit=2400, seed=7), "mnist:a"
    )
    assert key != run_key(
        ModelSpec(), TrainConfig(epochs=2, batch_size=64, train_limit=2400, seed=8), "mnist:a"
    )
    assert key != run_key(ModelSpec(learning_rate=0.01), SMALL, "mnist:a")
    assert key != run_key(ModelSpec(), SMALL, "mnist:b")


def test_a_finished_run_is_recorded_with_its_model(trained):
    store, key, snapshot = trained
    assert isinstance(snapshot.result, TrainingResult)
    record = store.get(key)
    assert isinstance(record, RunRecord)
    assert record.result.model is None and record.result.test_accuracy == snapshot.result.test_accuracy
    assert record.batches == snapshot.detail["batches"]
    assert record.progress["updates_total"] == SMALL.gradient_updates_total
    assert [epoch for epoch, _ in record.diagram_frames] == [1, 2]
    assert len(record.result.weight_history) == 3
    # The recorded model is the trained one: same predictions on the same images.
    images = np.random.default_rng(0).integers(0, 255, size=(8, 784)).astype("uint8")
    np.testing.assert_allclose(
        load_model_bytes(record.keras_bytes).predict(images, verbose=0),
        snapshot.result.model.predict(images, verbose=0),
        atol=1e-6,
    )
    assert store.stats().bytes_used == record.size_bytes > len(record.keras_bytes)


def test_a_replay_shows_the_same_curves_and_results(trained):
    store, key, trained_snapshot = trained
    started = time.perf_counter()
    snapshot = run_task(
        lambda control: train_or_replay(store, key, ModelSpec(), SMALL, control, replay_seconds=1)
    )
    took = time.perf_counter() - started
    assert snapshot.state == TaskState.FINISHED
    assert isinstance(snapshot.result, ReplayedRun)
    assert snapshot.result.result.test_accuracy == trained_snapshot.result.test_accuracy
    for name in ("batches", "epochs", "updates_done", "updates_total", "confusion"):
        assert snapshot.detail[name] == trained_snapshot.detail[name], name
    assert snapshot.detail["diagram_epoch"] == 2
    assert snapshot.detail["replay_of"] == key
    assert 0.5 < took < 5, "a replay takes about its set time, not a training's"


def test_a_replay_is_paced_epoch_by_epoch_and_starts_at_once(trained):
    store, key, _ = trained
    seen = []
    task = BackgroundTask(lambda control: replay(store.get(key), control, seconds=2)).start()
    started = time.perf_counter()
    wait_for(lambda: task.snapshot().detail.get("batches", {}).get("update"), seconds=1)
    first_curve = time.perf_counter() - started
    while not task.state.is_over:
        seen.append(len(task.snapshot().detail.get("epochs", [])))
        time.sleep(0.05)
    assert first_curve < 0.5
    assert 0 in seen and 1 in seen, "the epochs arrive one at a time"
    assert task.snapshot().state == TaskState.FINISHED


def test_stop_ends_a_replay_without_a_result(trained):
    store, key, _ = trained
    task = BackgroundTask(lambda control: replay(store.get(key), control, seconds=10)).start()
    wait_for(lambda: task.snapshot().detail.get("batches"))
    task.stop()
    snapshot = task.join(1)
    assert snapshot.state == TaskState.STOPPED and snapshot.result is None


def test_a_replay_speaks_the_students_language(trained):
    store, key, _ = trained

    def work(control):
        with in_language("es"):
            return replay(store.get(key), control, seconds=0.2)

    task = BackgroundTask(work).start()
    messages = set()
    while not task.state.is_over:
        messages.add(task.snapshot().message)
        time.sleep(0.01)
    assert any(message.startswith("Reproduciendo") for message in messages), messages


def test_a_steered_or_stopped_run_is_not_recorded():
    store = ResultStore()
    key = run_key(ModelSpec(), SMALL, "mnist:steered")

    task = BackgroundTask(lambda control: train_or_replay(store, key, ModelSpec(), SMALL, control))
    task.request("learning_rate", 0.01)  # as the page's "Change it" does, before the first update
    snapshot = task.start().join(120)
    assert snapshot.state == TaskState.FINISHED
    assert key not in store, "a run whose learning rate changed is not what its settings give"

    task = BackgroundTask(lambda control: train_or_replay(store, key, ModelSpec(), SMALL, control)).start()
    wait_for(lambda: task.snapshot().detail.get("batches"), seconds=60)
    task.stop()
    assert task.join(60).state == TaskState.STOPPED
    assert key not in store


def test_a_queued_identical_run_replays_and_frees_the_slot_at_once(trained):
    store, key, _ = trained
    slots = SlotPool(1)
    hold = threading.Event()
    blocker = BackgroundTask(lambda control: hold.wait(30), slots=slots).start()
    wait_for(lambda: slots.running_count == 1)
    follower = BackgroundTask(
        lambda control: train_or_replay(store, key, ModelSpec(), SMALL, control, replay_seconds=2),
        slots=slots,
    ).start()
    wait_for(lambda: slots.waiting_count == 1)
    hold.set()
    blocker.join(5)
    wait_for(lambda: "replay_of" in follower.snapshot().detail, seconds=5)
    assert slots.running_count == 0, "a replay gives the training slot straight back"
    assert isinstance(follower.join(10).result, ReplayedRun)


def test_fresh_trains_again_even_when_recorded(trained):
    store, key, first = trained
    snapshot = run_task(lambda control: train_or_replay(store, key, ModelSpec(), SMALL, control, fresh=True))
    assert isinstance(snapshot.result, TrainingResult), "fresh means a real training"
    assert snapshot.result.test_accuracy == first.result.test_accuracy  # deterministic: same answer
    assert "replay_of" not in snapshot.detail


def test_a_workers_plain_result_is_recorded_and_replayed_as_it_trained():
    import functools

    from mnist_core.engine.replays import record_trained_run
    from mnist_core.jobs.keras_jobs import TrainedRun, train_network

    snapshot = run_task(functools.partial(train_network, ModelSpec(), SMALL, None))
    trained = snapshot.result
    assert isinstance(trained, TrainedRun) and trained.repeatable
    assert trained.progress["updates_total"] == SMALL.gradient_updates_total
    assert len(trained.diagram_frames) == SMALL.epochs and len(trained.confusion_per_epoch) == SMALL.epochs
    record = record_trained_run("key", trained)
    assert record.result.model is None and record.keras_bytes == trained.keras_bytes
    replayed = run_task(lambda control: replay(record, control, seconds=0.2))
    assert replayed.detail["batches"] == snapshot.detail["batches"]
    assert replayed.detail["epochs"] == snapshot.detail["epochs"]


def test_a_run_ended_at_the_slot_limit_or_steered_is_not_recorded():
    import functools

    from mnist_core.engine.replays import record_trained_run
    from mnist_core.jobs.keras_jobs import SLOT_LIMIT_REQUEST, train_network

    limited = BackgroundTask(functools.partial(train_network, ModelSpec(), SMALL, None))
    limited.request(SLOT_LIMIT_REQUEST, 600)
    snapshot = limited.start().join(120)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    assert snapshot.detail["slot_limit_stop"] == {"limit_seconds": 600}
    assert snapshot.result.stopped_early and not snapshot.result.repeatable
    assert record_trained_run("key", snapshot.result) is None

    steered = BackgroundTask(functools.partial(train_network, ModelSpec(), SMALL, None))
    steered.request("learning_rate", 0.01)
    result = steered.start().join(120).result
    assert not result.stopped_early and result.steered and not result.repeatable


def test_a_branch_starts_from_the_baselines_initial_weights():
    import functools

    from mnist_core.jobs.keras_jobs import train_network

    one_epoch = TrainConfig(epochs=1, batch_size=256, train_limit=1200, seed=3)
    plain = run_task(functools.partial(train_network, ModelSpec(), one_epoch, None)).result
    branch = functools.partial(
        train_network, ModelSpec(), one_epoch, None, initial_weights_of=(ModelSpec(), 3)
    )
    same = run_task(branch).result
    other = functools.partial(
        train_network, ModelSpec(), one_epoch, None, initial_weights_of=(ModelSpec(), 4)
    )
    moved = run_task(other).result
    losses = [row["val_loss"] for row in plain.epochs]
    assert [row["val_loss"] for row in same.epochs] == losses  # the seed's own start, given: the same run
    assert [row["val_loss"] for row in moved.epochs] != losses
