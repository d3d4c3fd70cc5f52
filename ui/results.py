"""The server's one store of computed results, shared by every session (``mnist_core.jobs.result_store``).

Everything a page computes that another session may ask for again lives here, keyed by
``fingerprint(kind, settings...)``: a model's test-set evaluation and description, a worker's answer
for a digit, a landscape, a t-SNE map, a projection, a scikit-learn run, a recorded training run.
The key holds whatever the result depends on (the model's fingerprint, the data source, the seed, the
language when the result holds text), so equal questions share one answer and nothing else does.

The store keeps results within ``$MNIST_RESULT_MB`` megabytes (default 256: about a third of Community
Cloud's smallest 690 MB, beside the 47 MB of MNIST and the page runs), least recently used out, and
computes a missing result once however many sessions ask for it at once. Resources (the worker pools,
the MNIST arrays, slot pools, locks, the class board) are not results: they stay ``st.cache_resource``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import streamlit as st

from mnist_core.jobs.result_store import ResultStore, fingerprint

BUDGET_VARIABLE = "MNIST_RESULT_MB"
OLD_BUDGET_VARIABLE = "MNIST_RESULT_STORE_MB"  # its name when it held only the recorded runs: still read
DEFAULT_BUDGET_MB = 256  # a first-network run is about 1 MB, a wide model's description tens of MB


def budget_bytes() -> int:
    """The store's budget from ``$MNIST_RESULT_MB`` (or the older ``$MNIST_RESULT_STORE_MB``), in bytes."""
    text = os.environ.get(BUDGET_VARIABLE) or os.environ.get(OLD_BUDGET_VARIABLE) or ""
    try:
        megabytes = float(text) if text.strip() else DEFAULT_BUDGET_MB
    except ValueError:
        megabytes = DEFAULT_BUDGET_MB
    return max(int(megabytes * 2**20), 1)


@st.cache_resource(show_spinner=False)
def server_results() -> ResultStore:
    """The one store of the server, made on first use."""
    return ResultStore(budget_bytes())


CHART_BUDGET_BYTES = 32 * 2**20  # about a thousand digit charts, or thirty 3-D loss surfaces


@st.cache_resource(show_spinner=False)
def built_charts() -> ResultStore:
    """Built charts' specs (``ui.charts.chart``), in a store of their own within 32 MB.

    Apart from ``server_results`` on purpose: a chart takes 5-20 ms to build again and a class moving
    sliders makes many (a 3-D loss surface's spec is about 1 MB), so in one budget they would push out
    results that take seconds to compute, such as recorded runs and landscapes.
    """
    return ResultStore(CHART_BUDGET_BYTES)


def remembered(kind: str, *settings: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``'s result for ``kind`` and ``settings``, computed once for the whole server and kept.

    Sessions asking at once wait for the first one's computation. A computation that raises is not kept.
    """
    return server_results().get_or_compute(fingerprint(kind, *settings), compute)


def finished(kind: str, *settings: Any) -> Any:
    """The kept result for ``kind`` and ``settings`` (a background job's, put by ``keep``), or None."""
    return server_results().get(fingerprint(kind, *settings))


def keep(kind: str, *settings: Any, result: Any) -> None:
    """Keep a finished job's ``result`` under ``kind`` and ``settings`` for every session."""
    server_results().put(fingerprint(kind, *settings), result)


@st.cache_resource(show_spinner=False)
def _data_fingerprint(_arrays, source: str) -> str:
    return fingerprint("mnist", *(array for pair in _arrays for array in pair))


def data_source() -> str:
    """The exact data this server computes on, as a fingerprint of its arrays (hashed once per server)."""
    from mnist_core.data.mnist import default_source
    from ui.resources import mnist

    return _data_fingerprint(mnist(), default_source())


def server_result(kind: str, on_data: bool = True) -> Callable[[Callable], Callable]:
    """A decorator: the function's result per arguments (and the server's data, ``on_data``) is kept in the
    store, under ``kind``. Its arguments must be plain settings (numbers, strings, dataclasses)."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def kept(*args):
            settings = (data_source(), *args) if on_data else args
            return remembered(kind, *settings, compute=lambda: function(*args))

        return kept

    return decorate
