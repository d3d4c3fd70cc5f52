"""Which executor runs the jobs, chosen by environment variables.

- ``MNIST_EXECUTOR``: ``process`` (default), ``thread`` or ``ray``.
- ``MNIST_WORKERS``: worker processes of the ``process`` executor (default 2).
- ``MNIST_WORKER_MAX_JOBS``: jobs a worker runs before it is replaced (default 1000: a drawing's
  prediction is a job, and a student draws many; memory is the usual reason to replace a worker).
- ``MNIST_WORKER_MAX_RSS_MB``: memory past which a worker is replaced after its job (default 1500).
- ``MNIST_HARD_STOP_SECONDS``: how long a stopped job may take before its worker is killed (default 0.5).
- ``MNIST_WORKER_NICE``: niceness added to the workers, so the server's page runs come first (default 10).
- ``MNIST_BLAS_THREADS``: threads of the NumPy/SciPy BLAS and OpenMP pools in the server and in each
  worker (default 1; see ``limit_native_threads``).
- ``RAY_ADDRESS``: the Ray cluster for ``ray`` (unset: a local one is started); ``MNIST_RAY_MAX_JOBS``:
  jobs it runs at once (default 2).
"""

from __future__ import annotations

import os
import threading

from mnist_core.jobs.handle import Executor

EXECUTOR_VARIABLE = "MNIST_EXECUTOR"
EXECUTORS = ("process", "thread", "ray")
DEFAULT_EXECUTOR = "process"

_default: Executor | None = None
_default_lock = threading.Lock()
_native_threads_limited = False
_native_threads_lock = threading.Lock()


def workers_share_disk(name: str | None = None) -> bool:
    """True when executor ``name`` runs every job on this machine, so a job may read a file the server
    wrote and write one it reads. Ray's may run on other machines (even a local Ray is treated so, to
    behave as a cluster would): models travel as bytes there, and files are written by the server."""
    name = (name or os.environ.get(EXECUTOR_VARIABLE) or DEFAULT_EXECUTOR).strip().lower()
    return name != "ray"


def _number(variable: str, default: float, kind=int):
    text = os.environ.get(variable)
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{variable} must be a number, got {text!r}") from None


def make_executor(name: str | None = None) -> Executor:
    """A new executor: ``name``, or ``$MNIST_EXECUTOR``, or ``process``.

    Raises
    ------
    ValueError
        For an unknown name or a setting that is not a number, saying which.
    """
    name = (name or os.environ.get(EXECUTOR_VARIABLE) or DEFAULT_EXECUTOR).strip().lower()
    if name == "thread":
        from mnist_core.jobs.thread_executor import ThreadExecutor

        return ThreadExecutor()
    if name == "process":
        from mnist_core.jobs.process_executor import ProcessExecutor, ProcessPoolConfig

        return ProcessExecutor(
            ProcessPoolConfig(
                workers=_number("MNIST_WORKERS", 2),
                max_jobs_per_worker=_number("MNIST_WORKER_MAX_JOBS", 1000),
                max_worker_rss_mb=_number("MNIST_WORKER_MAX_RSS_MB", 1500.0, float),
                hard_stop_seconds=_number("MNIST_HARD_STOP_SECONDS", 0.5, float),
                nice=_number("MNIST_WORKER_NICE", 10),
            )
        )
    if name == "ray":
        from mnist_core.jobs.ray_executor import RayExecutor

        return RayExecutor(
            address=os.environ.get("RAY_ADDRESS") or None, capacity=_number("MNIST_RAY_MAX_JOBS", 2)
        )
    raise ValueError(f"{EXECUTOR_VARIABLE} must be one of {', '.join(EXECUTORS)}, got {name!r}")


def default_executor() -> Executor:
    """The executor of this process, made on first use from the environment and then shared."""
    global _default
    with _default_lock:
        if _default is None:
            _default = make_executor()
        return _default


def limit_native_threads() -> None:
    """Give this process's BLAS and OpenMP thread pools ``MNIST_BLAS_THREADS`` threads (default 1), once.

    On a 2-core server shared by the page runs and two workers, BLAS and OpenMP threads that spin-wait
    for a busy core ran PCA, nearest neighbours and t-SNE several times slower than one thread
    (measured: t-SNE 7-8x). The limit is set once for the whole process when it starts, not around each
    call: a ``threadpool_limits`` block entered and left by two threads at once restores the other's
    setting. The libraries are loaded first, since a limit only reaches those already loaded. Keras has
    its own thread pools and is not affected.
    """
    global _native_threads_limited
    with _native_threads_lock:
        if _native_threads_limited:
            return
        import scipy.linalg  # noqa: F401 - loads SciPy's own BLAS
        import sklearn.manifold  # noqa: F401 - loads scikit-learn's OpenMP runtime (t-SNE uses it)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=max(_number("MNIST_BLAS_THREADS", 1), 1))
        _native_threads_limited = True
