"""Plotly figures for evaluating, predicting and looking inside a network. Pure: arrays in, Figure out."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mnist_core.figures.data_figures import tile
from mnist_core.i18n import integer, number, tr

ACCENT = "#4b3fd6"
MUTED = "#b9b6d9"
WRONG = "#e4572e"
DIVERGING = "RdBu"  # blue positive, red negative, white zero: the sign of a weight at a glance
CAPTION_PX = 18  # room above each small image for its caption


def _square_pixels(figure: go.Figure, row=None, col=None) -> None:
    figure.update_xaxes(visible=False, constrain="domain", row=row, col=col)
    figure.update_yaxes(visible=False, autorange="reversed", row=row, col=col)


def image_grid_figure(
    images: np.ndarray,
    titles: list[str] | None = None,
    columns: int = 9,
    colorscale: str = "gray",
    symmetric: bool = False,
    title_colors: list[str] | None = None,
    tile_px: int = 90,
) -> go.Figure:
    """Many small images in one heatmap, each with an optional caption above it.

    Parameters
    ----------
    images : array-like of shape (n, h, w)
    titles : list of n str, optional
    symmetric : bool
        Centre the colour scale on zero (for weights, which are positive or negative).
    """
    images = np.asarray(images, dtype=np.float64)
    count, height, width = images.shape
    columns = max(1, min(columns, count))
    px_per_pixel = tile_px / width
    row_gap = math.ceil(CAPTION_PX / px_per_pixel) if titles else 1
    grid = tile(images, columns, row_gap=row_gap)
    if symmetric:
        limit = float(np.nanmax(np.abs(grid))) or 1.0
        zmin, zmax = -limit, limit
    else:
        zmin, zmax = float(np.nanmin(grid)), float(np.nanmax(grid))
    figure = go.Figure(
        go.Heatmap(
            z=grid,
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            showscale=symmetric,
            colorbar={"title": {"text": tr("blue +, red −"), "side": "right"}, "thickness": 12},
            hoverongaps=False,
            hovertemplate="%{z:.3f}<extra></extra>",
        )
    )
    colors = title_colors or ["#333"] * count
    # One list of annotations in one call: adding them one by one re-validates the figure each time.
    annotations = [
        {
            "x": (index % columns) * (width + 1) + (width - 1) / 2,
            "y": (index // columns) * (height + row_gap) + row_gap - 0.6,
            "text": text,
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"size": 11, "color": colors[index]},
        }
        for index, text in enumerate(titles or [])
    ]
    figure.update_layout(annotations=annotations)
    _square_pixels(figure)
    figure.update_yaxes(scaleanchor="x")
    figure.update_layout(
        height=round(grid.shape[0] * px_per_pixel) + 12,
        margin={"t": 4, "b": 4, "l": 4, "r": 4},  # the toolbar runs down the right edge (ui/charts.py)
        plot_bgcolor="white",
    )
    return figure


def digit_figure(
    image: np.ndarray, title: str = "", height: int = 260, colorscale: str = "gray"
) -> go.Figure:
    """One image, pixel by pixel, with each value on hover."""
    figure = go.Figure(
        go.Heatmap(
            z=np.asarray(image, dtype=np.float64),
            colorscale=colorscale,
            showscale=False,
            hovertemplate=tr("row %{y}, column %{x}: %{z}") + "<extra></extra>",
        )
    )
    _square_pixels(figure)
    figure.update_yaxes(scaleanchor="x")
    figure.update_layout(
        title={"text": title, "font": {"size": 13}},
        height=height,
        margin={"t": 30 if title else 4, "b": 4, "l": 4, "r": 4},
    )
    return figure


def probabilities_figure(
    probabilities: np.ndarray, true_digit: int | None = None, height: int = 260
) -> go.Figure:
    """The softmax output as ten bars, the argmax highlighted, the true digit marked.

    Parameters
    ----------
    probabilities : array-like of shape (10,)
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    best = int(probabilities.argmax())
    colors = [ACCENT if digit == best else MUTED for digit in range(len(probabilities))]
    figure = go.Figure(
        go.Bar(
            x=list(range(len(probabilities))),
            y=probabilities,
            marker_color=colors,
            text=[number(p, 2) if p >= 0.01 else "" for p in probabilities],
            textposition="outside",
            hovertemplate=tr("digit %{x}: %{y:.4f}") + "<extra></extra>",
        )
    )
    if true_digit is not None:
        figure.add_annotation(
            x=true_digit, y=0, text=tr("true"), showarrow=False, yshift=-28, font={"color": WRONG}
        )
    figure.update_xaxes(tickmode="linear", title_text=tr("digit"))
    figure.update_yaxes(range=[0, 1.12], title_text=tr("probability"))
    figure.update_layout(height=height, margin={"t": 10, "b": 40, "l": 50, "r": 10})
    return figure


def confusion_figure(confusion: np.ndarray, selected: tuple[int, int] | None = None) -> go.Figure:
    """The confusion matrix as a heatmap: rows the true digit, columns the predicted one.

    The colour uses log(1 + count) so the few mistakes show beside the ~1,000 correct ones.
    """
    confusion = np.asarray(confusion)
    figure = go.Figure(
        go.Heatmap(
            z=np.log1p(confusion),
            x=list(range(confusion.shape[1])),
            y=list(range(confusion.shape[0])),
            text=confusion,
            texttemplate="%{text}",
            colorscale="Purples",
            showscale=False,
            hovertemplate=tr("true %{y}, predicted %{x}: %{text} images") + "<extra></extra>",
        )
    )
    if selected is not None:
        true_digit, predicted_digit = selected
        figure.add_shape(
            type="rect",
            x0=predicted_digit - 0.5,
            x1=predicted_digit + 0.5,
            y0=true_digit - 0.5,
            y1=true_digit + 0.5,
            line={"color": WRONG, "width": 3},
        )
    # Fixed ranges, and both axes shrink their domain to keep the cells square: on a narrow phone
    # plotly would otherwise stretch the y range and draw empty rows from -2 to 11.
    last = confusion.shape[0] - 0.5
    figure.update_xaxes(
        title_text=tr("predicted digit"),
        tickmode="linear",
        side="top",
        constrain="domain",
        range=[-0.5, last],
    )
    figure.update_yaxes(
        title_text=tr("true digit"),
        tickmode="linear",
        range=[last, -0.5],
        scaleanchor="x",
        constrain="domain",
    )
    figure.update_layout(height=460, margin={"t": 50, "b": 10, "l": 60, "r": 10})
    return figure


MAX_SHOWN_ASPECT = 8  # a thinner picture is shown thicker, or a browser would scale it to 0 pixels tall


def pixelated(image: np.ndarray, height: int = 140, longest: int = 560) -> np.ndarray:
    """Enlarge a small uint8 image by repeating pixels, so a browser shows crisp squares, not a blur.

    A picture of extreme shape (10000 x 2) is never enlarged past ``longest`` pixels on
    either side, and its thin side is repeated until it is at least 1/8 of the long side;
    a large picture is shrunk by keeping every n-th pixel.

    Returns
    -------
    ndarray of shape (about ``height``, proportional width), at most ``longest`` on each side, uint8
    """
    image = np.asarray(image, dtype=np.uint8)
    thin_axis = int(np.argmin(image.shape))
    stretch = math.ceil(max(image.shape) / (MAX_SHOWN_ASPECT * min(image.shape)))
    if stretch > 1:
        image = np.repeat(image, stretch, axis=thin_axis)
    factor = max(1, min(round(height / image.shape[0]), longest // max(image.shape)))
    if max(image.shape) * factor > longest or image.shape[0] * factor > 2 * height:
        step = max(1, math.ceil(image.shape[0] / height), math.ceil(max(image.shape) / longest))
        return np.ascontiguousarray(image[::step, ::step])
    return np.kron(image, np.ones((factor, factor), dtype=np.uint8))


def products_figure(products: np.ndarray, height: int = 300) -> go.Figure:
    """The 784 products w_i * x_i of one unit as a 28 x 28 image: blue pushes up, red pushes down."""
    grid = np.asarray(products, dtype=np.float64).reshape(28, 28)
    limit = float(np.abs(grid).max()) or 1.0
    figure = go.Figure(
        go.Heatmap(
            z=grid,
            colorscale=DIVERGING,
            zmin=-limit,
            zmax=limit,
            hovertemplate=tr("pixel (%{y}, %{x}): w·x = %{z:.4f}") + "<extra></extra>",
            colorbar={"title": {"text": tr("w·x: blue +, red −"), "side": "right"}, "thickness": 12},
        )
    )
    _square_pixels(figure)
    figure.update_yaxes(scaleanchor="x")
    figure.update_layout(height=height, margin={"t": 4, "b": 4, "l": 4, "r": 4})
    return figure


def activations_figure(
    values: np.ndarray, highlight: int | None = None, label: str | None = None
) -> go.Figure:
    """One bar per unit of a layer, the chosen unit highlighted; ``label`` names a bar (None: "unit")."""
    label = tr("unit") if label is None else label
    values = np.asarray(values, dtype=np.float64)
    colors = [ACCENT if index == highlight else MUTED for index in range(len(values))]
    figure = go.Figure(
        go.Bar(
            x=list(range(len(values))),
            y=values,
            marker_color=colors,
            hovertemplate=f"{label} %{{x}}: %{{y:.4f}}<extra></extra>",
        )
    )
    figure.update_xaxes(title_text=label, tickmode="linear" if len(values) <= 32 else "auto")
    figure.update_layout(height=230, margin={"t": 10, "b": 40, "l": 50, "r": 10})
    return figure


def weight_histograms_figure(layers: list[tuple[str, np.ndarray]], bins: int = 60) -> go.Figure:
    """A histogram of each layer's weights, side by side, binned here: the browser gets 60 bars, not every weight.

    Parameters
    ----------
    layers : list of (name, weights of shape (n,))
        NaN or infinite weights are counted in the layer's title, not drawn.
    """
    titles, histograms = [], []
    for name, weights in layers:
        values = np.asarray(weights, dtype=np.float64).reshape(-1)
        finite = values[np.isfinite(values)]
        counts, edges = np.histogram(finite, bins=bins) if finite.size else (np.zeros(0), np.zeros(1))
        not_finite = values.size - finite.size
        titles.append(
            tr("{layer}: {count} NaN or infinite").format(layer=name, count=integer(not_finite))
            if not_finite
            else name
        )
        histograms.append((counts, edges))
    figure = make_subplots(rows=1, cols=max(1, len(layers)), subplot_titles=titles)
    for column, (counts, edges) in enumerate(histograms, start=1):
        figure.add_trace(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=counts,
                width=np.diff(edges),
                customdata=np.stack([edges[:-1], edges[1:]], axis=1),
                hovertemplate=tr("%{customdata[0]:.3f} to %{customdata[1]:.3f}: %{y:,} weights")
                + "<extra></extra>",
                marker_color=ACCENT,
                showlegend=False,
            ),
            row=1,
            col=column,
        )
    figure.update_xaxes(title_text=tr("weight"))
    figure.update_yaxes(title_text=tr("count"), col=1)
    figure.update_layout(
        height=260,
        margin={"t": 40, "b": 40, "l": 50, "r": 36},  # room for the vertical toolbar
        bargap=0.05,
        modebar={"orientation": "v"},  # down the right edge, off the layers' titles
    )
    return figure
