"""The one place that decides how a chart looks: font sizes for the view, colours left to the theme.

Every page shows its plotly figures through ``show_chart``. The builders in mnist_core/figures
stay pure (arrays in, a figure out); sizes depend on the viewer (presenter view or not), so they
are applied here, just before drawing.

Colours: Streamlit's own plotly theme colours the background, grid, axes and text from the active
theme in the browser, and follows a switch between light and dark at once, without a rerun.
So this module does not set colours; it removes the ones a builder fixed to one theme (a white
plot background, grey text), so that they follow the theme too. Coloured text (red for a wrong
answer) is kept. The low-contrast grey of Streamlit's axis text is corrected in CSS
(ui/presentation.py), because only the browser knows the theme at the moment of drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import plotly.graph_objects as go
import streamlit as st

from mnist_core.figures.alt_text import describe_figure
from mnist_core.i18n import current_language, decimal_separators
from mnist_core.jobs.result_store import fingerprint
from ui.presentation import presenter_view_on
from ui.results import built_charts


@dataclass(frozen=True)
class ChartFonts:
    """Font sizes in CSS pixels."""

    text: int  # hover labels, heatmap numbers and anything else without its own size
    ticks: int
    legend: int
    title: int
    axis_title: int
    annotation: int  # the smallest size of subplot titles
    cell_growth: int  # added to numbers written in heatmap cells: more would overflow the cells


NORMAL = ChartFonts(text=14, ticks=14, legend=14, title=17, axis_title=14, annotation=12, cell_growth=0)
PRESENTER = ChartFonts(text=18, ticks=18, legend=18, title=22, axis_title=18, annotation=18, cell_growth=3)

# Plotly's toolbar, shown on hover, lies across the top right of a chart, over its title and the
# titles of its first row of subplots or images. Down the right edge, in a margin this wide, it
# covers no title: titles sit above the plot, and the plot ends where the margin starts.
MODEBAR_PX = 36
# Traces that draw a colour bar when they have a colour scale: their bar's fonts follow the view.
COLORBAR_TRACES = {"heatmap", "contour", "surface", "histogram2d", "histogram2dcontour", "choropleth"}


def chart_fonts(presenter: bool) -> ChartFonts:
    """The font sizes for the normal view or the presenter view."""
    return PRESENTER if presenter else NORMAL


def _is_grey(colour: object) -> bool:
    """A neutral grey, white or black given as a hex or name: text meant to be "the text colour"."""
    if not isinstance(colour, str):
        return False
    value = colour.strip().lower()
    if value in {"black", "white", "gray", "grey", "dimgray", "dimgrey", "darkgray", "darkgrey"}:
        return True
    if value.startswith("#") and len(value) in (4, 7):
        digits = value[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        red, green, blue = digits[0:2], digits[2:4], digits[4:6]
        return red == green == blue
    return False


def _subplot_names(
    layout: dict, traces: list[dict], prefix: str, trace_key: str, default_ref: str
) -> set[str]:
    """Every subplot of a kind the figure has ("xaxis", "xaxis2", ... or "scene", ...), as layout keys."""
    names = {prefix} | {key for key in layout if key.startswith(prefix)}
    for trace in traces:
        ref = trace.get(trace_key, default_ref) or default_ref
        names.add(prefix + ref[len(default_ref) :])  # "x2" -> "xaxis2"
    return names


def _merge(target: dict, changes: dict) -> None:
    """Write ``changes`` into ``target``, nested dicts into nested dicts; None removes a setting."""
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def styled_spec(figure: go.Figure, fonts: ChartFonts) -> dict:
    """``figure`` as plotly's JSON data, with ``fonts`` on every text and its theme-bound colours freed.

    Sizes are set, except that numbers in heatmap cells and annotations only grow, from the sizes
    their builder chose to fit its layout. Done on plain data: each of plotly's ``update_*`` calls
    and property reads costs milliseconds, and a page runs this for every chart on every rerun
    (done through the figure, it took 44-63 ms a chart; Streamlit's check of the data, 18-34 ms).
    """
    spec = figure.to_plotly_json()
    layout, traces = spec.get("layout", {}), spec.get("data", [])
    margin = layout.get("margin", {})
    changes: dict = {
        "modebar": {"orientation": "v"},
        "margin": {"r": max(margin.get("r", 80), MODEBAR_PX)},  # 80: plotly's default
        "font": {"size": fonts.text},
        "legend": {"font": {"size": fonts.legend}, "title": {"font": {"size": fonts.legend}}},
        "hoverlabel": {"font": {"size": fonts.text}},
        "separators": decimal_separators(),  # tick and hover numbers in the viewer's language: 0,95 in Spanish
    }
    x_axes = _subplot_names(layout, traces, "xaxis", "xaxis", "x")
    y_axes = _subplot_names(layout, traces, "yaxis", "yaxis", "y")
    axis = {"tickfont": {"size": fonts.ticks}, "title": {"font": {"size": fonts.axis_title}}}
    for name in x_axes | y_axes:
        changes[name] = axis
    title = layout.get("title", {})
    if title.get("text"):
        # The title goes at the very top of the figure and the top margin holds it, plus the tick
        # labels of an x axis drawn on top (the digit heatmaps): at large sizes they would overlap.
        axis_on_top = any(layout.get(name, {}).get("side") == "top" for name in x_axes)
        needed = fonts.title + 14 + (fonts.ticks + 14 if axis_on_top else 0)
        changes["title"] = {
            "font": {"size": fonts.title},
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 6},
        }
        changes["margin"]["t"] = max(margin.get("t") or 0, needed)
    if any(trace.get("type") in ("surface", "scatter3d", "mesh3d") for trace in traces):
        for name in _subplot_names(layout, traces, "scene", "scene", "scene"):
            changes[name] = {"xaxis": axis, "yaxis": axis, "zaxis": axis}
    for colour in ("plot_bgcolor", "paper_bgcolor"):
        if _is_grey(layout.get(colour)):
            changes[colour] = None
    legend = layout.get("legend", {})
    if legend.get("orientation") == "h" and legend.get("y") is not None and legend["y"] < 0:
        # A legend under the plot, placed as a fraction of the plot's height, lands on the x axis
        # title once fonts grow. Above the plot it needs no guess: the top margin grows by one line.
        top = changes["margin"].get("t", margin.get("t", 40)) + fonts.legend + 12
        changes["legend"].update({"yref": "container", "y": 1, "yanchor": "top", "x": 0, "xanchor": "left"})
        changes["margin"]["t"] = top
    annotations = layout.get("annotations")
    if annotations:
        for annotation in annotations:
            font = annotation.setdefault("font", {})
            # Subplot titles (placed on the paper) grow; labels placed in the data, such as the
            # captions of an image grid, keep the size their builder fitted to the tiles.
            if annotation.get("xref", "x") == "paper" or annotation.get("xref", "").endswith("domain"):
                font["size"] = max(font.get("size") or 0, fonts.annotation)
            if _is_grey(font.get("color")):
                font.pop("color")  # removed, not None: plotly sends no "color": null either
        changes["annotations"] = annotations
    _merge(layout, changes)
    spec["layout"] = layout
    for trace in traces:
        trace_changes: dict = {}
        if "colorbar" in trace or (trace.get("type") in COLORBAR_TRACES):
            trace_changes["colorbar"] = {
                "tickfont": {"size": fonts.ticks},
                "title": {"font": {"size": fonts.axis_title}},
            }
        textfont = trace.get("textfont", {})
        if trace.get("type") == "heatmap" and trace.get("texttemplate") and textfont.get("size"):
            trace_changes["textfont"] = {"size": textfont["size"] + fonts.cell_growth}
        # A grey fixed for one theme vanishes on the other: let plotly pick a contrasting colour.
        if _is_grey(textfont.get("color")):
            trace_changes.setdefault("textfont", {})["color"] = None
        _merge(trace, trace_changes)
    return spec


def style_figure(figure: go.Figure, fonts: ChartFonts) -> go.Figure:
    """A copy of ``figure`` styled for the view (``styled_spec``), as a figure."""
    return go.Figure(styled_spec(figure, fonts))


# A page run builds the same figures as the last run and as the other students' runs (plotly's figure
# objects cost 5-20 ms a chart to build and style), so a chart is built once per data, language and
# view, and kept in its own store (ui/results.py built_charts).


@dataclass(frozen=True)
class Chart:
    """A figure not built yet: ``builder(*args, **kwargs)``, for ``show_chart`` to build or find built."""

    builder: Callable[..., go.Figure]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def styled(self, fonts: ChartFonts) -> tuple[dict, str]:
        """The styled spec and the alt text: built once per arguments, language and fonts, then copied."""

        def build() -> tuple[dict, str]:
            figure = self.builder(*self.args, **self.kwargs)
            return styled_spec(figure, fonts), describe_figure(figure)

        name = f"{self.builder.__module__}.{self.builder.__qualname__}"
        try:
            key = fingerprint(
                "chart", name, self.args, self.kwargs, fonts, current_language(), decimal_separators()
            )
        except TypeError:  # an argument with no stable fingerprint: build it for this run only
            return build()
        spec, alt = built_charts().get_or_compute(key, build)
        # The stored spec is shared: a copy of what is written to, the layout (show_chart's height)
        # and the traces (Streamlit removes their uids). A deep copy would cost as much as a build.
        return {**spec, "layout": dict(spec["layout"]), "data": [dict(trace) for trace in spec["data"]]}, alt


def chart(builder: Callable[..., go.Figure], *args, **kwargs) -> Chart:
    """``show_chart(chart(digit_heatmap, image, title))`` draws ``digit_heatmap(image, title)``, built
    only if no session has drawn it with these arguments, language and view yet.

    For pure builders only (the figure depends on nothing but the arguments and the language), such
    as those of ``mnist_core.figures``.
    """
    return Chart(builder, args, kwargs)


def show_chart(figure: go.Figure | Chart, *, where=None, height: int | None = None, **kwargs):
    """``st.plotly_chart`` (or ``where.plotly_chart``, for a column) with the view's fonts applied.

    ``figure`` is a figure or a ``chart(builder, ...)`` (built once for the whole server).
    ``height`` (pixels) overrides the builder's, for a page that must fit a chart on one screen.
    ``alt``, the text a screen reader reads, is written from the figure's own data unless given.
    """
    fonts = chart_fonts(presenter_view_on())
    if isinstance(figure, Chart):
        spec, alt = figure.styled(fonts)
    else:
        spec, alt = styled_spec(figure, fonts), None
    if height is not None:
        spec["layout"]["height"] = height
    kwargs["alt"] = kwargs.get("alt") or (alt if alt is not None else describe_figure(figure))
    return (where or st).plotly_chart(unchecked_figure(spec), **kwargs)


class _StyledFigure(go.Figure):
    """A styled spec that ``st.plotly_chart`` takes as a figure plotly has checked already.

    Given a dict, Streamlit builds a checked ``go.Figure`` from it (5-10 ms a chart, most of it the
    theme's template); given a figure, it only calls ``to_dict()`` (a deep copy: 2-5 ms on a page of
    image grids). The spec comes from a figure plotly checked (``styled_spec`` only sets sizes and
    removes colours) and is this run's own, so both are skipped. plotly's ``__init__`` is skipped too:
    it would build every property object again. Streamlit reads nothing else of the figure
    (Streamlit 1.67's plotly_chart); tests/app/test_chart_store.py checks the browser gets the same
    JSON as for the dict.
    """

    def __init__(self, spec: dict):
        object.__setattr__(self, "_styled_spec", spec)

    def to_dict(self) -> dict:
        return self._styled_spec


def unchecked_figure(spec: dict) -> go.Figure:
    """``spec`` (this run's own copy: Streamlit removes the traces' uids) as a figure for ``st.plotly_chart``."""
    return _StyledFigure(spec)
