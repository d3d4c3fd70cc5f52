"""One job layer for every long computation: a picklable function, run by a configurable executor.

A job is ``work(control) -> result``: a top-level function (bind its spec with
``functools.partial``) that reports progress through a ``TaskControl``, honours
pause and stop, and returns plain data (a trained model as ``.keras`` bytes, curves
as lists or arrays). ``Executor.submit`` runs it and returns a ``JobHandle`` with
``BackgroundTask``'s read interface (``snapshot()``, ``pause()``, ``resume()``,
``stop()``, ``join()``, ``state``, ``id``).

Executors (``MNIST_EXECUTOR``): ``process`` (a pool of worker processes that own
TensorFlow; the default), ``thread`` (tests, command line), ``ray`` (a Ray cluster).
This package never imports TensorFlow, Keras, Ray or streamlit at import time.
"""

from mnist_core.jobs.config import EXECUTOR_VARIABLE, default_executor, make_executor
from mnist_core.jobs.handle import Executor, JobHandle
from mnist_core.jobs.messages import Outcome
from mnist_core.jobs.tasks import SlotPool, TaskControl, TaskFailed, TaskSnapshot, TaskState, TaskStopped
from mnist_core.jobs.thread_executor import ThreadExecutor

__all__ = [
    "EXECUTOR_VARIABLE",
    "Executor",
    "JobHandle",
    "Outcome",
    "SlotPool",
    "TaskControl",
    "TaskFailed",
    "TaskSnapshot",
    "TaskState",
    "TaskStopped",
    "ThreadExecutor",
    "default_executor",
    "make_executor",
]
