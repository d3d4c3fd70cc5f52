"""The ``thread`` executor: jobs in threads of this process, for unit tests and the command line.

It runs the same pickled jobs as the other executors and copies every message and
result through pickle, so a job that works here sends only plain data and works in
a worker process too. Stop is cooperative: a thread cannot be ended from outside,
so a job stuck in a C loop runs on until it next checks (use ``process`` for that).
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref

from mnist_core.jobs.control import EventSignals, run_work
from mnist_core.jobs.handle import POLL_SECONDS, Executor, JobHandle, plain_copy
from mnist_core.jobs.messages import Outcome

DEFAULT_THREAD_CAPACITY = 64  # threads are cheap; the caller's SlotPool is what limits trainings
EXIT_WAIT_SECONDS = 20.0  # at exit, how long running jobs get to honour their stop

_running: weakref.WeakSet = weakref.WeakSet()  # handles of the jobs running in this process's threads


@atexit.register
def _stop_jobs_at_exit() -> None:
    """Stop the jobs still running when the interpreter exits, and wait for them.

    A daemon thread still inside TensorFlow while Python finalizes makes TensorFlow's C++ runtime
    abort the whole process (exit status 134): a test run that passed would end as a crash.
    """
    handles = list(_running)
    for handle in handles:
        handle.stop()
    deadline = time.monotonic() + EXIT_WAIT_SECONDS
    for handle in handles:
        handle.join(max(deadline - time.monotonic(), 0))


class ThreadExecutor(Executor):
    """Run jobs in daemon threads of this process."""

    name = "thread"

    def __init__(self, capacity: int = DEFAULT_THREAD_CAPACITY):
        super().__init__(capacity)

    def _execute(self, handle: JobHandle, payload: bytes) -> Outcome:
        signals = EventSignals()
        handle.attach(signals, {"pid": os.getpid(), "thread": True})
        ended: list[Outcome] = []

        def target():
            outcome = run_work(payload, lambda message: handle.on_message(plain_copy(message)), signals)
            try:
                outcome = plain_copy(outcome)
            except Exception as error:  # noqa: BLE001 - the same rule as a worker process
                outcome = Outcome("failed", message=unsendable_result_message(error))
            ended.append(outcome)

        thread = threading.Thread(target=target, name=f"job-{handle.id}-work", daemon=True)
        _running.add(handle)
        thread.start()
        while thread.is_alive():
            thread.join(POLL_SECONDS)
            handle.watch()
        return ended[0]


def unsendable_result_message(error: Exception) -> str:
    return (
        "The job finished but its result could not be sent back: a job must return plain data "
        f"(numbers, arrays, lists, .keras bytes), not live objects ({type(error).__name__}: {error})."
    )
