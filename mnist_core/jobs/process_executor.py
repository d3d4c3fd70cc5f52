"""The ``process`` executor: a small pool of worker processes that own TensorFlow.

The page's process never imports TensorFlow or Keras: it pickles a job, sends it
to an idle worker and reads the worker's messages in the job's handle thread.

- Workers are fresh interpreters (``python -m mnist_core.jobs.worker``, see there
  why not ``multiprocessing``), never forks, and import Keras and read MNIST as
  soon as they start, so a job does not wait for either.
- A worker is recycled after ``max_jobs_per_worker`` jobs or once its memory
  passes ``max_worker_rss_mb`` (TensorFlow does not give memory back).
- Stop is asked politely first; a job that has not ended ``hard_stop_seconds``
  later (stuck in a C loop that never checks) has its worker killed, and a new
  worker takes its place.
- A worker that dies under a job (killed, out of memory, an abort in TensorFlow)
  ends that job as failed with a message a student understands; the pool
  replaces it and every other job carries on.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from mnist_core.i18n import N_, decimal_separators, tr
from mnist_core.jobs.handle import POLL_SECONDS, Executor, JobHandle
from mnist_core.jobs.messages import Outcome

LOGGER = logging.getLogger(__name__)
EXIT_SECONDS = 5.0  # a retiring worker gets this long to exit before it is killed

WORKER_DIED_MESSAGE = N_(
    "The worker training this network stopped unexpectedly ({why}). Nothing you did caused it, and other "
    "runs were not affected. Press Train to run it again; if it happens again, try a smaller network "
    "or a smaller batch."
)


@dataclass(frozen=True)
class ProcessPoolConfig:
    """How many worker processes, and when one is replaced by a fresh one."""

    workers: int = 2  # one trains while the other answers short jobs (a drawing's prediction)
    # Each stroke's prediction is a job: at 50, a class drawing recycled its workers every few seconds
    # (20 s of restart each, benchmarks/bench_worker_predictions.py). Memory is the real limit below.
    max_jobs_per_worker: int = 1000
    max_worker_rss_mb: float = 1500.0  # TensorFlow keeps what it once allocated: start afresh past this
    hard_stop_seconds: float = 0.5  # a stop not honoured by then kills the worker
    warm_imports: tuple[str, ...] = ("keras",)  # imported when a worker starts, before its first job
    preload_mnist: bool = True  # read the data set when a worker starts, too (55 MB of uint8 per worker)
    # Added to the workers' scheduling niceness: on two cores shared with the server, a training at
    # full speed made page runs wait (p95 4.2 s with 20 students); a nicer worker yields to them.
    nice: int = 0

    def __post_init__(self):
        if not 1 <= self.workers <= 64:
            raise ValueError(f"workers must be between 1 and 64, got {self.workers}")
        if self.max_jobs_per_worker < 1:
            raise ValueError(f"max_jobs_per_worker must be at least 1, got {self.max_jobs_per_worker}")
        if self.max_worker_rss_mb <= 0:
            raise ValueError(f"max_worker_rss_mb must be positive, got {self.max_worker_rss_mb}")
        if not 0 <= self.nice <= 19:
            raise ValueError(f"nice must be between 0 and 19, got {self.nice}")
        if not 0 < self.hard_stop_seconds <= 10:
            raise ValueError(f"hard_stop_seconds must be between 0 and 10, got {self.hard_stop_seconds}")


def exit_description(exitcode: int | None) -> str:
    """Why a worker ended, in words: 'it was killed (signal 9)' rather than '-9'."""
    if exitcode is None:
        return tr("it stopped answering")
    if exitcode < 0:
        number = -exitcode
        names = {
            9: N_("it was killed, often because the server ran out of memory"),
            6: N_("it crashed (abort)"),
        }
        why = names.get(number, N_("it was ended"))
        return tr("{why}; signal {number}").format(why=tr(why), number=number)
    return tr("it exited with code {code}").format(code=exitcode)


def _python_path() -> str:
    """The parent's import path, so a worker imports this project (and a test's helpers) from the same place."""
    return os.pathsep.join(path for path in sys.path if path and os.path.isdir(path))


class _JobSignals:
    """Pause and stop of one job, sent to its worker's command socket (a late click names an old job: ignored)."""

    def __init__(self, worker: _Worker, job_id: int):
        self._worker, self._job_id = worker, job_id

    def _send(self, command: str, *argument) -> None:
        with self._worker.control_lock, contextlib.suppress(OSError):
            self._worker.control.send((command, self._job_id, *argument))

    def request(self, name: str, value) -> None:
        self._send("request", name, value)

    def pause(self) -> None:
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def stop(self) -> None:
        self._send("stop")


class _Worker:
    """The parent's side of one worker process."""

    def __init__(self, config: ProcessPoolConfig, number: int):
        parent_jobs, child_jobs = socket.socketpair()
        parent_control, child_control = socket.socketpair()
        fds = (child_jobs.fileno(), child_control.fileno())
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mnist_core.jobs.worker",
                *map(str, fds),
                ",".join(config.warm_imports),
                "1" if config.preload_mnist else "0",
                str(config.nice),
            ],
            pass_fds=fds,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": _python_path()},
        )
        child_jobs.close()
        child_control.close()
        self.conn = Connection(parent_jobs.detach())
        self.control = Connection(parent_control.detach())
        self.control_lock = threading.Lock()
        self.number = number
        self.jobs_done = 0
        self.rss_mb: float | None = None
        self.start_seconds: float | None = None  # start to ready, including the warm imports
        self.import_seconds: float | None = None
        self.data_seconds: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def exitcode(self, timeout: float = EXIT_SECONDS) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.process.wait(timeout)
        return None

    def info(self) -> dict:
        return {
            "pid": self.pid,
            "number": self.number,
            "jobs_done": self.jobs_done,
            "rss_mb": self.rss_mb,
            "start_seconds": self.start_seconds,
            "import_seconds": self.import_seconds,
            "data_seconds": self.data_seconds,
        }

    def note_ready(self, info: dict) -> None:
        self.start_seconds = time.monotonic() - self.started_at
        self.import_seconds = info.get("import_seconds")
        self.data_seconds = info.get("data_seconds")

    def retire(self, wait_seconds: float = EXIT_SECONDS) -> None:
        """Ask the worker to exit, in the background; kill it if it does not."""

        def end():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            if self.exitcode(wait_seconds) is None:
                self.process.kill()
                self.exitcode()
            self.conn.close()
            self.control.close()

        threading.Thread(target=end, name=f"retire-worker-{self.number}", daemon=True).start()


_executors: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _kill_workers_at_exit() -> None:
    """Workers are separate programs: end them with the process that started them."""
    for executor in list(_executors):
        for worker in executor._all_workers():
            with contextlib.suppress(OSError):
                worker.process.kill()


class ProcessExecutor(Executor):
    """Run jobs in a pool of worker processes (see the module docstring)."""

    name = "process"

    def __init__(self, config: ProcessPoolConfig | None = None):
        self.config = config or ProcessPoolConfig()
        super().__init__(self.config.workers)
        self._lock = threading.Lock()
        self._numbers = iter(range(1, 1 << 62))
        self._idle = [self._new_worker() for _ in range(self.config.workers)]
        self._busy: set[_Worker] = set()
        self._closed = False
        _executors.add(self)

    def _all_workers(self) -> list[_Worker]:
        with self._lock:
            return [*self._idle, *self._busy]

    def workers_info(self) -> list[dict]:
        """pid, jobs done, memory and start time of each current worker (for benchmarks and tests)."""
        with self._lock:
            return [worker.info() for worker in [*self._idle, *self._busy]]

    def wait_until_ready(self, timeout: float = 120.0) -> None:
        """Block until every idle worker has started (its warm imports done); for benchmarks and tests."""
        deadline = time.monotonic() + timeout
        with self._lock:
            waiting = [worker for worker in self._idle if worker.start_seconds is None]
        for worker in waiting:
            remaining = max(deadline - time.monotonic(), 0)
            if not worker.conn.poll(remaining):
                raise TimeoutError(f"worker {worker.pid} did not start within {timeout:g} s")
            message = worker.conn.recv()
            if message[0] == "ready":
                worker.note_ready(message[1])

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.retire()

    def _new_worker(self) -> _Worker:
        return _Worker(self.config, next(self._numbers))

    def _execute(self, handle: JobHandle, payload: bytes) -> Outcome:
        with self._lock:
            if self._closed:
                return Outcome("failed", message=tr("The server is shutting down: the job was not started."))
            worker = self._idle.pop(0)  # capacity == workers, so one is free
            if not worker.is_alive():
                worker.retire()  # it died while idle (the out-of-memory killer): this job gets a fresh one
                worker = self._new_worker()
            self._busy.add(worker)
        outcome = Outcome("died")
        try:
            handle.attach(_JobSignals(worker, handle.id), {"pid": worker.pid, "worker": worker.number})
            with contextlib.suppress(OSError):  # a worker that died while idle is reported by _follow
                worker.conn.send(("job", handle.id, payload))
            outcome = self._follow(worker, handle)
            return outcome
        finally:
            self._put_back(worker, outcome)

    def _follow(self, worker: _Worker, handle: JobHandle) -> Outcome:
        """Read the worker's messages until the job ends or the worker does."""
        killed = False
        watched = time.monotonic()
        while True:
            ready = wait([worker.conn], timeout=POLL_SECONDS)  # a dead worker's socket reads as closed
            if worker.conn in ready:
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    return self._died(worker, handle, killed)
                if message[0] == "outcome":
                    outcome = message[1]
                    worker.jobs_done += 1
                    worker.rss_mb = outcome.worker_rss_mb
                    return outcome
                if message[0] == "ready":
                    worker.note_ready(message[1])
                    handle.worker.update(start_seconds=worker.start_seconds)
                else:
                    handle.on_message(message)
            if time.monotonic() - watched < POLL_SECONDS:
                continue  # a chatty job: look at the owner and the stop deadline ten times a second
            watched = time.monotonic()
            handle.watch()
            if not killed and handle.hard_stop_due(self.config.hard_stop_seconds):
                LOGGER.warning("Job %r ignored stop; killing worker %s", handle.name, worker.pid)
                worker.process.kill()
                killed = True

    def _died(self, worker: _Worker, handle: JobHandle, killed: bool) -> Outcome:
        exitcode = worker.exitcode()
        if killed or handle.stop_was_requested:
            return Outcome(
                "stopped",
                message=tr(
                    "Stopped (it did not stop by itself within {seconds} s, so its worker was ended)"
                ).format(seconds=f"{self.config.hard_stop_seconds:g}".replace(".", decimal_separators()[0])),
            )
        if self._closed:
            return Outcome("failed", message=tr("The server shut down while this job ran."))
        why = exit_description(exitcode)
        LOGGER.error("Worker %s died under job %r: %s", worker.pid, handle.name, why)
        return Outcome("died", message=tr(WORKER_DIED_MESSAGE).format(why=why), details=f"worker exit: {why}")

    def _put_back(self, worker: _Worker, outcome: Outcome) -> None:
        """Return the worker to the idle list, or replace it when it died or is due for recycling."""
        alive = worker.is_alive() and outcome.kind != "died"
        worn = worker.jobs_done >= self.config.max_jobs_per_worker or (
            worker.rss_mb is not None and worker.rss_mb > self.config.max_worker_rss_mb
        )
        with self._lock:
            self._busy.discard(worker)
            if self._closed:
                worker.retire()
                return
            if alive and not worn:
                self._idle.append(worker)
                return
            if worn and alive:
                LOGGER.info(
                    "Recycling worker %s after %d jobs (%.0f MB)",
                    worker.pid,
                    worker.jobs_done,
                    worker.rss_mb or 0,
                )
            worker.retire()
            self._idle.append(self._new_worker())
