"""Plotly figures of training progress (lessons 3 and 4). Pure: arrays in, Figure out."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mnist_core.engine.training import rate_text
from mnist_core.figures.palette import CATEGORY_COLOURS
from mnist_core.i18n import N_, decimal_separators, tr

TRAIN_COLOR = "#4b3fd6"
VALIDATION_COLOR = "#e4572e"
MAX_POINTS = 2_000  # more points than pixels only slows the browser


def _thin(values: list, max_points: int = MAX_POINTS) -> list:
    step = max(1, math.ceil(len(values) / max_points))
    return values[::step]


LEARNING_RATE_COLOR = "#2a9d3a"
METRIC_NAMES = {
    "val_accuracy": N_("validation accuracy"),
    "val_loss": N_("validation loss"),
    "accuracy": N_("accuracy"),
    "loss": N_("loss"),
}


def _mark_learning_rate_changes(
    figure: go.Figure, positions: list[tuple[float, float]], x_range: tuple[float, float]
) -> None:
    """A dashed line, labelled with the new rate, where the learning rate was changed mid-run.

    The x range is fixed to ``x_range`` when there are marks: plotly would stretch it to hold a label.
    """
    for x, rate in positions:
        figure.add_vline(
            x=x,
            line={"dash": "dash", "color": LEARNING_RATE_COLOR, "width": 2},
            annotation={"text": f"lr {rate_text(rate)}", "font": {"color": LEARNING_RATE_COLOR}},
            annotation_position="top right",
        )
    if positions:
        figure.update_xaxes(range=list(x_range))


def batch_curves_figure(
    batches: dict, updates_per_epoch: int | None = None, learning_rate_changes: list[dict] | None = None
) -> go.Figure:
    """Loss and accuracy of the latest batches against gradient updates, side by side.

    Parameters
    ----------
    batches : dict with lists "update", "loss", "accuracy" of equal length
    updates_per_epoch : int, optional
        Draws a dotted line where each epoch ends.
    learning_rate_changes : list of {"update", "learning_rate"}, optional
        Marks each mid-run change of the learning rate at the update after which it took effect.
    """
    figure = make_subplots(rows=1, cols=2, subplot_titles=(tr("Loss (lower is better)"), tr("Accuracy")))
    updates = _thin(batches.get("update", []))
    for column, key, name in ((1, "loss", tr("training loss")), (2, "accuracy", tr("training accuracy"))):
        figure.add_trace(
            go.Scatter(
                x=updates,
                y=_thin(batches.get(key, [])),
                mode="lines",
                name=name,
                line={"color": TRAIN_COLOR, "width": 1.5},
                showlegend=False,
            ),
            row=1,
            col=column,
        )
    if updates_per_epoch and updates:
        for boundary in range(updates_per_epoch, updates[-1] + 1, updates_per_epoch):
            figure.add_vline(x=boundary, line={"dash": "dot", "color": "#999", "width": 1})
    _mark_learning_rate_changes(
        figure,
        [(change["update"], change["learning_rate"]) for change in learning_rate_changes or []],
        (0, max(updates[-1] if updates else 1, 1)),
    )
    figure.update_xaxes(title_text=tr("gradient updates"))
    figure.update_yaxes(rangemode="tozero", row=1, col=1)
    figure.update_yaxes(range=[0, 1], row=1, col=2)
    figure.update_layout(
        height=300, margin={"t": 40, "b": 40, "l": 40, "r": 10}, separators=decimal_separators()
    )
    return figure


def epoch_curves_figure(
    epochs: list[dict], learning_rate_changes: list[dict] | None = None, updates_per_epoch: int | None = None
) -> go.Figure:
    """Training vs validation loss and accuracy per epoch (lesson 4's plots).

    A learning rate changed after update u is marked at epoch u / ``updates_per_epoch``.
    """
    figure = make_subplots(rows=1, cols=2, subplot_titles=(tr("Loss per epoch"), tr("Accuracy per epoch")))
    numbers = [row["epoch"] for row in epochs]
    for column, metric in ((1, "loss"), (2, "accuracy")):
        for prefix, label, color in (
            ("", tr("training"), TRAIN_COLOR),
            ("val_", tr("validation"), VALIDATION_COLOR),
        ):
            figure.add_trace(
                go.Scatter(
                    x=numbers,
                    y=[row.get(prefix + metric) for row in epochs],
                    mode="lines+markers",
                    name=label,
                    legendgroup=label,
                    showlegend=column == 1,
                    line={"color": color},
                ),
                row=1,
                col=column,
            )
    if updates_per_epoch:
        _mark_learning_rate_changes(
            figure,
            [(c["update"] / updates_per_epoch, c["learning_rate"]) for c in learning_rate_changes or []],
            (0, max(len(epochs), 1) + 0.1),
        )
    figure.update_xaxes(title_text=tr("epoch"), dtick=1 if len(epochs) <= 20 else None)
    figure.update_layout(
        height=300,
        separators=decimal_separators(),
        margin={"t": 40, "b": 40, "l": 40, "r": 36},  # room for the vertical toolbar
        legend={"orientation": "h", "y": -0.25},
        modebar={"orientation": "v"},  # down the right edge, off the subplot titles
    )
    return figure


# Run colours: the app's categorical palette, told apart with every common colour-vision deficiency
# and with 3:1 contrast on light and dark themes (mnist_core/figures/palette.py).
RUN_COLORS = CATEGORY_COLOURS
RUN_DASHES = ("solid", "dash", "dot", "dashdot")
RUN_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "pentagon", "cross")


def run_style(index: int) -> dict:
    """Colour, dash and marker of the ``index``-th run: no two of the first 28 runs share all three."""
    return {
        "color": RUN_COLORS[index % len(RUN_COLORS)],
        "dash": RUN_DASHES[(index // len(RUN_COLORS)) % len(RUN_DASHES)],
        "symbol": RUN_SYMBOLS[index % len(RUN_SYMBOLS)],
    }


def compare_runs_figure(
    runs: list[tuple[str, list[dict]]], metric: str = "val_accuracy", baseline: str | None = None
) -> go.Figure:
    """One line per run of ``metric`` against epochs, to compare this session's runs.

    Runs differ by colour, marker and (past seven runs) dash; the ``baseline`` run's line is
    thicker. A 1-epoch run is one point, so it is drawn as a large marker labelled with its run.
    """
    figure = go.Figure()
    for index, (label, epochs) in enumerate(runs):
        style = run_style(index)
        single = len(epochs) == 1
        figure.add_trace(
            go.Scatter(
                x=[row["epoch"] for row in epochs],
                y=[row.get(metric) for row in epochs],
                mode="markers+text" if single else "lines+markers",
                name=label,
                line={"color": style["color"], "dash": style["dash"], "width": 4 if label == baseline else 2},
                marker={"symbol": style["symbol"], "size": 13 if single else 8, "color": style["color"]},
                text=[label.split(":")[0]] if single else None,
                textposition="middle right",
                hovertemplate=label + "<br>" + tr("epoch") + " %{x}: %{y:.4f}<extra></extra>",
            )
        )
    figure.update_layout(
        xaxis_title=tr("epoch"),
        yaxis_title=tr(METRIC_NAMES.get(metric, metric)),
        separators=decimal_separators(),
        height=340 + 22 * max(len(runs) - 2, 0),  # room for the legend's rows below the plot
        margin={"t": 20, "b": 40, "l": 40, "r": 10},
        legend={"orientation": "h", "y": -0.3 if len(runs) <= 4 else -0.15, "yanchor": "top"},
    )
    longest = max((len(epochs) for _, epochs in runs), default=1)
    # Whole epochs only: plotly would otherwise label a short run's axis "1.5 epochs".
    figure.update_xaxes(
        tickformat="d",
        dtick=1 if longest <= 20 else None,
        range=[0.5, 2.5]
        if longest < 2
        else None,  # a lone epoch-1 point sits inside the plot, not on its edge
    )
    return figure
