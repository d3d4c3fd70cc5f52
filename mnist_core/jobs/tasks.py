"""Long work off the script thread: background tasks with progress, pause, stop and queueing.

A ``BackgroundTask`` runs a function in a daemon thread. The function receives a
``TaskControl`` (a Protocol: this module's thread control, the job layer's worker
control in ``mnist_core.jobs`` and test stand-ins all fit it) through which it reports
progress and checks, as often as it can, whether it should pause or stop. The page only ever reads ``task.snapshot()``,
which is a consistent copy taken under a lock, so a Streamlit rerun (a slider
moved, a page switched) never touches the work itself.

A ``SlotPool`` caps how many tasks of one kind run at once on the server (two
CPU cores do not train two networks faster than one); the others wait in a
first-come, first-served queue and can read their position in it.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol, runtime_checkable

from mnist_core.i18n import N_

POLL_SECONDS = 0.1  # how often waiting loops look at stop requests and their owner
# Shown as a stopped task's message (translated where shown, like the task's other messages).
SLOT_LIMIT_MESSAGE = N_("Stopped: it reached this server's time limit for one run while others were waiting")
LOGGER = logging.getLogger(__name__)


class TaskState(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    FINISHED = "finished"
    FAILED = "failed"

    @property
    def is_over(self) -> bool:
        return self in (TaskState.STOPPED, TaskState.FINISHED, TaskState.FAILED)


class TaskStopped(Exception):
    """Raised inside a worker by ``TaskControl.checkpoint`` when a stop was requested."""


class TaskFailed(Exception):
    """Raised by a worker to end its task as failed with a message a student understands."""


@dataclass(frozen=True)
class TaskSnapshot:
    """A consistent copy of a task's public state, safe to read from any thread."""

    name: str
    state: TaskState
    fraction: float  # 0-1, how much of the work is done
    message: str  # one line for a student: what is happening now, or why it failed
    detail: dict  # worker-specific progress (curves, counters), deep-copied
    queue_position: int | None  # 1 = next to run; None when not queued
    elapsed_seconds: float  # running time, excluding time spent queued or paused
    eta_seconds: float | None
    result: Any = None
    error_details: str = ""  # the traceback of an unexpected failure, for the curious

    @property
    def is_over(self) -> bool:
        return self.state.is_over


class SlotPool:
    """A server-wide limit on how many tasks run at once, with a FIFO queue.

    ``hold_limit_seconds``: how long one task may hold a slot while others wait; past it the
    task is stopped (``BackgroundTask`` checks it), so one long run cannot block everyone else.
    None: no limit.
    """

    def __init__(self, capacity: int = 1, hold_limit_seconds: float | None = None):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        if hold_limit_seconds is not None and hold_limit_seconds <= 0:
            raise ValueError(f"hold_limit_seconds must be positive or None, got {hold_limit_seconds}")
        self.capacity = capacity
        self.hold_limit_seconds = hold_limit_seconds
        self._lock = threading.Condition()
        self._running: set[int] = set()
        self._queue: list[int] = []

    def acquire(self, task_id: int, should_give_up: Callable[[], bool]) -> bool:
        """Wait for a free slot in arrival order; False if ``should_give_up`` turned true."""
        with self._lock:
            self._queue.append(task_id)
            try:
                while not (self._queue[0] == task_id and len(self._running) < self.capacity):
                    if should_give_up():
                        return False
                    self._lock.wait(POLL_SECONDS)
                self._running.add(task_id)
                return True
            finally:
                self._queue.remove(task_id)
                self._lock.notify_all()

    def release(self, task_id: int) -> None:
        with self._lock:
            self._running.discard(task_id)
            self._lock.notify_all()

    def position(self, task_id: int) -> int | None:
        """1-based place in the queue, or None when the task is not waiting."""
        with self._lock:
            return self._queue.index(task_id) + 1 if task_id in self._queue else None

    @property
    def running_count(self) -> int:
        with self._lock:
            return len(self._running)

    @property
    def waiting_count(self) -> int:
        """How many tasks wait in the queue for a slot."""
        with self._lock:
            return len(self._queue)


@runtime_checkable
class TaskControl(Protocol):
    """What a worker function uses to report progress and to honour pause and stop.

    Everything a worker passes in is plain data, except ``update_detail``'s function,
    which runs where the work runs (the job layer sends the change it made, not the function).
    """

    @property
    def stop_requested(self) -> bool:
        """True once the work should end: stop was pressed, or its owner is gone."""
        ...

    def checkpoint(self) -> None:
        """Block while paused; raise ``TaskStopped`` if a stop was requested."""
        ...

    def wait_while_paused(self) -> None:
        """Block while paused, without raising (for workers that stop on their own terms)."""
        ...

    def report(self, fraction: float | None = None, message: str | None = None, **detail: Any) -> None:
        """Publish progress: the share done (0-1), a one-line message, and worker-specific fields."""
        ...

    def update_detail(self, update: Callable[[dict], None]) -> None:
        """Change the detail dict in place (cheap appends to long lists)."""
        ...


class ThreadTaskControl:
    """``TaskControl`` for a ``BackgroundTask``: reads and writes the task's state under its lock."""

    def __init__(self, task: BackgroundTask):
        self._task = task

    @property
    def stop_requested(self) -> bool:
        return self._task._stop_event.is_set() or self._task._owner_gone() or self._task._slot_time_up()

    def checkpoint(self) -> None:
        """Block while paused; raise ``TaskStopped`` if a stop was requested."""
        self._task._wait_while_paused()
        if self.stop_requested:
            raise TaskStopped()

    def wait_while_paused(self) -> None:
        """Block while paused, without raising (for workers that stop on their own terms)."""
        self._task._wait_while_paused()

    def take_request(self, name: str) -> Any:
        """The latest plain value left under ``name`` by ``BackgroundTask.request``, once; else None."""
        return self._task._take_request(name)

    def pause(self, message: str = "Paused") -> None:
        """Pause the task from inside the worker: a step the user asked for is done."""
        self._task.pause(message)

    def release_slot(self) -> None:
        """Give the task's slot back early: the rest of the work is light (a replay of a recorded run)."""
        self._task._release_slot()

    def report(self, fraction: float | None = None, message: str | None = None, **detail: Any) -> None:
        """Publish progress: the share done, a one-line message, and worker-specific fields."""
        self._task._report(fraction, message, detail)

    def update_detail(self, update: Callable[[dict], None]) -> None:
        """Change the detail dict in place under the task's lock (cheap appends to long lists)."""
        with self._task._lock:
            update(self._task._detail)


class TaskProgress:
    """What a task and a job share: its state, progress and clock, read as one ``snapshot()``.

    ``BackgroundTask`` (a thread of this process) and ``JobHandle`` (a worker's job) both keep these
    fields under ``self._lock`` and differ only in where a queued one waits (``_queue_position``).
    """

    def _init_progress(self) -> None:
        self._lock = threading.Lock()
        self._state = TaskState.QUEUED
        self._fraction = 0.0
        self._message = "Waiting to start"
        self._detail: dict = {}
        self._requests: dict = {}  # plain values the work picks up (a new learning rate, a step)
        self._result: Any = None
        self._error_details = ""
        self._active_seconds = 0.0
        self._active_since: float | None = None

    def _queue_position(self) -> int | None:
        return None

    def snapshot(self) -> TaskSnapshot:
        with self._lock:
            elapsed = self._elapsed_locked()
            eta = None
            if self._state == TaskState.RUNNING and 0.02 < self._fraction < 1:
                eta = elapsed * (1 - self._fraction) / self._fraction
            return TaskSnapshot(
                name=self.name,
                state=self._state,
                fraction=self._fraction,
                message=self._message,
                detail=copy.deepcopy(self._detail),
                queue_position=self._queue_position() if self._state == TaskState.QUEUED else None,
                elapsed_seconds=elapsed,
                eta_seconds=eta,
                result=self._result,
                error_details=self._error_details,
            )

    @property
    def state(self) -> TaskState:
        with self._lock:
            return self._state

    def _set_progress(self, fraction: float | None, message: str | None) -> None:
        """A running task's new fraction (clipped to 0-1) and message; call with the lock held."""
        if fraction is not None:
            self._fraction = min(max(float(fraction), 0.0), 1.0)
        if message is not None and self._state == TaskState.RUNNING:
            self._message = message

    def _set_state(self, state: TaskState) -> None:
        """Change state and keep the active-time clock right; call with the lock held."""
        now = time.monotonic()
        if self._active_since is not None:
            self._active_seconds += now - self._active_since
            self._active_since = None
        if state == TaskState.RUNNING:
            self._active_since = now
        self._state = state

    def _elapsed_locked(self) -> float:
        running_for = time.monotonic() - self._active_since if self._active_since else 0.0
        return self._active_seconds + running_for


class OwnerWatch:
    """Whether the session that asked for some work is still there, asked of its ``owner_alive`` probe.

    Shared by background tasks and job handles: a run whose tab has been gone for the grace period
    stops (a queued one at once, with a grace of 0), and one that comes back within it carries on.
    """

    def __init__(self, owner_alive: Callable[[], bool] | None):
        self._owner_alive = owner_alive
        self._missing_since: float | None = None

    def missing_for(self, grace: float) -> bool:
        """True once the owner has been missing for ``grace`` seconds (at once for 0)."""
        if self._owner_alive is None:
            return False
        try:
            alive = self._owner_alive()
        except Exception:  # noqa: BLE001 - a broken probe must not kill the work
            alive = True
        if alive:
            self._missing_since = None
            return False
        now = time.monotonic()
        if self._missing_since is None:
            self._missing_since = now
        return now - self._missing_since >= grace


class BackgroundTask(TaskProgress):
    """Run ``work(control)`` in a daemon thread; its return value becomes the result.

    Parameters
    ----------
    work : callable
        ``work(control: TaskControl) -> result``. Raise ``TaskFailed`` with a clear
        message for expected failures; any other exception ends the task as failed
        with its type and text.
    name : str
        Shown to the user ("Training first network").
    slots : SlotPool, optional
        Wait for a slot in this pool before starting.
    owner_alive : callable, optional
        Returns False while the session that started the task is gone; after
        ``owner_grace_seconds`` of that, the task stops itself and frees its slot.
    """

    _ids = iter(range(1, 1 << 62))

    def __init__(
        self,
        work: Callable[[TaskControl], Any],
        name: str = "task",
        slots: SlotPool | None = None,
        owner_alive: Callable[[], bool] | None = None,
        owner_grace_seconds: float = 90.0,  # longer than a lecture-hall Wi-Fi drop
    ):
        self.id = next(self._ids)
        self.name = name
        self._work = work
        self._slots = slots
        self._owner_alive = owner_alive
        self._owner = OwnerWatch(owner_alive)
        self._owner_grace_seconds = owner_grace_seconds
        self._init_progress()
        self._stop_event = threading.Event()
        self._resume_event = threading.Event()
        self._resume_event.set()
        self._slot_since: float | None = None  # when this task got its slot; None while it holds none
        self._stop_reason: str | None = None  # why the task stopped itself, when it did
        self._thread = threading.Thread(target=self._run, name=f"task-{self.id}", daemon=True)

    # --- control, from any thread ---

    def start(self) -> BackgroundTask:
        self._thread.start()
        return self

    def pause(self, message: str = "Paused") -> None:
        with self._lock:
            if self._state == TaskState.RUNNING:
                self._resume_event.clear()
                self._set_state(TaskState.PAUSED)
                self._message = message

    def request(self, name: str, value: Any) -> None:
        """Leave a plain value for the worker to act on when it next looks (``TaskControl.take_request``).

        Only plain data crosses, so the same request can later travel to a worker process.
        """
        with self._lock:
            self._requests[name] = value

    def resume(self) -> None:
        with self._lock:
            if self._state == TaskState.PAUSED:
                self._set_state(TaskState.RUNNING)
                self._message = "Running"
                self._resume_event.set()

    def stop(self) -> None:
        self._stop_event.set()
        self._resume_event.set()

    def join(self, timeout: float | None = None) -> TaskSnapshot:
        """Wait for the task to end (for scripts and tests); return its final snapshot."""
        self._thread.join(timeout)
        return self.snapshot()

    def _queue_position(self) -> int | None:
        return self._slots.position(self.id) if self._slots else None

    # --- the worker thread ---

    def _run(self) -> None:
        # A queued run whose tab is gone gives up at once, without the running grace period:
        # it has shown nothing yet, and it would hold up everyone queued behind it.
        if self._slots and not self._slots.acquire(
            self.id, lambda: self._stop_event.is_set() or self._owner_missing_now()
        ):
            self._finish(TaskState.STOPPED, "Stopped before it started")
            return
        if self._slots:
            with self._lock:
                self._slot_since = time.monotonic()
        try:
            with self._lock:
                self._set_state(TaskState.RUNNING)
                self._message = "Running"
            try:
                result = self._work(ThreadTaskControl(self))
            except TaskStopped:
                self._finish(TaskState.STOPPED, self._stopped_message())
            except TaskFailed as failure:
                self._finish(TaskState.FAILED, str(failure))
            except Exception as error:  # noqa: BLE001 - any crash must end as a readable failure
                self._error_details = traceback.format_exc()
                LOGGER.error("Task %r failed unexpectedly:\n%s", self.name, self._error_details)
                self._finish(TaskState.FAILED, f"{type(error).__name__}: {error}")
            else:
                with self._lock:
                    self._result = result
                if self._stop_event.is_set() or self._owner_gone():
                    self._finish(TaskState.STOPPED, self._stopped_message())
                else:
                    self._finish(TaskState.FINISHED, "Finished", fraction=1.0)
        finally:
            self._release_slot()

    def _release_slot(self) -> None:
        with self._lock:
            held, self._slot_since = self._slot_since is not None, None
        if held:
            self._slots.release(self.id)

    def _slot_time_up(self) -> bool:
        """True once this task has held its slot past the pool's limit while others wait (then it stops)."""
        if self._stop_reason is not None:
            return True
        limit = self._slots.hold_limit_seconds if self._slots else None
        since = self._slot_since
        if limit is None or since is None or time.monotonic() - since <= limit:
            return False
        if self._slots.waiting_count == 0:
            return False  # nobody is kept waiting: let it finish
        with self._lock:
            self._stop_reason = SLOT_LIMIT_MESSAGE
            self._detail["slot_limit_stop"] = {"limit_seconds": limit}
        self._stop_event.set()
        self._resume_event.set()
        return True

    def _stopped_message(self) -> str:
        if self._stop_reason is not None:
            return self._stop_reason
        if self._owner_gone():
            return "Stopped: the browser tab that started it was closed"
        return "Stopped"

    def _finish(self, state: TaskState, message: str, fraction: float | None = None) -> None:
        with self._lock:
            self._set_state(state)
            self._message = message
            if fraction is not None:
                self._fraction = fraction

    def _report(self, fraction: float | None, message: str | None, detail: dict) -> None:
        with self._lock:
            self._set_progress(fraction, message)
            self._detail.update(detail)

    def _take_request(self, name: str) -> Any:
        with self._lock:
            return self._requests.pop(name, None)

    def _wait_while_paused(self) -> None:
        while not self._resume_event.wait(POLL_SECONDS):
            if self._owner_gone() or self._slot_time_up():  # a paused run holds its slot too
                self._stop_event.set()
                break

    def _owner_missing_now(self) -> bool:
        """True while the owner's probe says it is gone, with no grace period."""
        if self._owner_alive is None:
            return False
        try:
            return not self._owner_alive()
        except Exception:  # noqa: BLE001 - a broken probe must not kill the work
            return False

    def _owner_gone(self) -> bool:
        """True once the owner has been missing for longer than the grace period."""
        return self._owner.missing_for(self._owner_grace_seconds)
