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

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from mnist_core.figures.alt_text import describe_figure
from mnist_core.i18n import decimal_separators
from ui.presentation import presenter_view_on


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


def style_figure(figure: go.Figure, fonts: ChartFonts) -> go.Figure:
    """Set ``fonts`` on every text of ``figure`` and free its theme-bound colours; returns the figure.

    Call it once per figure (``show_chart`` does): sizes are set, except that numbers in heatmap
    cells and annotations only grow, from the sizes their builder chose to fit its layout.
    """
    layout = figure.layout
    right = layout.margin.r if layout.margin.r is not None else 80  # plotly's default
    figure.update_layout(
        modebar_orientation="v",
        margin_r=max(right, MODEBAR_PX),
        font_size=fonts.text,
        legend_font_size=fonts.legend,
        legend_title_font_size=fonts.legend,
        hoverlabel_font_size=fonts.text,
        separators=decimal_separators(),  # tick and hover numbers in the viewer's language: 0,95 in Spanish
    )
    if layout.title.text:
        # The title goes at the very top of the figure and the top margin holds it, plus the tick
        # labels of an x axis drawn on top (the digit heatmaps): at large sizes they would overlap.
        axis_on_top = any(axis.side == "top" for axis in figure.select_xaxes())
        needed = fonts.title + 14 + (fonts.ticks + 14 if axis_on_top else 0)
        figure.update_layout(
            title={
                "font": {"size": fonts.title},
                "yref": "container",
                "y": 1,
                "yanchor": "top",
                "pad": {"t": 6},
            },
            margin_t=max(layout.margin.t or 0, needed),
        )
    axis = {"tickfont_size": fonts.ticks, "title_font_size": fonts.axis_title}
    figure.update_xaxes(**axis)
    figure.update_yaxes(**axis)
    if any(trace.type in ("surface", "scatter3d", "mesh3d") for trace in figure.data):
        figure.update_scenes(
            **{f"{name}_{key}": value for name in ("xaxis", "yaxis", "zaxis") for key, value in axis.items()}
        )
    for trace in figure.data:
        if "colorbar" in trace:
            trace.colorbar.tickfont.size = fonts.ticks
            trace.colorbar.title.font.size = fonts.axis_title
        if trace.type == "heatmap" and trace.texttemplate and trace.textfont.size:
            trace.textfont.size += fonts.cell_growth
        # A grey fixed for one theme vanishes on the other: let plotly pick a contrasting colour.
        if "textfont" in trace and _is_grey(trace.textfont.color):
            trace.textfont.color = None
    if layout.plot_bgcolor is not None and _is_grey(layout.plot_bgcolor):
        figure.update_layout(plot_bgcolor=None)
    if layout.paper_bgcolor is not None and _is_grey(layout.paper_bgcolor):
        figure.update_layout(paper_bgcolor=None)
    legend = layout.legend
    if legend.orientation == "h" and legend.y is not None and legend.y < 0:
        # A legend under the plot, placed as a fraction of the plot's height, lands on the x axis
        # title once fonts grow. Above the plot it needs no guess: the top margin grows by one line.
        top = (layout.margin.t if layout.margin.t is not None else 40) + fonts.legend + 12
        figure.update_layout(
            legend={"yref": "container", "y": 1, "yanchor": "top", "x": 0, "xanchor": "left"}, margin_t=top
        )
    for annotation in layout.annotations:
        # Subplot titles (placed on the paper) grow; labels placed in the data, such as the
        # captions of an image grid, keep the size their builder fitted to the tiles.
        if annotation.xref == "paper" or (annotation.xref or "").endswith("domain"):
            annotation.font.size = max(annotation.font.size or 0, fonts.annotation)
        if _is_grey(annotation.font.color):
            annotation.font.color = None
    return figure


def show_chart(figure: go.Figure, *, where=None, height: int | None = None, **kwargs):
    """``st.plotly_chart`` (or ``where.plotly_chart``, for a column) with the view's fonts applied.

    ``height`` (pixels) overrides the builder's, for a page that must fit a chart on one screen.
    ``alt``, the text a screen reader reads, is written from the figure's own data unless given.
    """
    style_figure(figure, chart_fonts(presenter_view_on()))
    if height is not None:
        figure.update_layout(height=height)
    kwargs["alt"] = kwargs.get("alt") or describe_figure(figure)
    return (where or st).plotly_chart(figure, **kwargs)
