"""One server-wide store of finished results, keyed by what produced them, within a byte budget.

A result (a t-SNE map, a landscape, a grid search, a recorded training run) depends only on the job's
kind, its spec and config, the seed and the data it read. ``fingerprint`` turns those into one key,
the same for equal settings in any session, so a second student asking for the same thing gets the
first one's result. ``ResultStore`` keeps results up to a byte budget, least recently used out, is
safe to use from many threads, and computes a missing result once however many ask for it at once.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import pickle
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_BUDGET_BYTES = 256 * 2**20  # a quarter of Community Cloud's smallest memory for results


def _canonical(value: Any) -> Any:
    """A plain, ordered form of ``value`` whose repr is the same for equal settings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: _canonical(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return (type(value).__qualname__, tuple(sorted(fields.items())))
    if isinstance(value, np.ndarray):
        return (
            "ndarray",
            value.dtype.str,
            value.shape,
            hashlib.sha256(np.ascontiguousarray(value)).hexdigest(),
        )
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, enum.Enum):
        return (type(value).__qualname__, value.value)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _canonical(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_canonical(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_canonical(v)) for v in value)))
    if isinstance(value, bytes):
        return ("bytes", hashlib.sha256(value).hexdigest())
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(
        f"cannot fingerprint a {type(value).__name__}: pass settings as dataclasses, numbers, "
        "strings, arrays, lists or dicts"
    )


def fingerprint(kind: str, *settings: Any) -> str:
    """A key for the result of job ``kind`` with ``settings`` (spec, config, seed, data source...).

    Equal settings give equal keys in any process; any difference in a setting gives another key.
    """
    text = repr((kind, tuple(_canonical(setting) for setting in settings)))
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def size_in_bytes(value: Any) -> int:
    """What keeping ``value`` costs, in bytes: NumPy buffers, bytes and strings by their length, containers and
    dataclasses by their parts (each array once, however often it is referred to), anything else pickled."""
    return _size(value, set())


_SMALL = 64  # a number, None or an empty container: what one reference to it roughly costs


def _size(value: Any, seen: set[int]) -> int:
    if value is None or isinstance(value, (bool, int, float, complex, np.generic, enum.Enum)):
        return _SMALL
    if id(value) in seen:
        return 8  # a second reference to something already counted
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, memoryview):
        return value.nbytes
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, dict):
        return _SMALL + sum(_size(k, seen) + _size(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return _SMALL + sum(_size(v, seen) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _SMALL + sum(_size(getattr(value, field.name), seen) for field in dataclasses.fields(value))
    try:
        return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - an object pickle refuses (a lock, a live model) is counted by its attributes
        attributes = getattr(value, "__dict__", None)
        return _SMALL + (_size(attributes, seen) if attributes is not None else sys.getsizeof(value))


@dataclass(frozen=True)
class StoreStats:
    entries: int
    bytes_used: int
    budget_bytes: int
    hits: int
    misses: int
    evictions: int


class ResultStore:
    """Finished results by fingerprint, at most ``budget_bytes`` of them, least recently used out."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES):
        if budget_bytes < 1:
            raise ValueError(f"budget_bytes must be at least 1, got {budget_bytes}")
        self.budget_bytes = budget_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._hits = self._misses = self._evictions = 0
        self._computing: dict[str, threading.Lock] = {}

    def get(self, key: str, default: Any = None) -> Any:
        """The result under ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            if key not in self._entries:
                self._misses += 1
                return default
            self._entries.move_to_end(key)
            self._hits += 1
            return self._entries[key][0]

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._entries

    def put(self, key: str, value: Any, size: int | None = None) -> bool:
        """Keep ``value`` under ``key``, evicting the least recently used; False if it alone is too big."""
        size = size_in_bytes(value) if size is None else size
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            if size > self.budget_bytes:
                return False
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.budget_bytes:
                _, (_, evicted_size) = self._entries.popitem(last=False)
                self._bytes -= evicted_size
                self._evictions += 1
            return True

    def get_or_compute(self, key: str, compute: Callable[[], Any]) -> Any:
        """The result under ``key``; computed by ``compute()`` once if missing, however many ask at once."""
        sentinel = object()
        value = self.get(key, sentinel)
        if value is not sentinel:
            return value
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:  # another caller may have finished it while this one waited
                if key in self._entries:
                    self._entries.move_to_end(key)
                    self._hits += 1
                    return self._entries[key][0]
            try:
                value = compute()
                self.put(key, value)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return value

    def clear(self) -> None:
        """Forget every result (the counters stay)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def forget(self, kind: str) -> int:
        """Drop every result of ``kind`` (the part of the key before its first colon); how many there were."""
        with self._lock:
            dropped = [key for key in self._entries if key.split(":", 1)[0] == kind]
            for key in dropped:
                self._bytes -= self._entries.pop(key)[1]
        return len(dropped)

    def bytes_by_kind(self) -> dict[str, int]:
        """Bytes kept per kind of result (the part of the key before its first colon), largest first."""
        with self._lock:
            totals: dict[str, int] = {}
            for key, (_, size) in self._entries.items():
                kind = key.split(":", 1)[0]
                totals[kind] = totals.get(kind, 0) + size
        return dict(sorted(totals.items(), key=lambda item: -item[1]))

    def stats(self) -> StoreStats:
        with self._lock:
            return StoreStats(
                len(self._entries), self._bytes, self.budget_bytes, self._hits, self._misses, self._evictions
            )
