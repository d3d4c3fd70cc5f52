"""The job layer on the thread executor: the shared contract, and what is special to threads."""

import functools

import job_samples
import pytest
from job_contract import (  # noqa: F401 - pytest collects the imported contract tests
    test_a_failure_ends_the_job_with_its_message,
    test_a_job_can_pause_itself_and_be_resumed,
    test_a_lambda_is_refused_at_submit,
    test_a_queued_job_whose_owner_is_gone_gives_up_at_once,
    test_a_result_that_is_not_plain_data_fails_clearly,
    test_a_running_job_whose_owner_is_gone_stops_after_the_grace_period,
    test_a_stopped_paused_job_ends,
    test_pause_holds_the_job_and_resume_continues_it,
    test_progress_streams_while_running,
    test_queued_jobs_know_their_position_and_run_in_turn,
    test_requests_from_the_page_reach_the_job_as_plain_values,
    test_result_progress_and_detail,
    test_stop_ends_a_job_within_a_second,
)
from waiting import wait_for

from mnist_core.jobs import TaskState, ThreadExecutor, make_executor


@pytest.fixture(scope="module")
def executor():
    return ThreadExecutor()


def test_the_executor_is_chosen_by_configuration(monkeypatch):
    monkeypatch.setenv("MNIST_EXECUTOR", "thread")
    assert make_executor().name == "thread"
    monkeypatch.setenv("MNIST_EXECUTOR", "gpu")
    with pytest.raises(ValueError, match="MNIST_EXECUTOR must be one of process, thread, ray, got 'gpu'"):
        make_executor()


def test_its_own_capacity_queues_jobs():
    executor = ThreadExecutor(capacity=1)
    first = executor.submit(functools.partial(job_samples.count_steps, 10_000, 0.01))
    second = executor.submit(functools.partial(job_samples.count_steps, 1, 0.0))
    wait_for(lambda: second.snapshot().queue_position == 1)
    first.stop()
    assert second.join(10).state == TaskState.FINISHED


def test_a_pool_setting_that_is_not_a_number_says_which(monkeypatch):
    monkeypatch.setenv("MNIST_EXECUTOR", "process")
    monkeypatch.setenv("MNIST_WORKERS", "two")
    with pytest.raises(ValueError, match="MNIST_WORKERS must be a number, got 'two'"):
        make_executor()
