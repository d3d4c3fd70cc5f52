"""Waiting on conditions, with a deadline, instead of sleeping and hoping (import as `from waiting import ...`)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], bool], seconds: float = 60.0, what: str = "the condition") -> None:
    """Return once ``predicate()`` is true; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} was not reached within {seconds:g} s"
        time.sleep(0.01)


def wait_until_steady(read: Callable[[], object], quiet: float = 0.3, seconds: float = 60.0):
    """Return ``read()`` once it has not changed for ``quiet`` seconds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    value, since = read(), time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, f"the value kept changing for {seconds:g} s"
        time.sleep(0.02)
        now = read()
        if now != value:
            value, since = now, time.monotonic()
    return value
