"""A chart's text alternative, read off the figure itself, so it is never out of date.

A screen reader cannot see a plotly chart. ``describe_figure`` writes what a sighted student takes
from it at a glance, with its numbers: the title, the axes, and per trace what it does ("validation
accuracy: rose from 0.912 to 0.951 over 5 points, x from 1 to 5"), the bars' values, a heatmap's
size and range. Built from the figure's data, it follows every redraw of a live chart. A page
with more to say passes its own ``alt`` instead.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import plotly.graph_objects as go

MAX_TRACES = 6  # described one by one; the rest are counted
MAX_BARS = 12  # bars named with their values; more are summarised
_TAG = re.compile(r"<[^>]+>")


def _plain(text: object) -> str:
    """Text without plotly's HTML tags (<b>, <br>) and extra spaces."""
    return " ".join(_TAG.sub(" ", "" if text is None else str(text)).split())


def _number(value: float) -> str:
    value = float(value)
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"


def _finite(values) -> np.ndarray:
    if values is None:
        return np.array([])
    try:
        array = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return np.array([])
    return array[np.isfinite(array)]


def _trace_name(trace, index: int) -> str:
    return _plain(getattr(trace, "name", None)) or f"series {index + 1}"


def _describe_line(trace, index: int) -> str:
    y = _finite(trace.y)
    name = _trace_name(trace, index)
    if len(y) == 0:
        return f"{name}: no values yet"
    if len(y) == 1:
        return f"{name}: one value, {_number(y[0])}"
    direction = "rose" if y[-1] > y[0] else "fell" if y[-1] < y[0] else "stayed"
    text = f"{name}: {direction} from {_number(y[0])} to {_number(y[-1])} over {len(y)} points"
    if y.min() < min(y[0], y[-1]) or y.max() > max(y[0], y[-1]):
        text += f" (lowest {_number(y.min())}, highest {_number(y.max())})"
    x = _finite(trace.x)
    if len(x) == len(y):
        text += f", x from {_number(x[0])} to {_number(x[-1])}"
    return text


def _describe_markers(trace, index: int) -> str:
    count = len(trace.x) if trace.x is not None else len(trace.y) if trace.y is not None else 0
    return f"{_trace_name(trace, index)}: {count:,} points"


def _describe_bars(trace, index: int) -> str:
    horizontal = trace.orientation == "h"
    values = _finite(trace.x if horizontal else trace.y)
    labels = (
        list(trace.y if horizontal else trace.x) if (trace.y if horizontal else trace.x) is not None else []
    )
    labels = labels or list(range(len(values)))
    if len(values) == 0:
        return f"{_trace_name(trace, index)}: no bars yet"
    if len(values) <= MAX_BARS and len(labels) == len(values):
        pairs = ", ".join(f"{_plain(label)}: {_number(value)}" for label, value in zip(labels, values))
        named = _plain(getattr(trace, "name", None))
        return f"{named}: bars {pairs}" if named else f"bars {pairs}"
    top = int(np.argmax(values))
    top_label = _plain(labels[top]) if top < len(labels) else str(top)
    return (
        f"{len(values)} bars from {_number(values.min())} to {_number(values.max())}, highest at {top_label}"
    )


def _describe_grid(trace, kind: str) -> str:
    z = np.asarray(trace.z if trace.z is not None else [], dtype=object)
    values = _finite(trace.z)
    shown = _finite(trace.text) if getattr(trace, "text", None) is not None else np.array([])
    if len(shown) == len(values) and len(shown):
        values = shown  # the numbers written in the cells, not the colour scale's (often a log)
    shape = " x ".join(str(n) for n in z.shape[:2]) if z.ndim >= 2 else str(len(values))
    if len(values) == 0:
        return f"a {kind} of {shape} values"
    return f"a {kind} of {shape} values from {_number(values.min())} to {_number(values.max())}"


def _describe_trace(trace, index: int) -> str:
    kind = trace.type
    if kind in ("scatter", "scattergl"):
        mode = trace.mode or "lines"
        return _describe_line(trace, index) if "lines" in mode else _describe_markers(trace, index)
    if kind == "bar":
        return _describe_bars(trace, index)
    if kind in ("heatmap", "contour", "surface"):
        return _describe_grid(
            trace, {"heatmap": "grid", "contour": "contour map", "surface": "3-D surface"}[kind]
        )
    if kind == "scatter3d":
        return _describe_markers(trace, index) + " in 3-D"
    if kind == "image":
        z = np.asarray(trace.z if trace.z is not None else [])
        return f"an image of {z.shape[0]} x {z.shape[1]} pixels" if z.ndim >= 2 else "an image"
    if kind == "histogram":
        return f"{_trace_name(trace, index)}: a histogram of {len(_finite(trace.x)):,} values"
    return f"a {kind} trace"


def _panel_title(figure: go.Figure, trace) -> str:
    """The title of the subplot a trace is drawn in (or its y axis's title), for figures with several."""
    x_name = getattr(trace, "xaxis", None) or "x"
    y_name = getattr(trace, "yaxis", None) or "y"
    x_axis = figure.layout[f"xaxis{x_name[1:]}"]
    y_axis = figure.layout[f"yaxis{y_name[1:]}"]
    low, high = x_axis.domain if x_axis.domain else (0, 1)
    top = y_axis.domain[1] if y_axis.domain else 1
    for annotation in figure.layout.annotations:  # make_subplots puts each title above its panel
        if (
            annotation.xref == "paper"
            and low <= (annotation.x or 0) <= high
            and abs((annotation.y or 0) - top) < 0.02
        ):
            return _plain(annotation.text)
    return _plain(y_axis.title.text) if y_axis.title else ""


def _axis_words(figure: go.Figure) -> str:
    titles = []
    for letter in ("x", "y"):
        axis = getattr(figure.layout, f"{letter}axis")
        title = _plain(axis.title.text) if axis and axis.title else ""
        if title:
            titles.append(f"{letter} axis: {title}")
    return ", ".join(titles)


def describe_figure(figure: go.Figure) -> str:
    """One paragraph that says what ``figure`` shows, with its numbers, for a screen reader."""
    parts = [_plain(figure.layout.title.text) or "Chart"]
    axes = _axis_words(figure)
    if axes:
        parts.append(axes)
    traces = [trace for trace in figure.data if trace.visible is not False]
    if (
        len(traces) > MAX_TRACES
        and len({trace.type for trace in traces}) == 1
        and traces[0].type != "scatter"
    ):
        # A grid of small images or maps: say how many, and name them by their subplot titles.
        kinds = Counter(trace.type for trace in traces)
        parts.append(", ".join(f"{count} {kind} panels" for kind, count in kinds.items()))
        parts.append(_describe_trace(traces[0], 0).replace("a grid", "each a grid", 1))
        titles = [_plain(a.text) for a in figure.layout.annotations if _plain(a.text)]
        if titles:
            shown = "; ".join(titles[:MAX_TRACES])
            parts.append(
                f"titled {shown}"
                + (f"; and {len(titles) - MAX_TRACES} more" if len(titles) > MAX_TRACES else "")
            )
    else:
        several_panels = (
            len({(trace.xaxis or "x", trace.yaxis or "y") for trace in traces if "xaxis" in trace}) > 1
        )
        for index, trace in enumerate(traces[:MAX_TRACES]):
            text = _describe_trace(trace, index)
            panel = _panel_title(figure, trace) if several_panels and "xaxis" in trace else ""
            parts.append(f"{panel}, {text}" if panel else text)
        if len(traces) > MAX_TRACES:
            parts.append(f"and {len(traces) - MAX_TRACES} more series")
        titles = [_plain(a.text) for a in figure.layout.annotations if _plain(a.text)]
        if titles and any(trace.type in ("heatmap", "image") for trace in traces):
            # A tiled picture (a grid of digits) is named by the captions of its tiles.
            shown = "; ".join(titles[:MAX_BARS])
            more = f"; and {len(titles) - MAX_BARS} more" if len(titles) > MAX_BARS else ""
            parts.append(f"captions: {shown}{more}")
    return ". ".join(part for part in parts if part) + "."
