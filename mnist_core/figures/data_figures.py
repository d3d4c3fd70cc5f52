"""Plotly figures for the data pages. Pure functions: arrays in, a Figure out."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mnist_core.figures.palette import CLASS_COLOURS, CLASS_SYMBOLS
from mnist_core.i18n import integer, tr
from mnist_core.i18n import number as written_number  # "number" names the images of a grid below

HIGHLIGHT = "#ff2d55"
GRAY = [[0.0, "black"], [1.0, "white"]]
WEBGL_ABOVE = 3000  # points; fewer draw faster as SVG, which also needs no graphics card


def _square_axes(figure: go.Figure, height: int, title: str | None = None) -> go.Figure:
    figure.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain", showgrid=False)
    figure.update_xaxes(constrain="domain", showgrid=False, side="top")
    figure.update_layout(height=height, margin=dict(l=10, r=10, t=60 if title else 30, b=10), title=title)
    return figure


def digit_heatmap(
    image: np.ndarray,
    title: str | None = None,
    scaled: bool = False,
    annotate: bool = False,
    highlight: tuple[int, int] | None = None,
    height: int = 380,
    clickable: bool = False,
) -> go.Figure:
    """One image as a heatmap, row 0 on top; hovering a pixel shows its row, column and value.

    Parameters
    ----------
    image : array of shape (h, w), raw pixels 0-255
    scaled : bool
        Show value / 255 (0-1), and on hover the exact mapping from the raw value.
    annotate : bool
        Write each pixel's value in its cell (readable when zoomed in).
    highlight : (row, col), optional
        Draw a box around that pixel.
    clickable : bool
        Overlay invisible points whose ``customdata[0]`` is the pixel's vector index, so a click selects it.
    """
    raw = np.asarray(image, dtype=np.float64)
    values = raw / 255.0 if scaled else raw
    if scaled:
        hover = tr(
            "row %{y}, column %{x}<br>raw %{customdata:.0f} → %{customdata:.0f} / 255 = %{z:.4f}<extra></extra>"
        )
    else:
        hover = tr("row %{y}, column %{x}<br>value %{z:.0f}<extra></extra>")
    heatmap = go.Heatmap(
        z=values,
        customdata=raw,
        colorscale=GRAY,
        zmin=0,
        zmax=1 if scaled else 255,
        hovertemplate=hover,
        colorbar=dict(thickness=10),
    )
    if annotate:
        heatmap.update(
            texttemplate="%{z:.2f}" if scaled else "%{z:.0f}", textfont=dict(size=8, color=HIGHLIGHT)
        )
    if clickable:
        heatmap.update(hoverinfo="skip", hovertemplate=None, showscale=False)
    figure = go.Figure(heatmap)
    if clickable:
        # Heatmap cells cannot be selected in Streamlit; invisible square markers on top of them can.
        rows, cols = np.indices(raw.shape)
        figure.add_trace(
            go.Scatter(
                x=cols.ravel(),
                y=rows.ravel(),
                mode="markers",
                marker=dict(symbol="square", size=12, opacity=0),
                customdata=np.stack([(rows * raw.shape[1] + cols).ravel(), raw.ravel()], axis=1),
                hovertemplate=tr(
                    "row %{y}, column %{x}<br>value %{customdata[1]:.0f}<br>vector index %{customdata[0]}"
                    "<extra></extra>"
                ),
                showlegend=False,
            )
        )
        figure.update_layout(clickmode="event+select", dragmode=False)
    if highlight is not None:
        row, col = highlight
        figure.add_shape(
            type="rect",
            x0=col - 0.5,
            x1=col + 0.5,
            y0=row - 0.5,
            y1=row + 0.5,
            line=dict(color=HIGHLIGHT, width=3),
        )
    figure = _square_axes(figure, height, title)
    if clickable:  # the markers must not widen the axes beyond the image
        figure.update_xaxes(range=[-0.5, raw.shape[1] - 0.5], autorange=False)
        figure.update_yaxes(range=[raw.shape[0] - 0.5, -0.5], autorange=False)
    return figure


def class_counts_figure(train_counts: np.ndarray, test_counts: np.ndarray) -> go.Figure:
    """Grouped bars: how many samples of each digit in the training and test sets."""
    digits = [str(d) for d in range(len(train_counts))]
    figure = go.Figure(
        [
            go.Bar(
                name=tr("training ({count})").format(count=integer(np.sum(train_counts))),
                x=digits,
                y=train_counts,
                text=train_counts,
                textposition="outside",
            ),
            go.Bar(
                name=tr("test ({count})").format(count=integer(np.sum(test_counts))),
                x=digits,
                y=test_counts,
                text=test_counts,
                textposition="outside",
            ),
        ]
    )
    figure.update_layout(
        barmode="group",
        height=340,
        xaxis_title=tr("digit (label)"),
        yaxis_title=tr("samples"),
        # The legend sits below the axis title, so the tallest bar's number (6,742) is never under it,
        # and the y axis leaves room above that number.
        margin=dict(l=10, r=10, t=20, b=10),
        legend=dict(orientation="h", y=-0.25),
        yaxis_range=[0, max(np.max(train_counts), np.max(test_counts), 1) * 1.15],
        xaxis=dict(tickmode="linear", dtick=1),  # every digit labelled, not only the even ones
        uniformtext_minsize=9,
    )
    figure.update_traces(cliponaxis=False)
    return figure


def tile(images: np.ndarray, columns: int, gap: int = 1, row_gap: int | None = None) -> np.ndarray:
    """Lay out images of shape (n, h, w) on a grid, separated by NaN gaps.

    Parameters
    ----------
    gap, row_gap : int
        Empty pixels between columns and between rows (``row_gap`` defaults to ``gap``).
        A row gap leaves room for a caption above each image.

    Returns
    -------
    ndarray of shape (rows * (h + row_gap), columns * (w + gap) - gap), float64
        Each row of images starts with its ``row_gap`` empty rows.
    """
    images = np.asarray(images, dtype=np.float64)
    count, height, width = images.shape
    row_gap = gap if row_gap is None else row_gap
    rows = max(1, math.ceil(count / columns))
    grid = np.full((rows * (height + row_gap), columns * (width + gap) - gap), np.nan)
    for index, image in enumerate(images):
        top = (index // columns) * (height + row_gap) + row_gap
        left = (index % columns) * (width + gap)
        grid[top : top + height, left : left + width] = image
    return grid


def image_grid(
    images: np.ndarray,
    titles: list[str] | None = None,
    columns: int = 5,
    zmin: float = 0.0,
    zmax: float = 255.0,
    colorscale=GRAY,
    height_per_row: int = 150,
    hover: str | None = None,
    gap: int = 3,
    colorbar_title: str | None = None,
) -> go.Figure:
    """Small images in a grid, each with an optional title above it, drawn as one heatmap (fast to build).

    Parameters
    ----------
    images : array of shape (n_images, h, w)
    titles : list of n_images str, optional
    hover : str, optional
        Hover template; ``customdata`` is (image number, row, column) of the hovered pixel.
        By default the pixel's row, column and value.
    gap : int
        Empty pixels between neighbouring images; between rows, at least a quarter of an
        image's height when there are titles, so a title never covers the image above it.
    colorbar_title : str, optional
        Show a colour bar with this title (for signed values: which colour is positive).
    """
    if hover is None:
        hover = tr("row %{customdata[1]}, column %{customdata[2]}<br>value %{z:.1f}<extra></extra>")
    images = np.asarray(images, dtype=np.float64)
    n_images, height, width = images.shape
    columns = min(columns, n_images)
    n_rows = -(-n_images // columns)
    row_gap = max(gap, math.ceil(height / 4)) if titles else gap
    cell_h, cell_w = height + row_gap, width + gap

    def laid_out(
        planes: np.ndarray,
    ) -> np.ndarray:  # the first row needs no gap above: titles sit in the margin
        return tile(planes, columns, gap=gap, row_gap=row_gap)[row_gap:]

    canvas = laid_out(images)
    rows, cols = np.indices((height, width))
    numbers = np.arange(n_images)[:, None, None]
    where = np.stack([laid_out(np.broadcast_to(p, images.shape)) for p in (numbers, rows, cols)], axis=-1)
    where = np.where(np.isnan(where), -1, where).astype(np.int64)
    figure = go.Figure(
        go.Heatmap(
            z=canvas,
            customdata=where,
            zmin=zmin,
            zmax=zmax,
            colorscale=colorscale,
            showscale=colorbar_title is not None,
            colorbar={"title": {"text": colorbar_title or "", "side": "right"}, "thickness": 12},
            hovertemplate=hover,
            hoverongaps=False,
        )
    )
    for number, title in enumerate(titles or []):
        figure.add_annotation(
            x=(number % columns) * cell_w + width / 2 - 0.5,
            y=(number // columns) * cell_h - 1,
            text=title,
            showarrow=False,
            yanchor="bottom",
            font=dict(size=12),
        )
    figure.update_xaxes(visible=False, constrain="domain")
    figure.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    # Plotly's toolbar runs down the right edge (ui/charts.py), so the titles need no room above for it.
    top_margin = 45 if titles and any("<br>" in t for t in titles) else 30
    figure.update_layout(
        height=height_per_row * n_rows + top_margin,
        margin=dict(l=5, r=5, t=top_margin, b=5),
        plot_bgcolor="white",
    )
    return figure


def vector_strip(
    vector: np.ndarray,
    highlight: int | None = None,
    window: int = 28,
    zmax: float = 255.0,
    height: int = 270,
    clickable: bool = False,
    window_start: int | None = None,
) -> go.Figure:
    """A vector as a long strip of cells, with a magnified, annotated window around ``highlight``.

    Parameters
    ----------
    vector : array of shape (n,); NaN entries are drawn empty
    highlight : int, optional
        The entry to mark; the zoom window is centred on it.
    window : int
        How many entries the zoom shows.
    clickable : bool
        Overlay invisible points whose ``customdata[0]`` is the entry's index, so a click selects it.
    window_start : int, optional
        First entry of the zoom window; by default the window is centred on ``highlight``.
    """
    vector = np.asarray(vector, dtype=np.float64)
    n = len(vector)
    if window_start is None:
        centre = highlight if highlight is not None else 0
        window_start = centre - window // 2
    start = int(np.clip(window_start, 0, max(n - window, 0)))
    stop = min(start + window, n)
    figure = make_subplots(
        rows=2,
        cols=1,
        row_heights=[0.35, 0.65],
        vertical_spacing=0.42,  # room for the first row's tick labels and the second row's title
        subplot_titles=(
            tr("all {count} entries").format(count=integer(n)),
            tr("entries {first} to {last}, magnified").format(first=start, last=stop - 1),
        ),
    )
    hover = tr("index %{x}<br>value %{z:.0f}<extra></extra>")
    common = dict(colorscale=GRAY, zmin=0, zmax=zmax, showscale=False, hovertemplate=hover)
    figure.add_trace(go.Heatmap(z=vector[None, :], x=np.arange(n), **common), row=1, col=1)
    figure.add_trace(
        go.Heatmap(
            z=vector[None, start:stop],
            x=np.arange(start, stop),
            texttemplate="%{z:.0f}",
            # No colour: plotly writes each number in black or white, whichever contrasts with its cell.
            textfont=dict(size=11),
            **common,
        ),
        row=2,
        col=1,
    )
    if clickable:
        for row, positions in ((1, np.arange(n)), (2, np.arange(start, stop))):
            figure.add_trace(
                go.Scatter(
                    x=positions,
                    y=np.zeros(len(positions)),
                    mode="markers",
                    marker=dict(symbol="square", size=14, opacity=0),
                    customdata=np.stack([positions, vector[positions]], axis=1),
                    hovertemplate=tr("index %{x}<br>value %{customdata[1]:.0f}<extra></extra>"),
                    showlegend=False,
                ),
                row=row,
                col=1,
            )
        figure.update_layout(clickmode="event+select", dragmode=False)
    figure.add_shape(
        type="rect",
        x0=start - 0.5,
        x1=stop - 0.5,
        y0=-0.5,
        y1=0.5,
        line=dict(color="#999", width=1),
        row=1,
        col=1,
    )
    if highlight is not None:
        for row in (1, 2):
            figure.add_shape(
                type="rect",
                x0=highlight - 0.5,
                x1=highlight + 0.5,
                y0=-0.5,
                y1=0.5,
                line=dict(color=HIGHLIGHT, width=3),
                row=row,
                col=1,
            )
    figure.update_yaxes(showticklabels=False, showgrid=False)
    figure.update_xaxes(showgrid=False)
    figure.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def colour_vector_figure(
    image: np.ndarray,
    vector: np.ndarray,
    channel_of_entry: np.ndarray,
    highlight: int,
    n_show: int = 24,
) -> go.Figure:
    """``n_show`` numbers of an unrolled colour image around entry ``highlight``, each bar tinted by its channel.

    Parameters
    ----------
    image : uint8 array of shape (h, w, 3)
    vector : array of shape (h * w * 3,), the unrolled image
    channel_of_entry : int array of shape (h * w * 3,), 0 red, 1 green, 2 blue for each entry
    highlight : int, the entry to outline
    """
    names = np.array(["R", "G", "B"])
    tints = np.array(["#e74c3c", "#27ae60", "#2e86de"])
    start = int(np.clip(highlight - n_show // 2, 0, len(vector) - n_show))
    shown = np.arange(start, start + n_show)
    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.3, 0.7],
        subplot_titles=(
            tr("the colour image"),
            tr("entries {first} to {last} of {count}").format(
                first=start, last=start + n_show - 1, count=integer(len(vector))
            ),
        ),
    )
    figure.add_trace(
        go.Image(z=image, hovertemplate=tr("row %{y}, column %{x}<br>RGB %{z}<extra></extra>")), row=1, col=1
    )
    figure.add_trace(
        go.Bar(
            x=shown,
            y=vector[shown],
            marker_color=tints[channel_of_entry[shown]],
            marker_line=dict(width=[4 if i == highlight else 0 for i in shown], color=HIGHLIGHT),
            text=[f"{names[c]}<br>{v}" for c, v in zip(channel_of_entry[shown], vector[shown])],
            textposition="outside",
            hovertemplate=tr("index %{x}<br>value %{y}<extra></extra>"),
        ),
        row=1,
        col=2,
    )
    figure.update_yaxes(range=[0, 330], title_text=tr("value"), row=1, col=2)
    figure.update_xaxes(title_text=tr("index in the vector"), row=1, col=2)
    figure.update_yaxes(scaleanchor="x", row=1, col=1)
    figure.update_layout(height=330, showlegend=False, margin=dict(l=10, r=10, t=40, b=10))
    return figure


_BRAILLE = np.array([chr(0x2800 + code) for code in range(256)])
_BRAILLE_BITS = np.array([[1, 8], [2, 16], [4, 32], [64, 128]])  # dot values: 2 columns x 4 rows of a cell


def braille_sketches(images: np.ndarray, threshold: float = 100.0) -> list[str]:
    """Each image as lines of braille characters (2 x 4 pixels each), for plotly hover labels.

    Parameters
    ----------
    images : array of shape (n_images, h, w), pixels 0-255

    Returns
    -------
    list of n_images str, lines separated by ``<br>`` (7 lines of 14 characters for 28 x 28)
    """
    ink = np.asarray(images) > threshold
    n, height, width = ink.shape
    ink = np.pad(ink, ((0, 0), (0, -height % 4), (0, -width % 2)))
    blocks = ink.reshape(n, ink.shape[1] // 4, 4, ink.shape[2] // 2, 2).transpose(0, 1, 3, 2, 4)
    characters = _BRAILLE[(blocks * _BRAILLE_BITS).sum(axis=(3, 4))]  # (n, lines, characters per line)
    return ["<br>".join("".join(line) for line in sketch) for sketch in characters]


def braille_sketch(image: np.ndarray, threshold: float = 100.0) -> str:
    """One image as braille lines (see ``braille_sketches``)."""
    return braille_sketches(np.asarray(image)[None], threshold)[0]


def class_scatter(
    coordinates: np.ndarray,
    labels: np.ndarray,
    hover_sketches: list[str] | None = None,
    axis_titles: tuple[str, ...] = ("x", "y", "z"),
    height: int = 560,
    marker_size: float = 4,
) -> go.Figure:
    """Points coloured by class, 2-D or 3-D, one trace per digit (click a legend entry to hide it).

    Parameters
    ----------
    coordinates : array of shape (n_points, 2) or (n_points, 3)
    labels : int array of shape (n_points,)
    hover_sketches : list of str, optional
        For each point a small picture of its digit (see ``braille_sketch``), shown on hover.
    """
    coordinates = np.asarray(coordinates)
    labels = np.asarray(labels)
    dims = coordinates.shape[1]
    figure = go.Figure()
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        if not len(members):
            continue
        text = [hover_sketches[i] for i in members] if hover_sketches is not None else None
        digit_name = tr("digit {digit}").format(digit=digit)
        common = dict(
            name=str(digit),
            mode="markers",
            text=text,
            customdata=members,
            hovertemplate=f"{digit_name}<br>%{{text}}<extra></extra>"
            if text
            else f"{digit_name}<extra></extra>",
            hoverlabel=dict(font=dict(family="DejaVu Sans Mono, monospace", size=14)),
        )
        if dims == 3:
            figure.add_trace(
                go.Scatter3d(
                    x=coordinates[members, 0],
                    y=coordinates[members, 1],
                    z=coordinates[members, 2],
                    marker=dict(size=marker_size * 0.6, color=CLASS_COLOURS[digit]),
                    **common,
                )
            )
        else:
            scatter = go.Scattergl if len(labels) > WEBGL_ABOVE else go.Scatter
            figure.add_trace(
                scatter(
                    x=coordinates[members, 0],
                    y=coordinates[members, 1],
                    marker=dict(
                        size=marker_size,
                        color=CLASS_COLOURS[digit],
                        symbol=CLASS_SYMBOLS[digit],
                        opacity=0.75,
                    ),
                    **common,
                )
            )
    if dims == 3:
        figure.update_layout(
            scene=dict(xaxis_title=axis_titles[0], yaxis_title=axis_titles[1], zaxis_title=axis_titles[2])
        )
    else:
        figure.update_xaxes(title_text=axis_titles[0])
        figure.update_yaxes(title_text=axis_titles[1])
    figure.update_layout(height=height, legend_title_text=tr("digit"), margin=dict(l=10, r=10, t=30, b=10))
    return figure


def selected_positions(labels: np.ndarray, points: list[dict]) -> list[int]:
    """Which points of a ``class_scatter`` were selected, as positions in ``labels``.

    Parameters
    ----------
    labels : int array of shape (n_points,), as passed to ``class_scatter``
    points : list of dict
        Streamlit's selection points, each with ``curve_number`` (one trace per present digit) and
        ``point_index`` (position within that trace).
    """
    labels = np.asarray(labels)
    present = [digit for digit in range(10) if (labels == digit).any()]
    positions = []
    for point in points:
        curve, index = point.get("curve_number"), point.get("point_index")
        if curve is None or index is None or not 0 <= curve < len(present):
            continue
        members = np.flatnonzero(labels == present[curve])
        if 0 <= index < len(members):
            positions.append(int(members[index]))
    return positions


def explained_variance_figure(ratios: np.ndarray) -> go.Figure:
    """Bars of each component's share of the variance, and a line of the running total."""
    ratios = np.asarray(ratios)
    ranks = np.arange(1, len(ratios) + 1)
    figure = go.Figure(
        [
            go.Bar(
                x=ranks, y=ratios, name=tr("this component"), hovertemplate="PC%{x}: %{y:.1%}<extra></extra>"
            ),
            go.Scatter(
                x=ranks,
                y=np.cumsum(ratios),
                name=tr("running total"),
                mode="lines+markers",
                hovertemplate=tr("first %{x}: %{y:.1%}<extra></extra>"),
            ),
        ]
    )
    figure.update_layout(
        height=300,
        yaxis_tickformat=".0%",
        xaxis_title=tr("principal component"),
        xaxis_dtick=1,  # every component numbered
        yaxis_title=tr("share of the variance"),
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.15),
    )
    return figure


def walk_figure(frames: np.ndarray, distances: np.ndarray) -> go.Figure:
    """The images along a straight walk in pixel space, each titled with its distance to the nearest real digit.

    Parameters
    ----------
    frames : array of shape (steps, 28, 28), pixels 0-255
    distances : array of shape (steps,)
    """
    steps = len(frames)
    titles = [
        tr("t={t}<br>{distance} away").format(t=written_number(t, 2), distance=written_number(d, 1))
        for t, d in zip(np.linspace(0, 1, steps), distances)
    ]
    return image_grid(frames, titles=titles, columns=steps, height_per_row=190)


def png_data_uri(picture: np.ndarray) -> str:
    """A uint8 grayscale picture of shape (h, w) as a base64 PNG data URI (compact inside a figure)."""
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(picture, dtype=np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def montage_zoom(
    images: np.ndarray, labels: np.ndarray, sample_indices: np.ndarray, columns: int
) -> go.Figure:
    """A block of tiles from the big picture, each labelled with its digit; hover a tile for its sample index.

    Parameters
    ----------
    images : uint8 array of shape (n_tiles, 28, 28)
    labels : int array of shape (n_tiles,)
    sample_indices : int array of shape (n_tiles,), each tile's index in its data set
    columns : int, tiles per row
    """
    from mnist_core.data.dataset_views import montage

    images = np.asarray(images)
    side = images.shape[1]
    picture = montage(images, columns=columns)
    tiles = np.arange(len(images))
    centre_x = (tiles % columns) * side + side / 2
    centre_y = (tiles // columns) * side + side / 2
    figure = go.Figure(go.Image(source=png_data_uri(picture), hoverinfo="skip"))
    figure.add_trace(
        go.Scatter(
            x=centre_x,
            y=centre_y,
            mode="markers",
            marker=dict(size=side, symbol="square", opacity=0),
            customdata=np.stack([sample_indices, labels], axis=1),
            hovertemplate=tr("sample %{customdata[0]}<br>label %{customdata[1]}<extra></extra>"),
            showlegend=False,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=centre_x - side / 2 + 3,
            y=centre_y - side / 2 + 5,
            mode="text",
            text=[str(label) for label in labels],
            textfont=dict(color="#ffd60a", size=10),
            hoverinfo="skip",
            showlegend=False,
        )
    )
    figure.update_xaxes(visible=False, range=[0, picture.shape[1]])
    figure.update_yaxes(visible=False, range=[picture.shape[0], 0], scaleanchor="x")
    figure.update_layout(
        height=min(720, 36 * picture.shape[0] // side + 120), margin=dict(l=5, r=5, t=10, b=5)
    )
    return figure
