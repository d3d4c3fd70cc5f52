"""Fair to the class: the training slot's time limit, and queued runs of closed tabs."""

import threading
import time

import pytest
from waiting import wait_for

from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import TrainingResult, train
from mnist_core.jobs.tasks import SLOT_LIMIT_MESSAGE, BackgroundTask, SlotPool, TaskState


def steps(counter: list, pause: float = 0.01):
    def work(control):
        while not control.stop_requested:
            control.checkpoint()
            counter.append(1)
            time.sleep(pause)
        return "stopped on its own terms"

    return work


def test_a_slot_limit_must_be_positive():
    with pytest.raises(ValueError, match="hold_limit_seconds must be positive"):
        SlotPool(1, hold_limit_seconds=0)


def test_a_run_past_the_limit_goes_on_while_nobody_waits():
    slots = SlotPool(1, hold_limit_seconds=0.2)
    counter: list = []
    task = BackgroundTask(steps(counter), slots=slots).start()
    time.sleep(0.6)
    assert task.state == TaskState.RUNNING, "nobody is kept waiting: no reason to stop it"
    task.stop()
    assert task.join(2).state == TaskState.STOPPED


def test_a_run_past_the_limit_stops_when_another_waits_and_the_next_starts():
    slots = SlotPool(1, hold_limit_seconds=0.3)
    long_run = BackgroundTask(steps([]), slots=slots).start()
    wait_for(lambda: long_run.state == TaskState.RUNNING)
    waiting = BackgroundTask(steps([]), slots=slots).start()
    snapshot = long_run.join(3)
    assert snapshot.state == TaskState.STOPPED
    assert snapshot.message == SLOT_LIMIT_MESSAGE
    assert snapshot.detail["slot_limit_stop"] == {"limit_seconds": 0.3}
    assert snapshot.result == "stopped on its own terms", "what it did so far is kept"
    wait_for(lambda: waiting.state == TaskState.RUNNING, seconds=3)
    waiting.stop()
    waiting.join(2)


def test_a_paused_run_cannot_hold_the_slot_past_the_limit():
    slots = SlotPool(1, hold_limit_seconds=0.3)
    paused = BackgroundTask(steps([]), slots=slots).start()
    wait_for(lambda: paused.state == TaskState.RUNNING)
    paused.pause()
    BackgroundTask(steps([]), slots=slots).start().stop()  # someone queues (then leaves)
    waiting = BackgroundTask(steps([]), slots=slots).start()
    assert paused.join(3).state == TaskState.STOPPED
    wait_for(lambda: waiting.state == TaskState.RUNNING, seconds=3)
    waiting.stop()


def test_a_training_stopped_at_the_limit_keeps_its_model():
    slots = SlotPool(1, hold_limit_seconds=1.0)
    config = TrainConfig(epochs=50, batch_size=32, train_limit=6000, seed=3)  # far longer than 1 s
    run = BackgroundTask(lambda control: train(ModelSpec(), config, control), slots=slots).start()
    wait_for(lambda: run.snapshot().detail.get("updates_done", 0) > 0, seconds=60)
    waiting = BackgroundTask(steps([]), slots=slots).start()
    snapshot = run.join(60)
    assert snapshot.state == TaskState.STOPPED and snapshot.detail.get("slot_limit_stop")
    assert isinstance(snapshot.result, TrainingResult) and snapshot.result.stopped_early
    assert snapshot.result.model is not None and snapshot.result.correct + snapshot.result.incorrect == 10_000
    assert len(snapshot.result.epochs) < config.epochs
    waiting.stop()


def test_a_queued_run_whose_tab_is_gone_gives_up_at_once():
    slots = SlotPool(1)
    release = threading.Event()
    first = BackgroundTask(lambda control: release.wait(10), slots=slots).start()
    wait_for(lambda: first.state == TaskState.RUNNING)
    alive = {"value": True}
    queued = BackgroundTask(
        steps([]), slots=slots, owner_alive=lambda: alive["value"], owner_grace_seconds=90
    ).start()
    wait_for(lambda: slots.waiting_count == 1)
    alive["value"] = False
    gone = time.monotonic()
    wait_for(lambda: queued.state.is_over, seconds=2)
    assert time.monotonic() - gone < 1.0, "not after the 90 s grace a running task gets"
    assert queued.snapshot().state == TaskState.STOPPED
    assert slots.waiting_count == 0
    release.set()
