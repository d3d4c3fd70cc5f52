import threading
import time

import pytest
from waiting import wait_for, wait_until_steady

from mnist_core.jobs.tasks import BackgroundTask, SlotPool, TaskFailed, TaskState


def counting_work(counter: list, steps: int = 10_000, pause: float = 0.01):
    def work(control):
        for step in range(steps):
            control.checkpoint()
            counter.append(step)
            control.report(fraction=step / steps, step=step)
            time.sleep(pause)
        return "done"

    return work


def test_finishes_with_its_result():
    task = BackgroundTask(counting_work([], steps=3, pause=0)).start()
    snapshot = task.join(5)
    assert snapshot.state == TaskState.FINISHED
    assert snapshot.result == "done"
    assert snapshot.fraction == 1.0


def test_stop_takes_effect_within_a_second():
    counter: list = []
    task = BackgroundTask(counting_work(counter)).start()
    wait_for(lambda: len(counter) > 3)
    asked = time.monotonic()
    task.stop()
    snapshot = task.join(1.0)
    assert snapshot.state == TaskState.STOPPED
    assert time.monotonic() - asked < 1.0


def test_pause_holds_the_work_and_resume_continues_it():
    counter: list = []
    task = BackgroundTask(counting_work(counter)).start()
    wait_for(lambda: len(counter) > 3)
    task.pause()
    held = wait_until_steady(lambda: len(counter))  # the step in progress has finished
    assert task.snapshot().state == TaskState.PAUSED
    paused_elapsed = task.snapshot().elapsed_seconds
    time.sleep(0.3)  # a while paused, to see nothing happen in it
    assert len(counter) == held
    assert task.snapshot().elapsed_seconds == pytest.approx(paused_elapsed), "paused time must not count"
    task.resume()
    wait_for(lambda: len(counter) > held + 3)
    task.stop()
    assert task.join(1).state == TaskState.STOPPED


def test_a_stopped_paused_task_ends():
    counter: list = []
    task = BackgroundTask(counting_work(counter)).start()
    wait_for(lambda: len(counter) > 1)
    task.pause()
    task.stop()
    assert task.join(1).state == TaskState.STOPPED


def test_failures_become_readable_messages():
    def bad(control):
        raise TaskFailed("The loss became NaN")

    def crash(control):
        return 1 / 0

    assert BackgroundTask(bad).start().join(2).message == "The loss became NaN"
    crashed = BackgroundTask(crash).start().join(2)
    assert crashed.state == TaskState.FAILED
    assert crashed.message == "ZeroDivisionError: division by zero"
    assert "Traceback" in crashed.error_details


def test_slot_pool_queues_in_order_and_reports_positions():
    slots = SlotPool(1)
    release = threading.Event()

    def blocking(control):
        while not release.is_set():
            control.checkpoint()
            time.sleep(0.01)

    first = BackgroundTask(blocking, slots=slots).start()
    wait_for(lambda: first.state == TaskState.RUNNING)
    second = BackgroundTask(blocking, slots=slots).start()
    third = BackgroundTask(blocking, slots=slots).start()
    wait_for(lambda: third.snapshot().queue_position == 2)
    assert second.snapshot().queue_position == 1
    assert second.state == TaskState.QUEUED
    second.stop()  # leaving the queue moves the third up
    wait_for(lambda: third.snapshot().queue_position == 1)
    first.stop()
    wait_for(lambda: third.state == TaskState.RUNNING)
    assert slots.running_count == 1
    release.set()
    assert third.join(2).state == TaskState.FINISHED
    assert slots.running_count == 0


def test_a_task_whose_owner_is_gone_for_good_stops_and_frees_its_slot():
    slots = SlotPool(1)
    alive = {"value": True}
    task = BackgroundTask(
        counting_work([]), slots=slots, owner_alive=lambda: alive["value"], owner_grace_seconds=0.3
    ).start()
    wait_for(lambda: task.state == TaskState.RUNNING)
    alive["value"] = False
    snapshot = task.join(3)
    assert snapshot.state == TaskState.STOPPED
    assert "closed" in snapshot.message
    assert slots.running_count == 0


def test_a_brief_disconnection_does_not_stop_the_task():
    # The grace period is long and the disconnection is measured in the work's own steps, so a
    # loaded machine cannot stretch a "brief" disconnection past the grace period.
    counter: list = []
    alive = {"value": True}
    task = BackgroundTask(
        counting_work(counter), owner_alive=lambda: alive["value"], owner_grace_seconds=30.0
    ).start()
    wait_for(lambda: task.state == TaskState.RUNNING and len(counter) > 0)
    alive["value"] = False
    gone_at = len(counter)
    wait_for(lambda: len(counter) > gone_at + 5, what="progress while the owner is away")
    alive["value"] = True
    back_at = len(counter)
    wait_for(lambda: len(counter) > back_at + 5, what="progress after the owner is back")
    assert task.state == TaskState.RUNNING
    task.stop()
    assert task.join(5).state == TaskState.STOPPED
