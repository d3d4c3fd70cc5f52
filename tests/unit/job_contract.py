"""What every executor must do; each tests/unit/test_jobs_<executor>.py imports these with its ``executor``."""

from __future__ import annotations

import functools
import time

import job_samples
import pytest
from waiting import wait_for, wait_until_steady

from mnist_core.jobs.tasks import SlotPool, TaskState


def test_result_progress_and_detail(executor):
    handle = executor.submit(functools.partial(job_samples.count_steps, 5, 0.01), name="count")
    snapshot = handle.join(60)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    assert snapshot.result == "done"
    assert snapshot.fraction == 1.0
    assert snapshot.message == "Finished"
    assert snapshot.detail["steps"] == [0, 1, 2, 3, 4]  # appended one by one in the job, sent as patches
    assert snapshot.detail["step"] == 4
    assert snapshot.name == "count" and handle.id > 0


def test_progress_streams_while_running(executor):
    handle = executor.submit(functools.partial(job_samples.count_steps, 10_000, 0.01))
    wait_for(lambda: handle.snapshot().detail.get("step", -1) >= 5, what="progress from the job")
    snapshot = handle.snapshot()
    assert snapshot.state == TaskState.RUNNING
    assert 0 < snapshot.fraction < 0.1
    assert snapshot.message.startswith("step ")
    assert snapshot.detail["steps"] == list(range(len(snapshot.detail["steps"])))
    handle.stop()
    assert handle.join(5).state == TaskState.STOPPED


def test_pause_holds_the_job_and_resume_continues_it(executor):
    handle = executor.submit(functools.partial(job_samples.count_steps, 10_000, 0.01))
    wait_for(lambda: handle.snapshot().detail.get("step", -1) >= 3)
    handle.pause()
    assert handle.state == TaskState.PAUSED
    held = wait_until_steady(lambda: handle.snapshot().detail["step"], quiet=0.4)
    paused_elapsed = handle.snapshot().elapsed_seconds
    time.sleep(0.3)
    assert handle.snapshot().detail["step"] == held
    assert handle.snapshot().elapsed_seconds == pytest.approx(paused_elapsed), "paused time must not count"
    handle.resume()
    wait_for(lambda: handle.snapshot().detail["step"] > held + 3, what="counting again after resume")
    handle.stop()
    assert handle.join(5).state == TaskState.STOPPED


def test_stop_ends_a_job_within_a_second(executor):
    handle = executor.submit(functools.partial(job_samples.count_steps, 10_000, 0.01))
    wait_for(lambda: handle.snapshot().detail.get("step", -1) >= 3)
    asked = time.monotonic()
    handle.stop()
    snapshot = handle.join(1.0)
    assert snapshot.state == TaskState.STOPPED
    assert snapshot.message == "Stopped"
    assert time.monotonic() - asked < 1.0


def test_a_stopped_paused_job_ends(executor):
    handle = executor.submit(functools.partial(job_samples.count_steps, 10_000, 0.01))
    wait_for(lambda: handle.snapshot().detail.get("step", -1) >= 1)
    handle.pause()
    handle.stop()
    assert handle.join(2).state == TaskState.STOPPED


def test_a_failure_ends_the_job_with_its_message(executor):
    polite = executor.submit(functools.partial(job_samples.fail_politely, "Try a smaller learning rate."))
    snapshot = polite.join(60)
    assert snapshot.state == TaskState.FAILED
    assert snapshot.message == "Try a smaller learning rate."
    crash = executor.submit(job_samples.crash).join(60)
    assert crash.state == TaskState.FAILED
    assert crash.message == "ValueError: bad value 3"
    assert "Traceback" in crash.error_details and "job_samples.py" in crash.error_details


def test_a_result_that_is_not_plain_data_fails_clearly(executor):
    snapshot = executor.submit(job_samples.unsendable_result).join(60)
    assert snapshot.state == TaskState.FAILED
    assert "plain data" in snapshot.message


def test_a_lambda_is_refused_at_submit(executor):
    with pytest.raises(TypeError, match="picklable function"):
        executor.submit(lambda control: 1)


def test_queued_jobs_know_their_position_and_run_in_turn(executor):
    slots = SlotPool(1)
    first = executor.submit(functools.partial(job_samples.count_steps, 10_000, 0.01), slots=slots)
    wait_for(lambda: first.state == TaskState.RUNNING)
    second = executor.submit(functools.partial(job_samples.count_steps, 2, 0.0), slots=slots)
    third = executor.submit(functools.partial(job_samples.count_steps, 2, 0.0), slots=slots)
    wait_for(lambda: third.snapshot().queue_position == 2)
    assert second.snapshot().queue_position == 1
    assert second.state == TaskState.QUEUED and second.snapshot().elapsed_seconds == 0
    first.stop()
    assert second.join(60).state == TaskState.FINISHED
    assert third.join(60).state == TaskState.FINISHED
    assert first.snapshot().queue_position is None


def test_a_queued_job_whose_owner_is_gone_gives_up_at_once(executor):
    slots = SlotPool(1)
    first = executor.submit(functools.partial(job_samples.count_steps, 10_000, 0.01), slots=slots)
    wait_for(lambda: first.state == TaskState.RUNNING)
    owner = {"alive": True}
    queued = executor.submit(
        functools.partial(job_samples.count_steps, 2, 0.0), slots=slots, owner_alive=lambda: owner["alive"]
    )
    wait_for(lambda: queued.snapshot().queue_position == 1)
    owner["alive"] = False
    gone = time.monotonic()
    snapshot = queued.join(2)
    assert snapshot.state == TaskState.STOPPED
    assert "tab that started it was closed" in snapshot.message
    assert time.monotonic() - gone < 1.0
    assert first.state == TaskState.RUNNING, "the running job is not affected"
    first.stop()
    first.join(5)


def test_a_running_job_whose_owner_is_gone_stops_after_the_grace_period(executor):
    owner = {"alive": True}
    handle = executor.submit(
        functools.partial(job_samples.count_steps, 10_000, 0.01),
        owner_alive=lambda: owner["alive"],
        owner_grace_seconds=0.3,
    )
    wait_for(lambda: handle.snapshot().detail.get("step", -1) >= 1)
    owner["alive"] = False
    snapshot = handle.join(5)
    assert snapshot.state == TaskState.STOPPED
    assert snapshot.message == "Stopped: the browser tab that started it was closed"


def test_requests_from_the_page_reach_the_job_as_plain_values(executor):
    handle = executor.submit(job_samples.follow_requests)
    handle.request("rate", 0.5)  # maybe before the job has started: it is kept for it
    wait_for(lambda: handle.snapshot().detail.get("rate") == 0.5, what="the first request to arrive")
    handle.request("rate", "last")
    snapshot = handle.join(10)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    assert snapshot.result == [0.5, "last"]


def test_a_job_can_pause_itself_and_be_resumed(executor):
    handle = executor.submit(functools.partial(job_samples.pause_itself_after, 3))
    wait_for(lambda: handle.state == TaskState.PAUSED, what="the job to pause itself")
    snapshot = handle.snapshot()
    assert snapshot.message == "Paused after 3 steps, as asked"
    assert snapshot.detail["step"] == 2
    time.sleep(0.2)
    assert handle.state == TaskState.PAUSED and "resumed" not in handle.snapshot().detail
    handle.resume()
    snapshot = handle.join(10)
    assert snapshot.state == TaskState.FINISHED and snapshot.result == "went on"
    assert snapshot.detail["resumed"] is True
