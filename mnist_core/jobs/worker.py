"""The main loop of a worker process: import TensorFlow once, then run jobs one after another.

Started by ``ProcessExecutor`` with ``spawn`` (a fresh interpreter: nothing of the
page's process, and never a fork of a process that has TensorFlow's threads). It
talks to its parent over one pipe: it receives ``("job", id, payload)`` or ``None``
(exit), and sends ``("ready", info)``, progress messages and ``("outcome", Outcome)``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import threading
import time
from dataclasses import replace

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


def worker_main(conn, stop_event, resume_event, warm_imports: tuple[str, ...], preload_mnist: bool) -> None:
    """Serve jobs from ``conn`` until told to exit or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal is the server's to handle
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    started = time.perf_counter()
    for module in warm_imports:  # the first job should not wait for TensorFlow to import
        importlib.import_module(module)
    imported = time.perf_counter()
    if preload_mnist:
        from mnist_core.data import load_mnist

        with contextlib.suppress(ValueError):  # a broken folder is reported by the job that reads it
            load_mnist()  # cached for this worker's jobs
    send_lock = threading.Lock()

    def send(message) -> None:
        with send_lock:
            conn.send(message)

    try:
        info = {
            "pid": os.getpid(),
            # 0 when the parent's main module already imported them: spawn re-runs it in the child
            "import_seconds": imported - started,
            "data_seconds": time.perf_counter() - imported,
        }
        send(("ready", info))
    except OSError:
        return
    signals = EventSignals(stop_event, resume_event)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if request is None:
            return
        _, _job_id, payload = request
        outcome = replace(run_work(payload, send, signals), worker_rss_mb=current_rss_mb())
        try:
            send(("outcome", outcome))
        except (EOFError, OSError):
            return
        except Exception as error:  # noqa: BLE001 - an unpicklable result must not kill the worker
            from mnist_core.jobs.thread_executor import unsendable_result_message

            send(("outcome", Outcome("failed", message=unsendable_result_message(error))))
