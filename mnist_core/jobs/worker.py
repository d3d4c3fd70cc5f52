"""A worker process: import TensorFlow once, then run jobs one after another.

``ProcessExecutor`` starts it as a fresh interpreter, ``python -m mnist_core.jobs.worker``,
with two sockets inherited as file descriptors: one for jobs and their messages, one
for pause and stop. A fresh interpreter, not ``multiprocessing``'s spawn, because
spawn re-runs the parent's ``__main__`` in the child, and under ``streamlit run`` that
is the page script being run. Never a fork either: a fork of a process with
TensorFlow's threads can deadlock.

On the job socket it receives ``("job", id, payload)`` or ``None`` (exit), and sends
``("ready", info)``, progress messages and ``("outcome", Outcome)``. On the control
socket it receives ``(command, job id, *argument)``: "pause", "resume", "stop", or
"request" with a name and a plain value.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from multiprocessing.connection import Connection

from mnist_core.jobs.config import limit_native_threads
from mnist_core.jobs.control import EventSignals, run_work
from mnist_core.jobs.messages import Outcome


def current_rss_mb() -> float | None:
    """This process's resident memory now, in MB (None where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class JobFlags:
    """Each job's pause, stop and requests, made by whichever thread hears of the job first."""

    def __init__(self):
        self._lock = threading.Lock()
        self._signals: dict[int, EventSignals] = {}
        self.parent_gone = False

    def signals(self, job_id: int) -> EventSignals:
        with self._lock:
            if job_id not in self._signals:
                self._signals[job_id] = EventSignals()
                if self.parent_gone:
                    self._signals[job_id].stop()
            return self._signals[job_id]

    def forget(self, job_id: int) -> None:
        with self._lock:
            self._signals.pop(job_id, None)

    def stop_all(self) -> None:
        with self._lock:
            self.parent_gone = True
            for signals in self._signals.values():
                signals.stop()


def listen_for_commands(control: Connection, flags: JobFlags) -> None:
    """Apply pause, resume, stop and requests as they come; stop everything when the parent goes away."""
    while True:
        try:
            command, job_id, *argument = control.recv()
        except (EOFError, OSError):
            flags.stop_all()
            return
        signals = flags.signals(job_id)
        if command == "stop":
            signals.stop()
        elif command == "pause":
            signals.pause()
        elif command == "resume":
            signals.resume()
        elif command == "request":
            signals.request(*argument)


def serve(conn: Connection, control: Connection, warm_imports: list[str], preload_mnist: bool) -> None:
    """Serve jobs from ``conn`` until told to exit or the parent goes away."""
    started = time.perf_counter()
    for module in warm_imports:  # the first job should not wait for TensorFlow to import
        importlib.import_module(module)
    limit_native_threads()
    imported = time.perf_counter()
    if preload_mnist:
        from mnist_core.data.mnist import load_mnist

        with contextlib.suppress(ValueError):  # a broken folder is reported by the job that reads it
            load_mnist()  # cached for this worker's jobs
    flags = JobFlags()
    threading.Thread(target=listen_for_commands, args=(control, flags), name="commands", daemon=True).start()
    send_lock = threading.Lock()

    def send(message) -> None:
        with send_lock:
            conn.send(message)

    info = {
        "pid": os.getpid(),
        "import_seconds": imported - started,
        "data_seconds": time.perf_counter() - imported,
    }
    try:
        send(("ready", info))
    except OSError:
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if request is None:
            return
        _, job_id, payload = request
        outcome = run_work(payload, send, flags.signals(job_id))
        flags.forget(job_id)
        outcome = replace(outcome, worker_rss_mb=current_rss_mb())
        try:
            send(("outcome", outcome))
        except (EOFError, OSError):
            return
        except Exception as error:  # noqa: BLE001 - an unpicklable result must not kill the worker
            from mnist_core.jobs.thread_executor import unsendable_result_message

            send(("outcome", Outcome("failed", message=unsendable_result_message(error))))


def main(argv: list[str]) -> None:
    """``python -m mnist_core.jobs.worker JOB_FD CONTROL_FD WARM_IMPORTS PRELOAD_MNIST NICE``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal is the server's to handle
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    job_fd, control_fd, warm_imports, preload_mnist, nice = argv
    # Before TensorFlow starts its threads, which inherit it: pages a class waits for come first.
    os.nice(int(nice))
    serve(
        Connection(int(job_fd)),
        Connection(int(control_fd)),
        [name for name in warm_imports.split(",") if name],
        preload_mnist == "1",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
