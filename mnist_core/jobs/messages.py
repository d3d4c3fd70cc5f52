"""What crosses the boundary between a job and the page: plain data only.

A job's progress travels as ``("progress", fraction, message, patch)`` tuples, where
``patch`` is a list of small edits to the job's ``detail`` dict. The worker computes
the patch by comparing its detail with what it last sent, so a curve that grows by
one point sends one point, not the whole curve, and ``update_detail``'s function
never has to leave the worker. Its end travels as an ``Outcome``.
"""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass
from typing import Any

import numpy as np

Path = tuple  # keys from the top of the detail dict down to the edited value


@dataclass(frozen=True)
class Outcome:
    """How a job ended, as the executor saw it.

    ``kind`` is "finished" (``result`` holds what the job returned), "stopped" (the
    job raised ``TaskStopped``, or was ended by a hard stop), "failed" (``message``
    for the student, ``details`` the traceback) or "died" (the worker process
    ended under it).
    """

    kind: str
    result: Any = None
    message: str = ""
    details: str = ""
    worker_rss_mb: float | None = None  # the worker's memory after the job (process executor)


def same(a: Any, b: Any) -> bool:
    """Equality that also works for NumPy arrays and lists of them."""
    if a is b:
        return True
    try:
        return bool(a == b)
    except (ValueError, TypeError):  # an array's == is elementwise
        pass
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    return False


def diff_detail(old: dict, new: dict, path: Path = ()) -> list[tuple]:
    """The edits that turn ``old`` into ``new``: ("set", path, value), ("extend", path, items), ("del", path).

    Lists that only grew become "extend" edits with just the new items.
    """
    edits: list[tuple] = []
    for key, value in new.items():
        where = (*path, key)
        if key not in old:
            edits.append(("set", where, value))
            continue
        before = old[key]
        if isinstance(value, dict) and isinstance(before, dict):
            edits.extend(diff_detail(before, value, where))
        elif (
            isinstance(value, list)
            and isinstance(before, list)
            and len(value) >= len(before)
            and same(value[: len(before)], before)
        ):
            if len(value) > len(before):
                edits.append(("extend", where, value[len(before) :]))
        elif not same(before, value):
            edits.append(("set", where, value))
    edits.extend(("del", (*path, key)) for key in old.keys() - new.keys())
    return edits


def apply_patch(detail: dict, edits: list[tuple], copy_values: bool = False) -> None:
    """Apply ``diff_detail``'s edits to ``detail`` in place (deep-copying values when asked)."""
    for edit in edits:
        operation, where = edit[0], edit[1]
        parent = detail
        for key in where[:-1]:
            parent = parent.setdefault(key, {})
        key = where[-1]
        if operation == "del":
            parent.pop(key, None)
            continue
        value = copy.deepcopy(edit[2]) if copy_values else edit[2]
        if operation == "set":
            parent[key] = value
        else:
            parent.setdefault(key, []).extend(value)


def dump_work(work: Any) -> bytes:
    """Pickle a job's function (with its bound arguments), or say why it cannot be sent to a worker."""
    try:
        return pickle.dumps(work, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # noqa: BLE001 - pickling raises PicklingError, AttributeError, TypeError...
        raise TypeError(
            f"a job must be a picklable function so it can run in a worker process: {work!r} is not "
            f"({type(error).__name__}: {error}). Use a top-level function, with functools.partial to bind "
            "its spec, not a lambda or a nested function."
        ) from error
