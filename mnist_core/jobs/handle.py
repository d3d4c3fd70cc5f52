"""A job as the page sees it: the same read interface as ``BackgroundTask``, whatever runs it.

A ``JobHandle`` lives in the page's process. Its own small thread waits for a slot
(the caller's ``SlotPool``, then the executor's capacity), hands the pickled job to
the executor, applies the progress messages that come back, watches the owner, and
turns the job's ``Outcome`` into the final state. The page only reads ``snapshot()``.
"""

from __future__ import annotations

import itertools
import logging
import pickle
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from mnist_core.jobs.messages import Outcome, apply_patch, dump_work
from mnist_core.jobs.tasks import OwnerWatch, SlotPool, TaskProgress, TaskSnapshot, TaskState

POLL_SECONDS = 0.1  # how often a running job's owner and hard-stop deadline are looked at
LOGGER = logging.getLogger(__name__)
_ids = itertools.count(1)


class JobHandle(TaskProgress):
    """A job started by an ``Executor``: ``snapshot()``, ``pause()``, ``resume()``, ``stop()``, ``join()``.

    Parameters
    ----------
    name : str
        Shown to the user ("Training first network").
    executor : Executor
    payload : bytes
        The pickled job: ``work(control) -> result``.
    slots : SlotPool, optional
        Wait for a slot in this pool first (e.g. one training at a time on the server).
    owner_alive : callable, optional
        Returns False once the session that started the job is gone. A queued job
        then gives up at once; a running one stops after ``owner_grace_seconds``.
    """

    def __init__(
        self,
        name: str,
        executor: Executor,
        payload: bytes,
        slots: SlotPool | None = None,
        owner_alive: Callable[[], bool] | None = None,
        owner_grace_seconds: float = 90.0,  # longer than a lecture-hall Wi-Fi drop
    ):
        self.id = next(_ids)
        self.name = name
        self.executor = executor
        self._payload = payload
        self._slots = slots
        self._owner_alive = owner_alive
        self._owner = OwnerWatch(owner_alive)
        self._owner_grace_seconds = owner_grace_seconds
        self._owner_left = False
        self._init_progress()
        self._signals = None  # the executor's pause/stop for this job, once it runs
        self._stop_asked_at: float | None = None
        self.worker: dict = {}  # where it ran: pid, and for a process worker its start time
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{self.id}", daemon=True)

    # --- control, from any thread ---

    def start(self) -> JobHandle:
        self._thread.start()
        return self

    def pause(self, message: str = "Paused") -> None:
        with self._lock:
            if self._state == TaskState.RUNNING:
                self._set_state(TaskState.PAUSED)
                self._message = message
                if self._signals is not None:
                    self._signals.pause()

    def request(self, name: str, value: Any) -> None:
        """Leave a plain value for the job to act on when it next looks (``control.take_request(name)``)."""
        with self._lock:
            if self._signals is None:
                self._requests[name] = value  # delivered when the job starts
            else:
                self._signals.request(name, value)

    def resume(self) -> None:
        with self._lock:
            if self._state == TaskState.PAUSED:
                self._set_state(TaskState.RUNNING)
                self._message = "Running"
                if self._signals is not None:
                    self._signals.resume()

    def stop(self) -> None:
        with self._lock:
            if self._stop_asked_at is None:
                self._stop_asked_at = time.monotonic()
            if self._signals is not None:
                self._signals.stop()

    def join(self, timeout: float | None = None) -> TaskSnapshot:
        """Wait for the job to end (for scripts and tests); return its final snapshot."""
        self._done.wait(timeout)
        return self.snapshot()

    @property
    def stop_was_requested(self) -> bool:
        return self._stop_asked_at is not None

    # --- for executors, from the job's thread ---

    def give_up_waiting(self) -> bool:
        """True when a queued job should leave the queue: stopped, or its owner is gone (no grace)."""
        return self.stop_was_requested or self._owner_missing(grace=0.0)

    def attach(self, signals, worker: dict | None = None) -> None:
        """The job got a place to run: pass on a stop or pause asked while it waited, and start its clock."""
        with self._lock:
            self._signals = signals
            self.worker = dict(worker or {})
            if self._stop_asked_at is not None:
                signals.stop()
            for name, value in self._requests.items():
                signals.request(name, value)
            self._requests.clear()
            self._set_state(TaskState.RUNNING)
            self._message = "Running"

    def on_message(self, message: tuple) -> None:
        """Apply a ("progress", fraction, message, patch) or ("pause", message) message from the job."""
        if message[0] == "pause":
            self.pause(message[1])
            return
        if message[0] != "progress":
            return
        _, fraction, text, edits = message
        with self._lock:
            self._set_progress(fraction, text)
            apply_patch(self._detail, edits)

    def watch(self) -> None:
        """Called often while the job runs: a gone owner past its grace period stops it."""
        if not self.stop_was_requested and self._owner_missing(self._owner_grace_seconds):
            self._owner_left = True
            self.stop()

    def hard_stop_due(self, seconds: float) -> bool:
        """True once a stop was asked ``seconds`` ago and the job has not ended."""
        asked = self._stop_asked_at
        return asked is not None and time.monotonic() - asked > seconds

    # --- the job's thread ---

    def _run(self) -> None:
        try:
            if self._slots and not self._slots.acquire(self.id, self.give_up_waiting):
                outcome = Outcome("stopped", message=self._not_started_message())
            else:
                try:
                    outcome = self.executor.run(self, self._payload)
                finally:
                    if self._slots:
                        self._slots.release(self.id)
        except Exception as error:  # noqa: BLE001 - an executor fault must still end the job readably
            LOGGER.exception("The executor failed on job %r", self.name)
            outcome = Outcome("failed", message=f"The job could not be run: {type(error).__name__}: {error}")
        self._finish(outcome)

    def _finish(self, outcome: Outcome) -> None:
        with self._lock:
            if outcome.kind == "finished":
                self._result = outcome.result
                if self.stop_was_requested:
                    state, message = TaskState.STOPPED, self._stopped_message()
                else:
                    state, message = TaskState.FINISHED, "Finished"
                    self._fraction = 1.0
            elif outcome.kind == "stopped":
                state, message = TaskState.STOPPED, outcome.message or self._stopped_message()
            else:
                state, message = TaskState.FAILED, outcome.message
                self._error_details = outcome.details
            self._set_state(state)
            self._message = message
        self._done.set()

    def _not_started_message(self) -> str:
        if self._owner_missing(grace=0.0):
            return "Stopped before it started: the browser tab that started it was closed"
        return "Stopped before it started"

    def _stopped_message(self) -> str:
        if self._owner_left:
            return "Stopped: the browser tab that started it was closed"
        return "Stopped"

    def _queue_position(self) -> int | None:
        for pool in (self._slots, self.executor.capacity):
            position = pool.position(self.id) if pool is not None else None
            if position is not None:
                return position
        return None

    def _owner_missing(self, grace: float) -> bool:
        """True once the owner has been missing for longer than ``grace`` seconds."""
        return self._owner.missing_for(grace)


class Executor(ABC):
    """Runs pickled jobs somewhere; ``submit`` returns a started ``JobHandle``.

    Parameters
    ----------
    capacity : int
        How many jobs run at once; later ones wait in a first-come queue and see
        their position.
    """

    name = "executor"

    def __init__(self, capacity: int):
        self.capacity = SlotPool(capacity)

    def submit(
        self,
        work: Callable,
        name: str = "job",
        slots: SlotPool | None = None,
        owner_alive: Callable[[], bool] | None = None,
        owner_grace_seconds: float = 90.0,
    ) -> JobHandle:
        """Start ``work(control) -> result`` (a picklable function) and return its handle.

        Raises
        ------
        TypeError
            When ``work`` cannot be pickled (a lambda, a nested function, an open file...).
        """
        payload = dump_work(work)
        return JobHandle(name, self, payload, slots, owner_alive, owner_grace_seconds).start()

    def run(self, handle: JobHandle, payload: bytes) -> Outcome:
        """Wait for capacity, then run the job to its end (in the handle's thread)."""
        if not self.capacity.acquire(handle.id, handle.give_up_waiting):
            return Outcome("stopped", message=handle._not_started_message())
        try:
            return self._execute(handle, payload)
        finally:
            self.capacity.release(handle.id)

    @abstractmethod
    def _execute(self, handle: JobHandle, payload: bytes) -> Outcome:
        """Run the job; call ``handle.attach`` when it starts and ``handle.on_message`` for progress."""

    def shutdown(self) -> None:  # noqa: B027 - most executors have nothing to release
        """Release workers (the default: nothing to release)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()


def plain_copy(message: Any) -> Any:
    """A copy of ``message`` made the way a worker would send it, so a thread job meets the same rules."""
    return pickle.loads(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
