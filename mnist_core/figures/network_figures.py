"""Plotly figures of a network's structure: a dense network as nodes and edges, a convnet as blocks.

Pure: arrays in, Figure out. Edge colours follow the app's weight convention: blue positive,
red negative; the thicker and darker an edge, the larger the weight.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from mnist_core.data.mnist import IMAGE_SIDE
from mnist_core.i18n import integer, ntr, number, tr
from mnist_core.inspect.network_diagram import INPUT_LATTICE, DiagramWeights, LayerRow, shape_text

POSITIVE = "#2166ac"  # the blue end of RdBu, as in the weight heatmaps
NEGATIVE = "#b2182b"  # its red end
NODE = "#4b3fd6"
MUTED = "#b9b6d9"
WIDTH_BINS = (0.25, 0.5, 0.75, 1.01)  # |w| / largest |w| of the layer: four line widths per sign
EDGE_WIDTHS = (0.5, 1.0, 1.8, 3.0)
EDGE_OPACITIES = (0.08, 0.2, 0.45, 0.85)
GRID_LEFT, GRID_RIGHT = -1.25, -0.3  # where the 28 x 28 input grid sits, left of the input nodes


def _spread(count: int) -> np.ndarray:
    """Node heights from the top (1) down to the bottom (0), centred when there are few."""
    if count == 1:
        return np.array([0.5])
    span = min(1.0, (count - 1) / 15)
    return 0.5 + span / 2 - np.arange(count) * span / (count - 1)


def diagram_note(diagram: DiagramWeights) -> str:
    """Which part of the network is drawn, e.g. '16 of 784 inputs, 16 of 512 units in hidden layer 1'."""
    parts = [tr("{shown} of {width} inputs").format(shown=len(diagram.shown[0]), width=diagram.widths[0])]
    for index, (shown, width) in enumerate(zip(diagram.shown[1:-1], diagram.widths[1:-1]), start=1):
        if len(shown) < width:
            parts.append(
                tr("{shown} of {width} units in hidden layer {layer}").format(
                    shown=len(shown), width=width, layer=index
                )
            )
    return tr("Drawn: {parts}; all 10 outputs").format(parts=", ".join(parts))


def dense_diagram_figure(diagram: DiagramWeights, stage: str = "initial weights") -> go.Figure:
    """A dense network as nodes and edges: inputs (with the 28 x 28 grid they come from), hidden units, outputs.

    Parameters
    ----------
    diagram : DiagramWeights
        The shown units and the weights between them.
    stage : str
        Which weights these are, for the title ("initial weights", "after epoch 3").
    """
    figure = go.Figure()
    columns = len(diagram.shown)
    heights = [_spread(len(shown)) for shown in diagram.shown]
    for layer, kernel in enumerate(diagram.kernels):
        largest = float(np.abs(kernel).max()) or 1.0
        share = np.abs(kernel) / largest
        for sign, colour in ((1, POSITIVE), (-1, NEGATIVE)):
            low = 0.0
            for step, high in enumerate(WIDTH_BINS):
                rows, cols = np.nonzero((np.sign(kernel) == sign) & (share >= low) & (share < high))
                low = high
                if not len(rows):
                    continue
                xs = np.full((len(rows), 3), np.nan)
                ys = np.full((len(rows), 3), np.nan)
                xs[:, 0], xs[:, 1] = layer, layer + 1
                ys[:, 0], ys[:, 1] = heights[layer][rows], heights[layer + 1][cols]
                figure.add_trace(
                    go.Scatter(
                        x=xs.ravel(),
                        y=ys.ravel(),
                        mode="lines",
                        line={"color": colour, "width": EDGE_WIDTHS[step]},
                        opacity=EDGE_OPACITIES[step],  # faint small weights, so the large ones stand out
                        hoverinfo="skip",
                        showlegend=False,
                    )
                )
    labels = []
    for layer, shown in enumerate(diagram.shown):
        if layer == 0:
            labels.append(
                [
                    tr("pixel ({row}, {column})").format(row=i // IMAGE_SIDE, column=i % IMAGE_SIDE)
                    for i in shown
                ]
            )
        elif layer == columns - 1:
            labels.append([tr("output {digit} (digit {digit})").format(digit=i) for i in shown])
        else:
            labels.append(
                [tr("hidden layer {layer}, unit {unit}").format(layer=layer, unit=i) for i in shown]
            )
    for layer, shown in enumerate(diagram.shown):
        hover = labels[layer]
        if layer:
            bias = tr("bias {value}")
            hover = [
                f"{text}<br>" + bias.format(value=signed(b, 4))
                for text, b in zip(hover, diagram.biases[layer - 1])
            ]
        figure.add_trace(
            go.Scatter(
                x=np.full(len(shown), layer),
                y=heights[layer],
                mode="markers+text" if layer == columns - 1 else "markers",
                marker={
                    "size": 11,
                    "color": NODE if layer > 0 else MUTED,
                    "line": {"width": 1, "color": "white"},
                },
                text=[str(i) for i in shown] if layer == columns - 1 else None,
                textposition="middle right",
                hovertext=hover,
                hoverinfo="text",
                showlegend=False,
            )
        )
    # The 28 x 28 grid the inputs come from, with the drawn pixels marked.
    grid = np.zeros((IMAGE_SIDE, IMAGE_SIDE))
    for row in INPUT_LATTICE:
        grid[row, list(INPUT_LATTICE)] = 1.0
    cell = (GRID_RIGHT - GRID_LEFT) / IMAGE_SIDE
    figure.add_trace(
        go.Heatmap(
            z=grid[::-1],
            x0=GRID_LEFT + cell / 2,
            dx=cell,
            y0=0.5 - IMAGE_SIDE * cell / 2 + cell / 2,
            dy=cell,
            colorscale=[[0, "#eeeef4"], [1, "#6b6b80"]],
            showscale=False,
            hoverinfo="skip",
            xgap=0.5,
            ygap=0.5,
        )
    )
    widths = diagram.widths
    names = (
        [tr("784 inputs")]
        + [
            tr("hidden {layer}: {units} units").format(layer=i, units=w)
            for i, w in enumerate(widths[1:-1], start=1)
        ]
        + [tr("10 outputs")]
    )
    figure.add_annotation(x=(GRID_LEFT + GRID_RIGHT) / 2, y=1.08, text=tr("28 x 28 pixels"), showarrow=False)
    for layer, name in enumerate(names):
        figure.add_annotation(x=layer, y=1.08, text=name, showarrow=False)
    figure.add_annotation(
        x=0.5, y=-0.12, xref="paper", text=diagram_note(diagram), showarrow=False, font={"color": "#6b6b80"}
    )
    figure.update_layout(
        title={
            "text": tr("Your network, {stage}: blue edges positive, red negative, thicker = larger").format(
                stage=stage
            )
        },
        xaxis={"visible": False, "range": [GRID_LEFT - 0.05, columns - 1 + 0.35]},
        yaxis={"visible": False, "range": [-0.15, 1.14]},
        height=380,
        margin={"l": 10, "r": 10, "t": 50, "b": 30},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return figure


def dense_diagram_alt(diagram: DiagramWeights, stage: str) -> str:
    """The diagram in words, with its numbers, for a screen reader."""
    edges = np.concatenate([k.ravel() for k in diagram.kernels])
    widths = " - ".join(str(w) for w in diagram.widths)
    return tr(
        "Diagram of a {widths} dense network, {stage}. {note}. "
        "{positive} of the {count} drawn weights are positive (blue) and "
        "{negative} negative (red); the largest is {largest}, the smallest {smallest}."
    ).format(
        widths=widths,
        stage=stage,
        note=diagram_note(diagram),
        positive=int((edges > 0).sum()),
        count=edges.size,
        negative=int((edges < 0).sum()),
        largest=signed(edges.max(), 3),
        smallest=signed(edges.min(), 3),
    )


def signed(value: float, decimals: int) -> str:
    """A number with its sign always written (+0.120, -0.034), in the current language."""
    return ("+" if value >= 0 else "-") + number(abs(float(value)), decimals)


def convnet_blocks_figure(rows: list[LayerRow]) -> go.Figure:
    """A convnet as a row of blocks, one per layer, with its output tensor shape and parameter count."""
    figure = go.Figure()
    count = len(rows)
    sizes = []
    for row in rows:
        values = [d for d in row.output_shape[1:]]
        sizes.append(float(np.prod(values)))
    largest = max(sizes)
    for index, (row, size) in enumerate(zip(rows, sizes)):
        height = 0.25 + 0.6 * np.sqrt(size / largest)  # area-ish: 21,632 numbers look bigger than 10
        colour = MUTED if row.parameters == 0 else NODE
        figure.add_shape(
            type="rect",
            x0=index - 0.38,
            x1=index + 0.38,
            y0=0.5 - height / 2,
            y1=0.5 + height / 2,
            fillcolor=colour,
            opacity=0.85,
            line={"width": 0},
        )
        figure.add_annotation(x=index, y=1.02, text=row.name.replace(" (", "<br>("), showarrow=False)
        figure.add_annotation(x=index, y=-0.03, text=shape_text(row.output_shape), showarrow=False)
        figure.add_annotation(
            x=index, y=-0.16, text=parameters_text(row.parameters),
            showarrow=False, font={"color": "#6b6b80"},
        )  # fmt: skip
        if index:
            figure.add_annotation(
                x=index - 0.38, y=0.5, ax=index - 0.62, ay=0.5, xref="x", yref="y", axref="x", ayref="y",
                showarrow=True, arrowhead=2, arrowwidth=1.5, arrowcolor="#6b6b80", text="",
            )  # fmt: skip
    # An invisible trace per block so hovering a block names it.
    figure.add_trace(
        go.Scatter(
            x=list(range(count)),
            y=[0.5] * count,
            mode="markers",
            marker={"size": 30, "opacity": 0},
            hovertext=[
                f"{r.name}<br>"
                + tr("output {shape}").format(shape=shape_text(r.output_shape))
                + "<br>"
                + (f"{r.formula} = {parameters_text(r.parameters)}" if r.parameters else parameters_text(0))
                for r in rows
            ],  # fmt: skip
            hoverinfo="text",
            showlegend=False,
        )
    )
    total = sum(r.parameters for r in rows)
    figure.update_layout(
        title={
            "text": tr("Your convnet: 4-D tensors (batch, height, width, channels), {parameters}").format(
                parameters=parameters_text(total)
            )
        },
        xaxis={"visible": False, "range": [-0.5, count - 0.5]},
        yaxis={"visible": False, "range": [-0.25, 1.12]},
        height=330,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return figure


def convnet_blocks_alt(rows: list[LayerRow]) -> str:
    steps = "; ".join(
        f"{r.name} {shape_text(r.output_shape)}, {parameters_text(r.parameters, zero='0')}" for r in rows
    )
    return tr("Block diagram of the convnet, layer by layer: {steps}.").format(steps=steps)


def parameters_text(count: int, zero: str | None = None) -> str:
    """'25,120 parameters', '1 parameter', or 'no parameters' (``zero`` names a count of none instead)."""
    if count == 0 and zero is None:
        return tr("no parameters")
    return ntr("{n} parameter", "{n} parameters", count).format(n=zero if count == 0 else integer(count))
