"""The control a job gets where it runs (a thread, a worker process or a Ray worker).

``WorkerControl`` fits the ``TaskControl`` protocol. It keeps the job's detail dict
locally, applies ``update_detail``'s function to it there, and sends what changed,
as a patch, at most every ``FLUSH_SECONDS`` (a job that reports a thousand times a
second costs twenty messages). A background thread sends the last change even when
the job goes quiet after it ("Evaluating on the test images" shows while it
evaluates). Pause and stop come from ``Signals``.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, Protocol

from mnist_core.jobs.messages import Outcome, apply_patch, diff_detail
from mnist_core.jobs.tasks import TaskFailed, TaskStopped

FLUSH_SECONDS = 0.05  # progress messages per job: at most 20 a second
POLL_SECONDS = 0.05  # how often a paused job looks for resume or stop
LOGGER = logging.getLogger(__name__)


class Signals(Protocol):
    """Pause, stop and requests as the job sees them."""

    def stop_requested(self) -> bool: ...

    def wait_resumed(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds while paused; True once not paused."""
        ...

    def take_request(self, name: str) -> Any:
        """The latest value the page left under ``name``, once; else None."""
        ...

    def pause_here(self) -> None:
        """The job pauses itself: the next wait blocks until the page resumes it."""
        ...


class EventSignals:
    """Pause and stop through two events, and the page's requests in a dict (one job's)."""

    def __init__(self, stop_event=None, resume_event=None):
        self.stop_event = stop_event or threading.Event()
        self.resume_event = resume_event or threading.Event()
        self.resume_event.set()
        self._requests: dict = {}
        self._requests_lock = threading.Lock()

    # the job's side
    def stop_requested(self) -> bool:
        return self.stop_event.is_set()

    def wait_resumed(self, timeout: float) -> bool:
        return self.resume_event.wait(timeout)

    def take_request(self, name: str) -> Any:
        with self._requests_lock:
            return self._requests.pop(name, None)

    def pause_here(self) -> None:
        self.resume_event.clear()

    # the handle's side
    def pause(self) -> None:
        self.resume_event.clear()

    def resume(self) -> None:
        self.resume_event.set()

    def stop(self) -> None:
        self.stop_event.set()
        self.resume_event.set()

    def request(self, name: str, value: Any) -> None:
        with self._requests_lock:
            self._requests[name] = value


class WorkerControl:
    """``TaskControl`` inside a worker: progress goes out through ``send`` as plain-data messages."""

    def __init__(self, send: Callable[[tuple], None], signals: Signals, flush_seconds: float = FLUSH_SECONDS):
        self._send = send
        self._signals = signals
        self._flush_seconds = flush_seconds
        self._lock = threading.Condition()
        self.detail: dict = {}
        self._sent: dict = {}  # what the other side has, to diff against
        self._fraction: float | None = None
        self._message: str | None = None
        self._dirty = False
        self._last_flush = 0.0
        self._closed = False
        self._receiver_gone = False
        self._flusher = threading.Thread(target=self._flush_later, name="job-progress", daemon=True)
        self._flusher.start()

    @property
    def stop_requested(self) -> bool:
        return self._receiver_gone or self._signals.stop_requested()

    def checkpoint(self) -> None:
        self.wait_while_paused()
        if self.stop_requested:
            raise TaskStopped()

    def wait_while_paused(self) -> None:
        while not self._signals.wait_resumed(POLL_SECONDS):
            if self.stop_requested:
                break

    def take_request(self, name: str) -> Any:
        """The latest plain value the page left under ``name`` (``JobHandle.request``), once; else None."""
        return self._signals.take_request(name)

    def pause(self, message: str = "Paused") -> None:
        """Pause from inside the job (a step the user asked for is done); the page shows ``message``."""
        self._signals.pause_here()
        with self._lock:
            self._flush()  # progress first, so the page shows the step that was done
            with contextlib.suppress(BrokenPipeError, ConnectionError, EOFError, OSError):
                self._send(("pause", message))

    def report(self, fraction: float | None = None, message: str | None = None, **detail: Any) -> None:
        with self._lock:
            if fraction is not None:
                self._fraction = float(fraction)
            if message is not None:
                self._message = message
            self.detail.update(detail)
            self._changed()

    def update_detail(self, update: Callable[[dict], None]) -> None:
        with self._lock:
            update(self.detail)
            self._changed()

    def close(self) -> None:
        """Send what is left and end the background sender."""
        with self._lock:
            self._flush()
            self._closed = True
            self._lock.notify_all()
        self._flusher.join(1.0)

    def _changed(self) -> None:
        self._dirty = True
        if time.monotonic() - self._last_flush >= self._flush_seconds:
            self._flush()
        else:
            self._lock.notify_all()

    def _flush(self) -> None:
        """Send the pending change; call with the lock held."""
        if not self._dirty or self._receiver_gone:
            return
        edits = diff_detail(self._sent, self.detail)
        message = ("progress", self._fraction, self._message, edits)
        try:
            self._send(message)
        except (BrokenPipeError, ConnectionError, EOFError, OSError):
            self._receiver_gone = True  # the page's server is gone: nobody will read the result
            return
        apply_patch(self._sent, edits, copy_values=True)
        self._fraction = self._message = None
        self._dirty = False
        self._last_flush = time.monotonic()

    def _flush_later(self) -> None:
        with self._lock:
            while not self._closed:
                if not self._dirty:
                    self._lock.wait()
                    continue
                due = self._last_flush + self._flush_seconds - time.monotonic()
                if due > 0:
                    self._lock.wait(due)
                else:
                    self._flush()


def run_work(work: Callable | bytes, send: Callable[[tuple], None], signals: Signals) -> Outcome:
    """Run one job where it is: unpickle it, give it a ``WorkerControl``, turn its end into an ``Outcome``."""
    control = None
    try:
        if isinstance(work, bytes):
            work = pickle.loads(work)
        control = WorkerControl(send, signals)
        result = work(control)
    except TaskStopped:
        outcome = Outcome("stopped")
    except TaskFailed as failure:
        outcome = Outcome("failed", message=str(failure))
    except Exception as error:  # noqa: BLE001 - any crash must end as a readable failure
        details = traceback.format_exc()
        LOGGER.error("A job failed unexpectedly:\n%s", details)
        outcome = Outcome("failed", message=f"{type(error).__name__}: {error}", details=details)
    else:
        outcome = Outcome("finished", result=result)
    finally:
        if control is not None:
            control.close()
    return outcome
