"""The ``ray`` executor: jobs on a Ray cluster, for a class that outgrows one machine.

``MNIST_EXECUTOR=ray`` with ``RAY_ADDRESS`` set joins that cluster (its nodes need
this project importable, e.g. the same image); without an address a small local
Ray is started (2 CPUs, no dashboard, no usage statistics, nothing reaches the
internet). Ray is optional: ``pip install -r requirements-ray.txt``.

Each job is a Ray task running the same pickled job as the other executors. Its
progress messages, and pause and stop, go through one small actor per executor
(``JobHub``), so a job costs no extra process. A stop not honoured within
``hard_stop_seconds`` cancels the task by force (Ray kills its worker process).
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import threading
import time

from mnist_core.data.mnist import DATA_DIR_VARIABLE
from mnist_core.jobs.config import limit_native_threads
from mnist_core.jobs.control import POLL_SECONDS as WORKER_POLL_SECONDS
from mnist_core.jobs.control import run_work
from mnist_core.jobs.handle import POLL_SECONDS, Executor, JobHandle
from mnist_core.jobs.messages import Outcome
from mnist_core.jobs.process_executor import WORKER_DIED_MESSAGE
from mnist_core.jobs.thread_executor import unsendable_result_message

LOGGER = logging.getLogger(__name__)
LOCAL_CPUS = 2
LOCAL_OBJECT_STORE_BYTES = 200 * 2**20  # results are .keras bytes and curves: megabytes, not gigabytes
FLAG_SECONDS = 0.05  # how stale a job's view of pause and stop may be


def import_ray():
    """Import Ray with its usage statistics off, or say how to install it."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError as error:
        raise ImportError(
            "MNIST_EXECUTOR=ray needs Ray, an optional dependency: pip install -r requirements-ray.txt"
        ) from error
    return ray


_INIT_LOCK = threading.Lock()


def _init_arguments(address: str | None) -> dict:
    """``ray.init``'s arguments: join ``address``, or start a small local Ray."""
    # A node reads its own bundled MNIST unless the server names another folder for all of them.
    env_vars = {"TF_CPP_MIN_LOG_LEVEL": "2"}
    if os.environ.get(DATA_DIR_VARIABLE):
        env_vars[DATA_DIR_VARIABLE] = os.environ[DATA_DIR_VARIABLE]
    if address:
        return {"address": address, "logging_level": logging.WARNING, "runtime_env": {"env_vars": env_vars}}
    # Local workers import what this process imports, from where it imports it.
    env_vars["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path and os.path.isdir(path))
    return {
        "num_cpus": LOCAL_CPUS,
        "include_dashboard": False,
        "object_store_memory": LOCAL_OBJECT_STORE_BYTES,
        "logging_level": logging.WARNING,
        "runtime_env": {"env_vars": env_vars},
    }


def _init_on_own_thread(ray, arguments: dict) -> threading.Event:
    """``ray.init(**arguments)`` on a thread that lives until the returned event is set.

    A local Ray's head processes (GCS, raylet) get a parent-death signal bound to the *thread* that
    started them. Started from a Streamlit script run, they were killed as soon as that run ended,
    and the server process with them once it lost its GCS. This thread outlives every script run.
    """
    started, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def keep() -> None:
        try:
            ray.init(**arguments)
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            failure.append(error)
            return
        finally:
            started.set()
        release.wait()

    threading.Thread(target=keep, name="ray-init-keeper", daemon=True).start()
    started.wait()
    if failure:
        raise failure[0]
    return release


class JobHub:
    """A Ray actor that holds each running job's messages and its pause and stop flags."""

    def __init__(self):
        self._messages: dict[int, list] = {}
        self._flags: dict[int, tuple[bool, bool]] = {}  # job id -> (stop, paused)
        self._requests: dict[int, dict] = {}  # job id -> the page's latest value per name

    def open(self, job_id: int) -> None:
        self._messages[job_id] = []
        self._flags[job_id] = (False, False)

    def close(self, job_id: int) -> None:
        self._messages.pop(job_id, None)
        self._flags.pop(job_id, None)
        self._requests.pop(job_id, None)

    def request(self, job_id: int, name: str, value) -> None:
        self._requests.setdefault(job_id, {})[name] = value

    def push(self, job_id: int, message: tuple) -> None:
        self._messages.setdefault(job_id, []).append(message)

    def take(self, job_id: int) -> list:
        messages, self._messages[job_id] = self._messages.get(job_id, []), []
        return messages

    def set_flags(self, job_id: int, stop: bool | None = None, paused: bool | None = None) -> None:
        old_stop, old_paused = self._flags.get(job_id, (False, False))
        self._flags[job_id] = (old_stop if stop is None else stop, old_paused if paused is None else paused)

    def flags(self, job_id: int) -> tuple[bool, bool, dict]:
        """(stop, paused, requests since the last call); a closed job reads as stopped."""
        stop, paused = self._flags.get(job_id, (True, False))
        return stop, paused, self._requests.pop(job_id, {})

    def sync(self) -> None:
        """Returns once every earlier call from the same caller has been handled."""


class _HubSignals:
    """Pause, stop and requests as a job on a Ray worker sees them: the hub's, re-read at most every 50 ms."""

    def __init__(self, hub, job_id: int):
        self._hub, self._job_id = hub, job_id
        self._read_at, self._flags = 0.0, (False, False)
        self._requests: dict = {}

    def _current(self) -> tuple[bool, bool]:
        if time.monotonic() - self._read_at > FLAG_SECONDS:
            import ray

            stop, paused, requests = ray.get(self._hub.flags.remote(self._job_id))
            self._flags = (stop, paused)
            self._requests.update(requests)
            self._read_at = time.monotonic()
        return self._flags

    def stop_requested(self) -> bool:
        return self._current()[0]

    def wait_resumed(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            stop, paused = self._current()
            if stop or not paused:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(FLAG_SECONDS, WORKER_POLL_SECONDS))

    def take_request(self, name: str):
        self._current()
        return self._requests.pop(name, None)

    def pause_here(self) -> None:
        import ray

        ray.get(self._hub.set_flags.remote(self._job_id, paused=True))
        self._read_at = 0.0


class _HandleSignals:
    """Pause and stop as the page's handle sends them: flag changes on the hub."""

    def __init__(self, hub, job_id: int):
        self._hub, self._job_id = hub, job_id

    def pause(self) -> None:
        self._hub.set_flags.remote(self._job_id, paused=True)

    def resume(self) -> None:
        self._hub.set_flags.remote(self._job_id, paused=False)

    def stop(self) -> None:
        self._hub.set_flags.remote(self._job_id, stop=True, paused=False)

    def request(self, name: str, value) -> None:
        self._hub.request.remote(self._job_id, name, value)


def run_job_in_ray(payload: bytes, hub, job_id: int) -> Outcome:
    """The Ray task: run one pickled job, its progress going to ``hub``."""
    import ray

    limit_native_threads()  # once per Ray worker process
    outcome = run_work(payload, lambda message: hub.push.remote(job_id, message), _HubSignals(hub, job_id))
    ray.get(hub.sync.remote())  # every progress message is in the hub before the result is seen
    try:
        pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # noqa: BLE001 - the same rule as a worker process
        return Outcome("failed", message=unsendable_result_message(error))
    return outcome


class RayExecutor(Executor):
    """Run jobs as Ray tasks (see the module docstring).

    Parameters
    ----------
    address : str, optional
        A running cluster ("ray://host:10001", "auto"); None starts a local one.
    capacity : int
        Jobs running at once; later ones queue here and see their position.
    """

    name = "ray"

    def __init__(
        self, address: str | None = None, capacity: int = LOCAL_CPUS, hard_stop_seconds: float = 0.5
    ):
        super().__init__(capacity)
        self.hard_stop_seconds = hard_stop_seconds
        ray = import_ray()
        self._ray = ray
        self._keeper: threading.Event | None = None
        with _INIT_LOCK:  # the app makes two executors (long and quick jobs): one Ray for both
            if not ray.is_initialized():
                self._keeper = _init_on_own_thread(ray, _init_arguments(address))
        self._owns_ray = self._keeper is not None
        self._hub = ray.remote(num_cpus=0)(JobHub).remote()
        self._task = ray.remote(num_cpus=1, max_retries=0)(run_job_in_ray)

    def shutdown(self) -> None:
        if self._owns_ray and self._ray.is_initialized():
            self._ray.shutdown()
        if self._keeper is not None:
            self._keeper.set()  # the thread that started Ray may end now

    def _execute(self, handle: JobHandle, payload: bytes) -> Outcome:
        ray = self._ray
        ray.get(self._hub.open.remote(handle.id))
        reference = self._task.remote(payload, self._hub, handle.id)
        handle.attach(_HandleSignals(self._hub, handle.id), {"ray_task": reference.task_id().hex()})
        cancelled = False
        try:
            while True:
                ready, _ = ray.wait([reference], timeout=POLL_SECONDS)
                for message in ray.get(self._hub.take.remote(handle.id)):
                    handle.on_message(message)
                if ready:
                    return self._outcome(reference, handle, cancelled)
                handle.watch()
                if not cancelled and handle.hard_stop_due(self.hard_stop_seconds):
                    LOGGER.warning("Job %r ignored stop; cancelling its Ray task", handle.name)
                    ray.cancel(reference, force=True)
                    cancelled = True
        finally:
            self._hub.close.remote(handle.id)

    def _outcome(self, reference, handle: JobHandle, cancelled: bool) -> Outcome:
        ray = self._ray
        try:
            return ray.get(reference)
        except ray.exceptions.TaskCancelledError:
            return Outcome(
                "stopped",
                message=f"Stopped (it did not stop by itself within {self.hard_stop_seconds:g} s, "
                "so its worker was ended)",
            )
        except ray.exceptions.RayError as error:
            if cancelled or handle.stop_was_requested:
                return Outcome("stopped", message="Stopped (its worker was ended)")
            LOGGER.error("Ray worker died under job %r: %s", handle.name, error)
            why = "its Ray worker process ended"
            return Outcome("died", message=WORKER_DIED_MESSAGE.format(why=why), details=str(error)[:2000])
