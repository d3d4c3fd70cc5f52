"""Presenter view from app.py: the URL parameter turns it on, and every page runs in it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
import streamlit
from conftest import APP_FILE, APP_TIMEOUT_SECONDS
from streamlit.testing.v1 import AppTest

from mnist_core.figures import data_figures, prediction_figures, training_figures
from ui.charts import NORMAL, PRESENTER, style_figure
from ui.presentation import PRESENTER_CSS

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "app_pages").glob("*.py"))


@pytest.fixture
def page_config_calls(monkeypatch):
    """Every st.set_page_config call's keyword arguments, in order (the real call still runs)."""
    calls = []
    real = streamlit.set_page_config

    def recording(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(streamlit, "set_page_config", recording)
    return calls


def open_with_query(page: str, query: dict[str, str]) -> AppTest:
    app = AppTest.from_file(APP_FILE, default_timeout=APP_TIMEOUT_SECONDS)
    for name, value in query.items():
        app.query_params[name] = value
    app.run()
    if page != "app_pages/home.py":
        app.switch_page(page)
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def chart_specs(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def styles(app: AppTest) -> str:
    return "".join(element.proto.body for element in app.get("html"))


def test_presenter_parameter_collapses_the_sidebar_and_enlarges_text(page_config_calls):
    app = open_with_query("app_pages/data.py", {"presenter": "true"})
    assert app.toggle(key="presenter").value is True
    assert page_config_calls[-1].get("initial_sidebar_state") == "collapsed"
    assert PRESENTER_CSS.strip() in styles(app)
    specs = chart_specs(app)
    assert specs
    for spec in specs:
        assert spec["layout"]["font"]["size"] == PRESENTER.text
        assert spec["layout"]["xaxis"]["tickfont"]["size"] == PRESENTER.ticks


def test_without_the_parameter_the_normal_view_is_shown(page_config_calls):
    app = open_with_query("app_pages/data.py", {})
    assert app.toggle(key="presenter").value is False
    assert page_config_calls[-1].get("initial_sidebar_state") == "auto"
    assert PRESENTER_CSS.strip() not in styles(app)
    assert chart_specs(app)[0]["layout"]["xaxis"]["tickfont"]["size"] == NORMAL.ticks


def test_turning_the_toggle_off_gives_the_sidebar_back(page_config_calls):
    app = open_with_query("app_pages/home.py", {"presenter": "true"})
    app.toggle(key="presenter").set_value(False).run()
    assert page_config_calls[-1].get("initial_sidebar_state") == "auto"
    assert PRESENTER_CSS.strip() not in styles(app)


def test_build_and_train_folds_its_settings_in_presenter_view():
    presenter = open_with_query("app_pages/build_and_train.py", {"presenter": "true"})
    normal = open_with_query("app_pages/build_and_train.py", {})
    assert [e.label for e in presenter.expander][0].startswith("Settings")
    assert not [e for e in normal.expander if e.label.startswith("Settings")]
    # the same controls, only folded away
    assert {s.key for s in presenter.slider} == {s.key for s in normal.slider}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_presenter_view(page):
    app = open_with_query(page, {"presenter": "true"})
    assert app.toggle(key="presenter").value is True
    for spec in chart_specs(app):
        assert spec["layout"]["font"]["size"] == PRESENTER.text


def test_style_figure_sets_every_font_and_frees_theme_bound_colours():
    figure = data_figures.image_grid(np.zeros((3, 28, 28)), titles=["a", "b", "c"], columns=3)
    assert figure.layout.plot_bgcolor == "white"
    sizes = [a.font.size for a in figure.layout.annotations]
    figure = style_figure(figure, PRESENTER)
    assert figure.layout.plot_bgcolor is None  # the theme's background, light or dark
    assert [a.font.size for a in figure.layout.annotations] == sizes  # captions fitted to the tiles

    strip = data_figures.vector_strip(np.zeros(784))
    strip = style_figure(strip, PRESENTER)
    assert [a.font.size for a in strip.layout.annotations] == [PRESENTER.annotation] * 2  # subplot titles

    grid = prediction_figures.image_grid_figure(
        np.zeros((2, 28, 28)), ["right", "wrong"], title_colors=["#333", "#d62728"]
    )
    grid = style_figure(grid, NORMAL)
    assert [a.font.color for a in grid.layout.annotations] == [None, "#d62728"]  # grey goes, red stays

    epochs = training_figures.epoch_curves_figure(
        [{"epoch": 1, "loss": 1.0, "accuracy": 0.5, "val_loss": 1.1, "val_accuracy": 0.4}]
    )
    top_before = epochs.layout.margin.t
    epochs = style_figure(epochs, PRESENTER)
    for axis in (*epochs.select_xaxes(), *epochs.select_yaxes()):
        assert axis.tickfont.size == PRESENTER.ticks
    assert epochs.layout.legend.font.size == PRESENTER.legend
    # The legend left the x axis title's place under the plot for a line of its own above it.
    assert epochs.layout.legend.yref == "container" and epochs.layout.legend.yanchor == "top"
    assert epochs.layout.margin.t == top_before + PRESENTER.legend + 12

    heatmap = data_figures.digit_heatmap(np.zeros((28, 28)), "Raw pixels")
    heatmap = style_figure(heatmap, PRESENTER)
    assert heatmap.layout.title.font.size == PRESENTER.title
    # title and the top axis's tick labels both fit in the top margin
    assert heatmap.layout.margin.t >= PRESENTER.title + PRESENTER.ticks + 28


def test_strip_numbers_have_no_fixed_colour_and_grow_in_presenter_view():
    strip = data_figures.vector_strip(np.arange(784) % 256, highlight=406)
    magnified = strip.data[1]
    assert magnified.textfont.color is None  # plotly picks black or white per cell
    size = magnified.textfont.size
    strip = style_figure(strip, PRESENTER)
    assert strip.data[1].textfont.size == size + PRESENTER.cell_growth


def test_every_chart_goes_through_show_chart():
    """One place decides chart styling: no page or helper calls plotly_chart itself."""
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("app_pages", "ui")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "charts.py" and ".plotly_chart(" in path.read_text()
    ]
    assert offenders == []
    assert isinstance(style_figure(go.Figure(), NORMAL), go.Figure)


def test_presenter_prompt_shows_the_text_escaped_in_the_prompt_class():
    def lesson_step():
        from ui.presentation import presenter_prompt

        presenter_prompt(
            "Will accuracy go up or down if the pixels are not scaled? <Decide>, then press Train"
        )

    app = AppTest.from_function(lesson_step).run()
    body = app.get("html")[0].proto.body
    assert body.startswith('<p class="presenter-prompt">')
    assert "&lt;Decide&gt;" in body and "<Decide>" not in body
