"""The ``process`` executor: a small pool of worker processes that own TensorFlow.

The page's process never imports TensorFlow or Keras: it pickles a job, sends it
to an idle worker and reads the worker's messages in the job's handle thread.

- Workers start with ``spawn`` (or ``forkserver``), never ``fork``, and import
  Keras as soon as they start, so a job does not wait for it.
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

import contextlib
import logging
import multiprocessing
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait

from mnist_core.jobs.control import EventSignals
from mnist_core.jobs.handle import POLL_SECONDS, Executor, JobHandle
from mnist_core.jobs.messages import Outcome
from mnist_core.jobs.worker import worker_main

LOGGER = logging.getLogger(__name__)
START_METHODS = ("spawn", "forkserver")
EXIT_SECONDS = 5.0  # a retiring worker gets this long to exit before it is killed

WORKER_DIED_MESSAGE = (
    "The worker training this network stopped unexpectedly ({why}). Nothing you did caused it, and other "
    "runs were not affected. Press Train to run it again; if it happens again, try a smaller network "
    "or a smaller batch."
)


@dataclass(frozen=True)
class ProcessPoolConfig:
    """How many worker processes, and when one is replaced by a fresh one."""

    workers: int = 2  # one trains while the other answers short jobs (a drawing's prediction)
    max_jobs_per_worker: int = 50
    max_worker_rss_mb: float = 1500.0  # TensorFlow keeps what it once allocated: start afresh past this
    hard_stop_seconds: float = 0.5  # a stop not honoured by then kills the worker
    start_method: str = "spawn"
    warm_imports: tuple[str, ...] = ("keras",)  # imported when a worker starts, before its first job
    preload_mnist: bool = True  # read the data set when a worker starts, too (55 MB of uint8 per worker)

    def __post_init__(self):
        if not 1 <= self.workers <= 64:
            raise ValueError(f"workers must be between 1 and 64, got {self.workers}")
        if self.max_jobs_per_worker < 1:
            raise ValueError(f"max_jobs_per_worker must be at least 1, got {self.max_jobs_per_worker}")
        if self.max_worker_rss_mb <= 0:
            raise ValueError(f"max_worker_rss_mb must be positive, got {self.max_worker_rss_mb}")
        if not 0 < self.hard_stop_seconds <= 10:
            raise ValueError(f"hard_stop_seconds must be between 0 and 10, got {self.hard_stop_seconds}")
        if self.start_method not in START_METHODS:
            raise ValueError(
                f"start_method must be one of {START_METHODS} (never fork after TensorFlow), "
                f"got {self.start_method!r}"
            )


def exit_description(exitcode: int | None) -> str:
    """Why a worker ended, in words: 'it was killed (signal 9)' rather than '-9'."""
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        number = -exitcode
        names = {9: "it was killed, often because the server ran out of memory", 6: "it crashed (abort)"}
        return f"{names.get(number, 'it was ended')}; signal {number}"
    return f"it exited with code {exitcode}"


class _Worker:
    """The parent's side of one worker process."""

    def __init__(self, context, config: ProcessPoolConfig, number: int):
        self.conn, child_conn = context.Pipe()
        self.signals = EventSignals(context.Event(), context.Event())
        self.signals.reset()
        self.process = context.Process(
            target=worker_main,
            args=(
                child_conn,
                self.signals.stop_event,
                self.signals.resume_event,
                config.warm_imports,
                config.preload_mnist,
            ),
            name=f"mnist-worker-{number}",
            daemon=True,
        )
        self.started_at = time.monotonic()
        self.process.start()
        child_conn.close()
        self.number = number
        self.jobs_done = 0
        self.rss_mb: float | None = None
        self.start_seconds: float | None = None  # spawn to ready, including the warm imports
        self.import_seconds: float | None = None
        self.data_seconds: float | None = None

    def info(self) -> dict:
        return {
            "pid": self.process.pid,
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

    def retire(self) -> None:
        """Ask the worker to exit, in the background; kill it if it does not."""

        def end():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(EXIT_SECONDS)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(EXIT_SECONDS)
            self.conn.close()

        threading.Thread(target=end, name=f"retire-worker-{self.number}", daemon=True).start()


class ProcessExecutor(Executor):
    """Run jobs in a pool of worker processes (see the module docstring)."""

    name = "process"

    def __init__(self, config: ProcessPoolConfig | None = None):
        self.config = config or ProcessPoolConfig()
        super().__init__(self.config.workers)
        self._context = multiprocessing.get_context(self.config.start_method)
        self._lock = threading.Lock()
        self._numbers = iter(range(1, 1 << 62))
        self._idle = [self._new_worker() for _ in range(self.config.workers)]
        self._busy: set[_Worker] = set()
        self._closed = False

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
                raise TimeoutError(f"worker {worker.process.pid} did not start within {timeout:g} s")
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
        return _Worker(self._context, self.config, next(self._numbers))

    def _execute(self, handle: JobHandle, payload: bytes) -> Outcome:
        with self._lock:
            if self._closed:
                return Outcome("failed", message="The server is shutting down: the job was not started.")
            worker = self._idle.pop(0)  # capacity == workers, so one is free
            if not worker.process.is_alive():
                worker.retire()  # it died while idle (the out-of-memory killer): this job gets a fresh one
                worker = self._new_worker()
            self._busy.add(worker)
        outcome = Outcome("died")
        try:
            worker.signals.reset()
            handle.attach(worker.signals, {"pid": worker.process.pid, "worker": worker.number})
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
            ready = wait([worker.conn, worker.process.sentinel], timeout=POLL_SECONDS)
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
            elif worker.process.sentinel in ready:
                return self._died(worker, handle, killed)
            if time.monotonic() - watched < POLL_SECONDS:
                continue  # a chatty job: look at the owner and the stop deadline ten times a second
            watched = time.monotonic()
            handle.watch()
            if not killed and handle.hard_stop_due(self.config.hard_stop_seconds):
                LOGGER.warning("Job %r ignored stop; killing worker %s", handle.name, worker.process.pid)
                worker.process.kill()
                killed = True

    def _died(self, worker: _Worker, handle: JobHandle, killed: bool) -> Outcome:
        worker.process.join(EXIT_SECONDS)
        if killed or handle.stop_was_requested:
            return Outcome(
                "stopped",
                message=f"Stopped (it did not stop by itself within {self.config.hard_stop_seconds:g} s, "
                "so its worker was ended)",
            )
        if self._closed:
            return Outcome("failed", message="The server shut down while this job ran.")
        why = exit_description(worker.process.exitcode)
        LOGGER.error("Worker %s died under job %r: %s", worker.process.pid, handle.name, why)
        return Outcome("died", message=WORKER_DIED_MESSAGE.format(why=why), details=f"worker exit: {why}")

    def _put_back(self, worker: _Worker, outcome: Outcome) -> None:
        """Return the worker to the idle list, or replace it when it died or is due for recycling."""
        alive = worker.process.is_alive() and outcome.kind != "died"
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
                    worker.process.pid,
                    worker.jobs_done,
                    worker.rss_mb or 0,
                )
            worker.retire()
            self._idle.append(self._new_worker())
