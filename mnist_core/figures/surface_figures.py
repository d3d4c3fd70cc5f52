"""Plotly figures of the loss-surface page: pure functions from arrays to figures."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from mnist_core.figures.palette import CATEGORY_COLOURS
from mnist_core.i18n import N_, integer, number, tr

OPTIMIZER_COLORS = dict(zip(("sgd", "momentum", "rmsprop", "adam"), CATEGORY_COLOURS))
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": N_("SGD + momentum"), "rmsprop": "RMSProp", "adam": "Adam"}
MAX_FRAMES = 50  # animation frames per race: smooth enough, light enough to resend on every slider move
HEIGHT_FLOOR = 1e-3  # log colour scales need heights above zero


def signed(value: float, decimals: int) -> str:
    """``value`` with its sign, written for the current language: "+0.58" / "+0,58"."""
    text = number(value, decimals)
    return text if text.startswith("-") else "+" + text


def _play_controls(frame_names: list[str], label: str, duration_ms: int) -> dict:
    """Plotly's own play button and step slider, so animations run in the browser."""
    play = {
        "type": "buttons",
        "showactive": False,
        "x": 0.0,
        "y": -0.12,
        "xanchor": "left",
        "yanchor": "top",
        "direction": "left",
        "buttons": [
            {
                "label": tr("▶ Play"),
                "method": "animate",
                "args": [None, {"frame": {"duration": duration_ms, "redraw": True}, "fromcurrent": False}],
            },
            {
                "label": tr("Pause"),
                "method": "animate",
                "args": [[None], {"frame": {"duration": 0}, "mode": "immediate"}],
            },
        ],
    }
    slider = {
        "x": 0.2,
        "y": -0.08,
        "len": 0.8,
        "currentvalue": {"prefix": f"{label}: "},
        "steps": [
            {
                "label": name,
                "method": "animate",
                "args": [[name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}],
            }
            for name in frame_names
        ],
        "active": len(frame_names) - 1,
    }
    return {"updatemenus": [play], "sliders": [slider]}


def _frame_steps(n_steps: int) -> list[int]:
    """At most MAX_FRAMES step numbers from 0 to n_steps, always including both ends."""
    return sorted({int(round(k)) for k in np.linspace(0, n_steps, min(n_steps, MAX_FRAMES - 1) + 1)})


# --- Part 1: the walker ---


def walker_figure(
    curve_x: np.ndarray,
    curve_y: np.ndarray,
    positions: np.ndarray,
    losses: np.ndarray,
    slopes: np.ndarray,
    valleys: dict[str, tuple[float, float]],
    starts: dict[str, tuple[float, float]],
    tangent_half_width: float = 0.9,
) -> go.Figure:
    """The three-valley curve, the walker's steps so far, and the tangent where it stands.

    Parameters
    ----------
    curve_x, curve_y : arrays of shape (n,), the curve
    positions, losses, slopes : arrays of shape (steps + 1,), the walk (finite entries only)
    valleys, starts : name -> (x, y) for the labels A, B, C and the lesson's starts 1, 2
    """

    names = {"steps": tr("steps so far"), "tangent": tr("tangent: slope {slope}"), "walker": tr("the walker")}

    def tangent(k):
        xs = np.array([positions[k] - tangent_half_width, positions[k] + tangent_half_width])
        return xs, losses[k] + slopes[k] * (xs - positions[k])

    def moving_traces(k):
        tx, ty = tangent(k)
        return [
            go.Scatter(x=positions[: k + 1], y=losses[: k + 1], mode="lines+markers", name=names["steps"]),
            go.Scatter(x=tx, y=ty, mode="lines", name=names["tangent"].format(slope=signed(slopes[k], 2))),
            go.Scatter(x=[positions[k]], y=[losses[k]], mode="markers", name=names["walker"]),
        ]

    last = len(positions) - 1
    y_low, y_high = float(np.min(curve_y)) - 0.4, float(np.max(curve_y)) + 0.6
    figure = go.Figure(
        [go.Scatter(x=curve_x, y=curve_y, mode="lines", name=tr("loss"), line={"color": "#555", "width": 3})]
        + moving_traces(last)
    )
    styles = [
        {"line": {"color": "#9ecae1", "dash": "dot"}, "marker": {"size": 6, "color": "#3182bd"}},
        {"line": {"color": "#e6550d", "width": 2}},
        {"marker": {"size": 18, "color": "#e6550d", "line": {"color": "white", "width": 2}}},
    ]
    for index, style in enumerate(styles, start=1):
        figure.data[index].update(**style)
    for name, (x, y) in valleys.items():
        figure.add_annotation(x=x, y=y, text=f"<b>{name}</b>", showarrow=False, yshift=-18, font={"size": 16})
    for name, (x, y) in starts.items():
        figure.add_annotation(
            x=x,
            y=y,
            text=tr("start {name}").format(name=name),
            showarrow=True,
            arrowhead=2,
            ay=-35,
            font={"color": "#3182bd"},
        )
    if last > 0:
        steps = _frame_steps(last)
        figure.frames = [go.Frame(data=moving_traces(k), traces=[1, 2, 3], name=str(k)) for k in steps]
        figure.update_layout(**_play_controls([str(k) for k in steps], tr("step"), 250))
    figure.update_layout(
        height=430,
        margin={"l": 10, "r": 10, "t": 10, "b": 90 if last > 0 else 10},
        xaxis={"title": tr("the weight"), "range": [float(curve_x[0]), float(curve_x[-1])]},
        yaxis={"title": tr("loss"), "range": [y_low, y_high]},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return figure


# --- Part 2: optimizers racing on a surface ---


def log_height(z: np.ndarray, lowest: float) -> np.ndarray:
    """log10 of the height above the lowest point, for colour scales that show valley floors."""
    return np.log10(np.maximum(np.asarray(z, float) - lowest, 0) + HEIGHT_FLOOR)


def _log_colorbar(values: np.ndarray) -> dict:
    """A colour bar on log10 heights whose tick labels read as plain heights."""
    exponents = np.arange(np.floor(np.nanmin(values)), np.ceil(np.nanmax(values)) + 1)
    return {
        "title": {"text": tr("height above<br>the lowest<br>point")},
        "tickvals": exponents,
        "ticktext": [number(10.0**e, int(max(0, -e))) for e in exponents],
    }


def race_contour_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    z: np.ndarray,
    lowest: float,
    paths: dict[str, np.ndarray],
) -> go.Figure:
    """A contour map of the surface with every optimizer's path, animated step by step.

    Parameters
    ----------
    xs : (nx,), ys : (ny,), z : (ny, nx) the surface
    lowest : the surface's minimum, for the log colour scale
    paths : optimizer name -> array of shape (steps + 1, 2), NaN after a divergence
    """
    colours = log_height(z, lowest)
    figure = go.Figure(
        go.Contour(
            x=xs,
            y=ys,
            z=colours,
            colorscale="Viridis",
            ncontours=25,
            colorbar=_log_colorbar(colours),
            hovertemplate="x %{x:.2f}, y %{y:.2f}<extra></extra>",
        )
    )
    names = list(paths)
    for name in names:
        path = paths[name]
        figure.add_scatter(
            x=path[:, 0],
            y=path[:, 1],
            mode="lines+markers",
            name=tr(OPTIMIZER_LABELS[name]),
            line={"color": OPTIMIZER_COLORS[name], "width": 2},
            marker={"size": 4},
        )
    if names:
        start = next(iter(paths.values()))[0]
        figure.add_scatter(
            x=[start[0]],
            y=[start[1]],
            mode="markers",
            name=tr("start"),
            marker={"symbol": "x", "size": 12, "color": "white"},
        )
        n_steps = len(next(iter(paths.values()))) - 1
        if n_steps > 0:
            steps = _frame_steps(n_steps)
            figure.frames = [
                go.Frame(
                    data=[go.Scatter(x=paths[name][: k + 1, 0], y=paths[name][: k + 1, 1]) for name in names],
                    traces=list(range(1, len(names) + 1)),
                    name=str(k),
                )
                for k in steps
            ]
            figure.update_layout(**_play_controls([str(k) for k in steps], tr("step"), 80))
    figure.update_layout(
        height=520,
        margin={"l": 10, "r": 10, "t": 30, "b": 100},
        xaxis={"title": tr("weight x"), "range": [float(xs[0]), float(xs[-1])], "constrain": "domain"},
        yaxis={
            "title": tr("weight y"),
            "range": [float(ys[0]), float(ys[-1])],
            "scaleanchor": "x",  # equal scales: the true shape of the valleys
            "constrain": "domain",
        },
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return figure


def race_surface_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    z: np.ndarray,
    lowest: float,
    paths: dict[str, np.ndarray],
    path_losses: dict[str, np.ndarray],
) -> go.Figure:
    """The surface in 3-D with every path on it, lifted a little so the surface does not hide it."""
    cap = float(np.max(z))
    lift = 0.01 * (cap - lowest)
    figure = go.Figure(
        go.Surface(
            x=xs,
            y=ys,
            z=z,
            surfacecolor=log_height(z, lowest),
            colorscale="Viridis",
            showscale=False,
            opacity=0.85,
            hovertemplate=tr("x %{x:.2f}, y %{y:.2f}, loss %{z:.3g}") + "<extra></extra>",
        )
    )
    for name, path in paths.items():
        inside = (
            (path[:, 0] >= xs[0]) & (path[:, 0] <= xs[-1]) & (path[:, 1] >= ys[0]) & (path[:, 1] <= ys[-1])
        )
        figure.add_scatter3d(
            x=np.where(inside, path[:, 0], np.nan),
            y=np.where(inside, path[:, 1], np.nan),
            z=np.minimum(path_losses[name], cap) + lift,
            mode="lines+markers",
            name=tr(OPTIMIZER_LABELS[name]),
            line={"color": OPTIMIZER_COLORS[name], "width": 5},
            marker={"size": 2, "color": OPTIMIZER_COLORS[name]},
        )
    figure.update_layout(
        height=520,
        margin={"l": 30, "r": 0, "t": 30, "b": 0},
        scene_aspectmode="cube",
        scene={
            "xaxis_title": tr("weight x"),
            "yaxis_title": tr("weight y"),
            "zaxis_title": tr("loss"),
            "camera": {"eye": {"x": 0.9, "y": -1.5, "z": 1.5}},
        },
        showlegend=False,
    )
    return figure


def race_losses_figure(path_losses: dict[str, np.ndarray], lowest: float) -> go.Figure:
    """Each optimizer's height above the lowest point, step by step, on a log axis."""
    figure = go.Figure()
    for name, losses in path_losses.items():
        figure.add_scatter(
            x=np.arange(len(losses)),
            y=np.maximum(losses - lowest, 1e-12),
            mode="lines",
            name=tr(OPTIMIZER_LABELS[name]),
            line={"color": OPTIMIZER_COLORS[name]},
        )
    figure.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis_title=tr("step (gradient updates)"),
        yaxis={"title": tr("loss above the lowest point"), "type": "log", "exponentformat": "power"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return figure


# --- Part 3: the student's network ---


def interpolation_figure(alphas: np.ndarray, train: np.ndarray, validation: np.ndarray) -> go.Figure:
    """The loss on the straight line from the initial (0) to the trained (1) weights and beyond."""
    figure = go.Figure()
    figure.add_scatter(x=alphas, y=train, mode="lines+markers", name=tr("training images"))
    figure.add_scatter(x=alphas, y=validation, mode="lines+markers", name=tr("validation images"))
    for x, text in ((0.0, tr("initial weights")), (1.0, tr("trained weights"))):
        figure.add_vline(x=x, line={"dash": "dot", "color": "#888"}, annotation_text=text)
    figure.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis_title=tr("alpha: weights = initial + alpha x (trained - initial)"),
        yaxis={"title": tr("loss (cross-entropy)"), "rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return figure


def _path_labels(n: int) -> list[str]:
    after = tr("after epoch {epoch}")
    return [tr("before training")] + [after.format(epoch=integer(k)) for k in range(1, n)]


def landscape_contour_figure(
    x: np.ndarray,
    y: np.ndarray,
    grid: np.ndarray,
    axis_titles: tuple[str, str],
    path: np.ndarray | None = None,
    path_losses: np.ndarray | None = None,
) -> go.Figure:
    """Contours of the loss on a plane through the trained weights (at (0, 0)), and the path if given.

    Parameters
    ----------
    x : (nx,), y : (ny,), grid : (ny, nx) losses
    path : (n_saved, 2) coordinates of the saved weights, path_losses : (n_saved,)
    """
    figure = go.Figure(
        go.Contour(
            x=x,
            y=y,
            z=np.log10(grid),
            colorscale="Viridis",
            ncontours=25,
            colorbar={
                "title": {"text": tr("loss")},
                "tickvals": np.log10([0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]),
                "ticktext": [number(t) for t in (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100)],
            },
            customdata=grid,
            hovertemplate=tr("loss %{customdata:.3f}") + "<extra></extra>",
        )
    )
    if path is not None:
        labels = _path_labels(len(path))
        figure.add_scatter(
            x=path[:, 0],
            y=path[:, 1],
            mode="lines+markers+text",
            text=labels,
            textposition="top center",
            textfont={"color": "white"},
            customdata=path_losses,
            hovertemplate=tr("%{text}: loss %{customdata:.3f}") + "<extra></extra>",
            line={"color": "white", "width": 3},
            marker={"size": 9, "color": "#e6550d"},
            name=tr("training path"),
        )
    figure.add_scatter(
        x=[0],
        y=[0],
        mode="markers",
        name=tr("trained weights"),
        marker={"symbol": "star", "size": 16, "color": "white"},
    )
    figure.update_layout(
        height=480,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis_title=axis_titles[0],
        yaxis_title=axis_titles[1],
        showlegend=False,
    )
    return figure


def landscape_surface_figure(
    x: np.ndarray,
    y: np.ndarray,
    grid: np.ndarray,
    axis_titles: tuple[str, str],
    path: np.ndarray | None = None,
    path_losses: np.ndarray | None = None,
) -> go.Figure:
    """The same plane as a 3-D surface (loss on a log axis), with the path on it."""
    figure = go.Figure(
        go.Surface(
            x=x,
            y=y,
            z=np.log10(grid),
            colorscale="Viridis",
            showscale=False,
            customdata=grid,
            hovertemplate=tr("loss %{customdata:.3f}") + "<extra></extra>",
        )
    )
    if path is not None:
        figure.add_scatter3d(
            x=path[:, 0],
            y=path[:, 1],
            z=np.log10(path_losses) + 0.02,
            mode="lines+markers",
            line={"color": "white", "width": 6},
            marker={"size": 4, "color": "#e6550d"},
            text=_path_labels(len(path)),
            hovertemplate="%{text}<extra></extra>",
        )
    ticks = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
    figure.update_layout(
        height=480,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        scene={
            "xaxis_title": axis_titles[0],
            "yaxis_title": axis_titles[1],
            "zaxis": {
                "title": tr("loss"),
                "tickvals": np.log10(ticks),
                "ticktext": [number(t) for t in ticks],
            },
        },
        showlegend=False,
    )
    return figure
