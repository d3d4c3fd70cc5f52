"""The job layer on a local Ray instance: the shared contract, stop by force, and a crashed worker."""

import functools
import os
import signal
import time

import pytest

pytest.importorskip("ray", reason="Ray is optional here: pip install -r requirements-ray.txt (CI does)")

import job_samples  # noqa: E402
from job_contract import (  # noqa: E402, F401 - pytest collects the imported contract tests
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
from waiting import wait_for  # noqa: E402

from mnist_core.jobs import TaskState  # noqa: E402


@pytest.fixture(scope="module")
def executor():
    os.environ.pop("RAY_ADDRESS", None)  # always a local instance here
    from mnist_core.jobs.ray_executor import RayExecutor

    pool = RayExecutor()
    yield pool
    pool.shutdown()


def test_jobs_run_in_ray_workers(executor):
    snapshot = executor.submit(job_samples.worker_pid).join(120)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    assert snapshot.result != os.getpid()


def test_a_hard_stop_cancels_a_stuck_job_within_a_second(executor):
    handle = executor.submit(job_samples.stuck)
    wait_for(lambda: "pid" in handle.snapshot().detail)
    asked = time.monotonic()
    handle.stop()
    snapshot = handle.join(1.0)
    assert time.monotonic() - asked < 1.0
    assert snapshot.state == TaskState.STOPPED


def test_a_killed_ray_worker_fails_its_job_clearly(executor):
    handle = executor.submit(job_samples.wait_forever)
    wait_for(lambda: "pid" in handle.snapshot().detail)
    os.kill(handle.snapshot().detail["pid"], signal.SIGKILL)
    snapshot = handle.join(10)
    assert snapshot.state == TaskState.FAILED
    assert snapshot.message.startswith("The worker training this network stopped unexpectedly")
    assert executor.submit(functools.partial(job_samples.count_steps, 2, 0.0)).join(120).state == (
        TaskState.FINISHED
    )


def test_a_keras_training_on_ray_returns_its_model_and_curves(executor):
    from mnist_core.engine.spec import ModelSpec, TrainConfig
    from mnist_core.jobs.keras_jobs import training_job

    config = TrainConfig(epochs=1, train_limit=2000, seed=7)
    snapshot = executor.submit(training_job(ModelSpec(), config)).join(600)
    assert snapshot.state == TaskState.FINISHED, snapshot.message + snapshot.error_details
    run = snapshot.result
    assert run.keras_bytes[:2] == b"PK"  # a .keras file is a zip archive
    assert run.test_accuracy > 0.5 and run.correct + run.incorrect == 10_000
    assert snapshot.detail["batches"]["update"] == run.batches["update"], "the live curve came through"
    assert len(run.epochs) == 1 and run.worker_pid != os.getpid()


def test_a_model_sent_as_bytes_runs_on_a_ray_worker_that_lacks_the_servers_file(executor, tmp_path):
    import numpy as np

    from mnist_core.data.mnist import load_mnist
    from mnist_core.engine.models import build_model, load_model_bytes, model_to_bytes
    from mnist_core.engine.spec import ModelSpec
    from mnist_core.inspect.evaluation import predict_probabilities
    from mnist_core.jobs.config import workers_share_disk
    from mnist_core.jobs.model_jobs import ModelCall, ModelRef

    assert not workers_share_disk("ray") and workers_share_disk("process")  # the app sends bytes to Ray
    keras_bytes = model_to_bytes(build_model(ModelSpec(hidden_units=(9,))))
    spooled = ModelRef.spooled(keras_bytes, tmp_path / "server-spool")
    os.remove(spooled.keras_path)  # as on another machine: the server's spool folder is not there
    failed = executor.submit(ModelCall(predict_probabilities, spooled, (np.zeros((1, 28, 28)),))).join(120)
    assert failed.state == TaskState.FAILED and "No such file" in failed.message + failed.error_details

    _, (x_test, _) = load_mnist()
    ref = ModelRef.of_bytes(keras_bytes)
    answer = executor.submit(ModelCall(predict_probabilities, ref, (x_test[:5],))).join(120)
    assert answer.state == TaskState.FINISHED, answer.message + answer.error_details
    expected = predict_probabilities(load_model_bytes(keras_bytes), x_test[:5])
    np.testing.assert_allclose(answer.result, expected, atol=1e-6)

    loads = [
        executor.submit(ModelCall(job_samples.loads_in_this_worker, ref)).join(60).result for _ in range(4)
    ]
    by_worker: dict[int, set] = {}
    for pid, count in loads:
        by_worker.setdefault(pid, set()).add(count)
    assert all(len(counts) == 1 for counts in by_worker.values()), loads  # each worker loaded it once


RAY_FROM_A_THREAD = """
import os, subprocess, threading, time
from mnist_core.jobs.ray_executor import RayExecutor

made = []
starter = threading.Thread(target=lambda: made.append(RayExecutor()))  # as a Streamlit script run does
starter.start()
starter.join()
time.sleep(4)  # the thread is gone: a head process bound to it has been killed by now
print(subprocess.run(["ps", "--ppid", str(os.getpid()), "-o", "stat=,comm="], capture_output=True, text=True).stdout)
import job_samples
snapshot = made[0].submit(job_samples.worker_pid).join(60)
print("state:", snapshot.state.value, snapshot.message)
made[0].shutdown()
"""


def test_a_ray_started_by_a_thread_that_ends_keeps_running(tmp_path):
    """Ray's head processes die with the thread that started them: the executor starts them on its own."""
    import subprocess
    import sys
    from pathlib import Path

    unit = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(unit.parents[1]), str(unit)])}
    env.pop("RAY_ADDRESS", None)
    script = tmp_path / "ray_from_a_thread.py"
    script.write_text(RAY_FROM_A_THREAD)
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=240)
    heads = {
        line.split()[1]: line.split()[0]
        for line in done.stdout.splitlines()
        if line.strip().endswith(("gcs_server", "raylet"))
    }
    assert set(heads) == {"gcs_server", "raylet"}, done.stdout + done.stderr[-2000:]
    assert not any(state.startswith("Z") for state in heads.values()), heads  # killed with the thread
    assert "state: finished" in done.stdout, done.stdout + done.stderr[-3000:]
