"""The job layer on the process executor: the shared contract, worker faults, recycling, and real Keras."""

import functools
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import job_samples
import numpy as np
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

from mnist_core.jobs import TaskState
from mnist_core.jobs.process_executor import ProcessExecutor, ProcessPoolConfig

ROOT = Path(__file__).resolve().parents[2]
LIGHT = ProcessPoolConfig(
    workers=2, warm_imports=(), preload_mnist=False
)  # these jobs need no TensorFlow: start workers fast


@pytest.fixture(scope="module")
def executor():
    pool = ProcessExecutor(LIGHT)
    yield pool
    pool.shutdown()


def pid_of(handle) -> int:
    wait_for(lambda: "pid" in handle.snapshot().detail, what="the job's worker to report its pid")
    return handle.snapshot().detail["pid"]


def test_jobs_run_in_other_processes(executor):
    snapshot = executor.submit(job_samples.worker_pid).join(60)
    assert snapshot.state == TaskState.FINISHED
    assert snapshot.result != os.getpid()
    assert snapshot.result in {worker["pid"] for worker in executor.workers_info()}


def test_more_jobs_than_workers_wait_in_the_pool_queue(executor):
    running = [executor.submit(functools.partial(job_samples.count_steps, 10_000, 0.01)) for _ in range(2)]
    waiting = executor.submit(functools.partial(job_samples.count_steps, 1, 0.0))
    wait_for(lambda: waiting.snapshot().queue_position == 1, what="the third job to queue for a worker")
    running[0].stop()
    assert waiting.join(30).state == TaskState.FINISHED
    running[1].stop()
    assert running[1].join(5).state == TaskState.STOPPED


def test_a_killed_worker_fails_its_job_clearly_and_the_pool_carries_on(executor):
    other = executor.submit(functools.partial(job_samples.count_steps, 10_000, 0.01))
    wait_for(lambda: other.snapshot().detail.get("step", -1) >= 0)
    victim = executor.submit(job_samples.wait_forever)
    pid = pid_of(victim)
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    snapshot = victim.join(5)
    assert time.monotonic() - killed < 5
    assert snapshot.state == TaskState.FAILED
    assert snapshot.message.startswith("The worker training this network stopped unexpectedly")
    assert "killed" in snapshot.message and "Press Train to run it again" in snapshot.message
    steps = other.snapshot().detail["step"]
    wait_for(lambda: other.snapshot().detail["step"] > steps + 3, what="the other job to go on")
    assert other.state == TaskState.RUNNING
    after = executor.submit(job_samples.worker_pid).join(60)
    assert after.state == TaskState.FINISHED and after.result != pid
    assert pid not in {worker["pid"] for worker in executor.workers_info()}, "the dead worker was replaced"
    other.stop()
    other.join(5)


def test_a_worker_killed_while_idle_is_replaced_before_the_next_job():
    with ProcessExecutor(ProcessPoolConfig(workers=1, warm_imports=(), preload_mnist=False)) as pool:
        pid = pool.workers_info()[0]["pid"]
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not pool._idle[0].is_alive())
        snapshot = pool.submit(job_samples.worker_pid).join(60)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    assert snapshot.result != pid


def test_a_worker_that_aborts_fails_its_job(executor):
    snapshot = executor.submit(job_samples.abort).join(30)
    assert snapshot.state == TaskState.FAILED
    assert "crashed (abort)" in snapshot.message
    assert executor.submit(job_samples.worker_pid).join(60).state == TaskState.FINISHED


def test_a_hard_stop_ends_a_job_stuck_in_a_c_call_within_a_second(executor):
    handle = executor.submit(job_samples.stuck)
    pid = pid_of(handle)
    asked = time.monotonic()
    handle.stop()
    snapshot = handle.join(1.0)
    assert time.monotonic() - asked < 1.0
    assert snapshot.state == TaskState.STOPPED
    assert "worker was ended" in snapshot.message
    wait_for(lambda: pid not in {worker["pid"] for worker in executor.workers_info()})
    assert executor.submit(job_samples.worker_pid).join(60).state == TaskState.FINISHED


def test_a_late_stop_of_a_finished_job_does_not_stop_the_next_one_on_its_worker():
    with ProcessExecutor(ProcessPoolConfig(workers=1, warm_imports=(), preload_mnist=False)) as pool:
        first = pool.submit(functools.partial(job_samples.count_steps, 1, 0.0))
        assert first.join(60).state == TaskState.FINISHED
        first.stop()  # a Stop click that arrives after the run ended
        second = pool.submit(functools.partial(job_samples.count_steps, 30, 0.01))
        snapshot = second.join(60)
    assert snapshot.state == TaskState.FINISHED
    assert snapshot.detail["steps"] == list(range(30))
    assert first.snapshot().state == TaskState.FINISHED


def test_a_worker_is_recycled_after_its_number_of_jobs():
    with ProcessExecutor(
        ProcessPoolConfig(workers=1, max_jobs_per_worker=2, warm_imports=(), preload_mnist=False)
    ) as pool:
        pids = [pool.submit(job_samples.worker_pid).join(60).result for _ in range(3)]
    assert pids[0] == pids[1] != pids[2]


def test_a_worker_is_recycled_past_its_memory_limit():
    with ProcessExecutor(
        ProcessPoolConfig(workers=1, max_worker_rss_mb=250, warm_imports=(), preload_mnist=False)
    ) as pool:
        first = pool.submit(job_samples.worker_pid).join(60).result
        assert pool.submit(job_samples.worker_pid).join(60).result == first, "a light worker is kept"
        holder = pool.submit(functools.partial(job_samples.hold_memory, 300)).join(60).result
        assert holder == first
        assert pool.submit(job_samples.worker_pid).join(60).result != first


PAGE_AS_MAIN = textwrap.dedent(
    """
    import sys, types
    page = types.ModuleType("__main__")
    page.__file__ = sys.argv[1]  # what streamlit run does while it runs a page script
    sys.modules["__main__"] = page
    import job_samples
    from mnist_core.jobs.process_executor import ProcessExecutor, ProcessPoolConfig
    pool = ProcessExecutor(ProcessPoolConfig(workers=1, warm_imports=(), preload_mnist=False))
    print(pool.submit(job_samples.worker_pid).join(60).state.value)
    pool.shutdown()
    """
)


def test_workers_start_from_a_page_script_without_running_it_again(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("raise SystemExit('the page script ran again inside a worker')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "unit")])}
    done = subprocess.run(
        [sys.executable, "-c", PAGE_AS_MAIN, str(page)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "finished"
    assert "ran again" not in done.stderr


def test_bad_pool_settings_say_how_to_fix_them():
    with pytest.raises(ValueError, match="hard_stop_seconds must be between 0 and 10, got 0"):
        ProcessPoolConfig(hard_stop_seconds=0)
    with pytest.raises(ValueError, match="workers must be between 1 and 64, got 0"):
        ProcessPoolConfig(workers=0)


KERAS_JOURNEY = textwrap.dedent(
    """
    import functools, pickle, sys
    from mnist_core.data.mnist import load_mnist
    from mnist_core.jobs.keras_jobs import predict_digits, training_job
    from mnist_core.jobs.process_executor import ProcessExecutor, ProcessPoolConfig
    from mnist_core.engine.spec import ModelSpec, TrainConfig

    pool = ProcessExecutor(ProcessPoolConfig(workers=1))
    config = TrainConfig(epochs=1, train_limit=2000, seed=7)
    snapshot = pool.submit(training_job(ModelSpec(), config), name="tiny").join(600)
    assert snapshot.state.value == "finished", snapshot.message + snapshot.error_details
    (_, _), (x_test, _) = load_mnist()
    predicted = pool.submit(functools.partial(predict_digits, snapshot.result.keras_bytes, x_test[:300])).join(120)
    assert predicted.state.value == "finished", predicted.message
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras"))
    pool.shutdown()
    with open(sys.argv[1], "wb") as out:
        pickle.dump({"run": snapshot.result, "detail": snapshot.detail, "probabilities": predicted.result,
                     "loaded": loaded}, out)
    """
)


def test_a_keras_training_in_a_worker_returns_a_model_without_tensorflow_in_the_parent(tmp_path):
    out = tmp_path / "journey.pickle"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, "-c", KERAS_JOURNEY, str(out)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    journey = pickle.loads(out.read_bytes())
    assert journey["loaded"] == [], "the parent process imported TensorFlow or Keras"
    run = journey["run"]
    assert len(run.epochs) == 1 and len(run.batches["update"]) >= 1
    assert journey["detail"]["batches"]["update"] == run.batches["update"], "the live curve came through"
    assert run.timings["total_seconds"] > run.train_seconds > 0

    import keras

    from mnist_core.data.mnist import load_mnist
    from mnist_core.engine.models import load_model_bytes

    model = load_model_bytes(run.keras_bytes)  # an independent load, in this process
    (_, _), (x_test, y_test) = load_mnist()
    probabilities = model.predict(x_test.reshape(-1, 784), batch_size=1000, verbose=0)
    accuracy = float((probabilities.argmax(axis=1) == y_test).mean())
    assert accuracy == pytest.approx(run.test_accuracy, abs=1e-4)
    assert accuracy > 0.5  # 15 updates on 1,833 images: far above guessing (0.1)
    np.testing.assert_allclose(journey["probabilities"], probabilities[:300], atol=1e-5)
    assert isinstance(model, keras.Model)


def test_stop_ends_a_batch_1_keras_training_in_a_worker_within_a_second():
    """A batch-1 run makes 55,000 updates an epoch: Stop must not wait for the epoch to end."""
    from mnist_core.engine.spec import ModelSpec, TrainConfig
    from mnist_core.jobs.keras_jobs import training_job

    with ProcessExecutor(ProcessPoolConfig(workers=1)) as pool:
        pool.wait_until_ready(180)
        handle = pool.submit(training_job(ModelSpec(), TrainConfig(epochs=3, batch_size=1, seed=3)))
        wait_for(
            lambda: len(handle.snapshot().detail.get("batches", {}).get("update", [])) > 20,
            seconds=180,
            what="the batch-1 run to be fitting",
        )
        asked = time.monotonic()
        handle.stop()
        snapshot = handle.join(10)
        took = time.monotonic() - asked
        assert snapshot.state == TaskState.STOPPED, snapshot.message
        # Under a second on a quiet machine; the margin is for a CI machine whose two cores
        # are shared with a browser and a server (the stop's own path is a socket message).
        assert took < 1.5, took


def test_workers_run_at_the_niceness_the_pool_asks_for():
    """The long pool's workers yield the cores to the server's page runs (MNIST_WORKER_NICE)."""
    base = os.nice(0)
    with ProcessExecutor(ProcessPoolConfig(workers=1, warm_imports=(), preload_mnist=False, nice=7)) as pool:
        snapshot = pool.submit(job_samples.worker_pid).join(60)
        assert snapshot.state == TaskState.FINISHED
        assert os.getpriority(os.PRIO_PROCESS, snapshot.result) == min(base + 7, 19)
    with pytest.raises(ValueError, match="nice"):
        ProcessPoolConfig(nice=20)


def test_a_workers_blas_and_openmp_pools_have_one_thread():
    """Set once when the worker starts (MNIST_BLAS_THREADS), not around calls from threads."""
    with ProcessExecutor(ProcessPoolConfig(workers=1, warm_imports=(), preload_mnist=False)) as pool:
        snapshot = pool.submit(job_samples.native_thread_counts).join(60)
        assert snapshot.state == TaskState.FINISHED
        assert len(snapshot.result) >= 3  # NumPy's BLAS, SciPy's BLAS, scikit-learn's OpenMP
        assert set(snapshot.result) == {1}


def test_limit_native_threads_follows_its_variable():
    """In a fresh interpreter: every pool at MNIST_BLAS_THREADS, whichever library loaded it."""
    script = (
        "from mnist_core.jobs.config import limit_native_threads\n"
        "from threadpoolctl import threadpool_info\n"
        "limit_native_threads(); limit_native_threads()\n"
        "print(sorted({pool['num_threads'] for pool in threadpool_info()}))\n"
    )
    env = {**os.environ, "MNIST_BLAS_THREADS": "3"}  # not this machine's 2 cores, the libraries' default
    root = Path(__file__).resolve().parents[2]
    shown = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=root, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "[3]"
