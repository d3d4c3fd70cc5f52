"""A chart's text alternative, read off the figure itself, so it is never out of date.

A screen reader cannot see a plotly chart. ``describe_figure`` writes what a sighted student takes
from it at a glance, with its numbers: the title, the axes, and per trace what it does ("validation
accuracy: rose from 0.912 to 0.951 over 5 points, x from 1 to 5"), the bars' values, a heatmap's
size and range. Built from the figure's data, it follows every redraw of a live chart. A page
with more to say passes its own ``alt`` instead. The sentences and numbers are in the current
language (``mnist_core.i18n``); the figure's own texts are whatever its builder wrote.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import plotly.graph_objects as go

from mnist_core.i18n import N_, SOURCE_LANGUAGE, current_language, decimal_separators, integer, tr

MAX_TRACES = 6  # described one by one; the rest are counted
MAX_BARS = 12  # bars named with their values; more are summarised
_TAG = re.compile(r"<[^>]+>")


def _plain(text: object) -> str:
    """Text without plotly's HTML tags (<b>, <br>) and extra spaces."""
    return " ".join(_TAG.sub(" ", "" if text is None else str(text)).split())


def _number(value: float) -> str:
    """At most three decimals (0.951, 2, 1,234), or three significant digits when tiny or huge (1.2e-05)."""
    value = float(value)
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        text = f"{value:.3g}"
    else:
        text = f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    if current_language() == SOURCE_LANGUAGE:
        return text
    decimal, group = decimal_separators()  # the same digits, with the language's marks: 1.234,5
    return text.translate(str.maketrans({".": decimal, ",": group}))


def _finite(values) -> np.ndarray:
    if values is None:
        return np.array([])
    try:
        array = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return np.array([])
    return array[np.isfinite(array)]


def _trace_name(trace, index: int) -> str:
    return _plain(getattr(trace, "name", None)) or tr("series {number}").format(number=index + 1)


def _describe_line(trace, index: int) -> str:
    y = _finite(trace.y)
    name = _trace_name(trace, index)
    if len(y) == 0:
        return tr("{name}: no values yet").format(name=name)
    if len(y) == 1:
        return tr("{name}: one value, {value}").format(name=name, value=_number(y[0]))
    if y[-1] > y[0]:
        sentence = tr("{name}: rose from {first} to {last} over {count} points")
    elif y[-1] < y[0]:
        sentence = tr("{name}: fell from {first} to {last} over {count} points")
    else:
        sentence = tr("{name}: stayed from {first} to {last} over {count} points")
    text = sentence.format(name=name, first=_number(y[0]), last=_number(y[-1]), count=integer(len(y)))
    if y.min() < min(y[0], y[-1]) or y.max() > max(y[0], y[-1]):
        text += " " + tr("(lowest {low}, highest {high})").format(low=_number(y.min()), high=_number(y.max()))
    x = _finite(trace.x)
    if len(x) == len(y):
        text += ", " + tr("x from {first} to {last}").format(first=_number(x[0]), last=_number(x[-1]))
    return text


def _describe_markers(trace, index: int) -> str:
    count = len(trace.x) if trace.x is not None else len(trace.y) if trace.y is not None else 0
    return tr("{name}: {count} points").format(name=_trace_name(trace, index), count=integer(count))


def _describe_bars(trace, index: int) -> str:
    horizontal = trace.orientation == "h"
    values = _finite(trace.x if horizontal else trace.y)
    labels = (
        list(trace.y if horizontal else trace.x) if (trace.y if horizontal else trace.x) is not None else []
    )
    labels = labels or list(range(len(values)))
    if len(values) == 0:
        return tr("{name}: no bars yet").format(name=_trace_name(trace, index))
    if len(values) <= MAX_BARS and len(labels) == len(values):
        pairs = ", ".join(f"{_plain(label)}: {_number(value)}" for label, value in zip(labels, values))
        named = _plain(getattr(trace, "name", None))
        bars = tr("bars {values}").format(values=pairs)
        return f"{named}: {bars}" if named else bars
    top = int(np.argmax(values))
    top_label = _plain(labels[top]) if top < len(labels) else str(top)
    return tr("{count} bars from {low} to {high}, highest at {label}").format(
        count=integer(len(values)), low=_number(values.min()), high=_number(values.max()), label=top_label
    )


# A grid of values, by the kind of trace: (its values alone, its values with their range).
_GRIDS = {
    "heatmap": (N_("a grid of {shape} values"), N_("a grid of {shape} values from {low} to {high}")),
    "contour": (
        N_("a contour map of {shape} values"),
        N_("a contour map of {shape} values from {low} to {high}"),
    ),
    "surface": (
        N_("a 3-D surface of {shape} values"),
        N_("a 3-D surface of {shape} values from {low} to {high}"),
    ),
}
# One of many panels that are all heatmaps or images: "each a grid of ...".
_EACH_GRID = (N_("each a grid of {shape} values"), N_("each a grid of {shape} values from {low} to {high}"))


def _describe_grid(trace, sentences: tuple[str, str]) -> str:
    z = np.asarray(trace.z if trace.z is not None else [], dtype=object)
    values = _finite(trace.z)
    shown = _finite(trace.text) if getattr(trace, "text", None) is not None else np.array([])
    if len(shown) == len(values) and len(shown):
        values = shown  # the numbers written in the cells, not the colour scale's (often a log)
    shape = " x ".join(str(n) for n in z.shape[:2]) if z.ndim >= 2 else str(len(values))
    if len(values) == 0:
        return tr(sentences[0]).format(shape=shape)
    return tr(sentences[1]).format(shape=shape, low=_number(values.min()), high=_number(values.max()))


def _describe_trace(trace, index: int, each: bool = False) -> str:
    """What one trace shows; ``each``: it stands for many panels like it ("each a grid of ...")."""
    kind = trace.type
    if kind in ("scatter", "scattergl"):
        mode = trace.mode or "lines"
        return _describe_line(trace, index) if "lines" in mode else _describe_markers(trace, index)
    if kind == "bar":
        return _describe_bars(trace, index)
    if kind in _GRIDS:
        return _describe_grid(trace, _EACH_GRID if each and kind == "heatmap" else _GRIDS[kind])
    if kind == "scatter3d":
        return _describe_markers(trace, index) + " " + tr("in 3-D")
    if kind == "image":
        z = np.asarray(trace.z if trace.z is not None else [])
        if z.ndim < 2:
            return tr("an image")
        return tr("an image of {height} x {width} pixels").format(height=z.shape[0], width=z.shape[1])
    if kind == "histogram":
        return tr("{name}: a histogram of {count} values").format(
            name=_trace_name(trace, index), count=integer(len(_finite(trace.x)))
        )
    return tr("a {kind} trace").format(kind=kind)


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
            titles.append(tr("{letter} axis: {title}").format(letter=letter, title=title))
    return ", ".join(titles)


def describe_figure(figure: go.Figure) -> str:
    """One paragraph that says what ``figure`` shows, with its numbers, for a screen reader."""
    parts = [_plain(figure.layout.title.text) or tr("Chart")]
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
        parts.append(
            ", ".join(
                tr("{count} {kind} panels").format(count=integer(count), kind=kind)
                for kind, count in kinds.items()
            )
        )
        parts.append(_describe_trace(traces[0], 0, each=True))
        titles = [_plain(a.text) for a in figure.layout.annotations if _plain(a.text)]
        if titles:
            shown = "; ".join(titles[:MAX_TRACES])
            parts.append(
                tr("titled {titles}").format(titles=shown)
                + (_and_more(len(titles) - MAX_TRACES) if len(titles) > MAX_TRACES else "")
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
            parts.append(tr("and {count} more series").format(count=integer(len(traces) - MAX_TRACES)))
        titles = [_plain(a.text) for a in figure.layout.annotations if _plain(a.text)]
        if titles and any(trace.type in ("heatmap", "image") for trace in traces):
            # A tiled picture (a grid of digits) is named by the captions of its tiles.
            shown = "; ".join(titles[:MAX_BARS])
            more = _and_more(len(titles) - MAX_BARS) if len(titles) > MAX_BARS else ""
            parts.append(tr("captions: {captions}").format(captions=shown) + more)
    return ". ".join(part for part in parts if part) + "."


def _and_more(count: int) -> str:
    """The end of a list cut short: "; and 4 more"."""
    return "; " + tr("and {count} more").format(count=integer(count))
