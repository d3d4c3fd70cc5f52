"""Small picklable jobs for the job-layer tests (top-level, so a worker process can import them)."""

from __future__ import annotations

import os
import threading
import time

from mnist_core.jobs.tasks import TaskFailed

_held: list = []  # memory a job keeps on purpose, to push its worker past the memory limit


def count_steps(steps: int, pause: float, control) -> str:
    """Count, reporting every step and appending it to a list in the detail."""
    for step in range(steps):
        control.checkpoint()
        control.update_detail(lambda detail, step=step: detail.setdefault("steps", []).append(step))
        control.report(fraction=(step + 1) / steps, message=f"step {step + 1} of {steps}", step=step)
        time.sleep(pause)
    return "done"


def fail_politely(message: str, control) -> None:
    control.report(fraction=0.5)
    raise TaskFailed(message)


def crash(control) -> None:
    raise ValueError("bad value 3")


def worker_pid(control) -> int:
    return os.getpid()


def wait_forever(control) -> None:
    """Report this process's id, then wait for stop, checking often."""
    control.report(pid=os.getpid())
    while True:
        control.checkpoint()
        time.sleep(0.02)


def stuck(control) -> None:
    """Report this process's id, then sit in one C call that never checks for stop."""
    control.report(pid=os.getpid())
    time.sleep(600)


def abort(control) -> None:
    control.report(pid=os.getpid())
    time.sleep(0.2)
    os.abort()


def hold_memory(megabytes: int, control) -> int:
    block = bytearray(megabytes * 2**20)
    block[::4096] = b"x" * len(block[::4096])  # touch every page so it is resident
    _held.append(block)
    return os.getpid()


def unsendable_result(control):
    return threading.Lock()


def follow_requests(control) -> list:
    """Act on the page's requests until one says "last"; return every value it saw."""
    seen = []
    while True:
        control.checkpoint()
        value = control.take_request("rate")
        if value is not None:
            seen.append(value)
            control.report(rate=value)
            if value == "last":
                return seen
        time.sleep(0.01)


def pause_itself_after(steps: int, control) -> str:
    """Count to ``steps``, pause itself (a step the user asked for is done), then finish when resumed."""
    for step in range(steps):
        control.checkpoint()
        control.report(step=step)
    control.pause(f"Paused after {steps} steps, as asked")
    control.wait_while_paused()
    control.report(resumed=True)
    return "went on"


def models_loaded_here(control) -> int:
    """How many models this worker has loaded (mnist_core.jobs.model_jobs keeps them for the next call)."""
    from mnist_core.jobs import model_jobs

    return model_jobs.load_count


def loads_in_this_worker(model) -> tuple[int, int]:
    """(this worker's pid, models it has loaded so far), for a ``ModelCall``: the model is loaded by then."""
    from mnist_core.jobs import model_jobs

    return os.getpid(), model_jobs.load_count


def native_thread_counts(control) -> list[int]:
    """How many threads each BLAS and OpenMP pool of the worker running this job may use."""
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info()]
