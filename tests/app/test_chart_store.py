"""show_chart's two savings: no second plotly check of a styled spec, and charts built once per server."""

from __future__ import annotations

import inspect
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools
import pytest
from streamlit.elements.plotly_chart import PlotlyMixin
from streamlit.testing.v1 import AppTest

from mnist_core.figures import data_figures, prediction_figures
from mnist_core.i18n import LANGUAGES, in_language
from ui.charts import NORMAL, PRESENTER, chart, styled_spec, unchecked_figure

DIGIT = (np.arange(784).reshape(28, 28) % 256).astype(np.uint8)


def figures() -> list[go.Figure]:
    """Builders of each kind the pages use: a heatmap, subplots with shapes, an image grid, bars."""
    return [
        data_figures.digit_heatmap(DIGIT, "Raw pixels, 0-255", highlight=(3, 4), clickable=True),
        data_figures.vector_strip(DIGIT.reshape(-1), highlight=100, clickable=True),
        prediction_figures.image_grid_figure(np.stack([DIGIT, DIGIT.T]), ["a", "b"], columns=2),
        prediction_figures.probabilities_figure(np.linspace(0, 1, 10) / 5, 3),
    ]


@pytest.mark.parametrize("fonts", [NORMAL, PRESENTER])
def test_the_unchecked_figure_sends_what_streamlits_checked_one_sends(fonts):
    """Streamlit checks a dict by building a plotly figure from it; the figure given instead must give the
    browser the same JSON (keys may come in another order)."""
    for figure in figures():
        spec = styled_spec(figure, fonts)
        checked = plotly.tools.return_figure_from_figure_or_data(
            styled_spec(figure, fonts), validate_figure=True
        )
        unchecked = plotly.tools.return_figure_from_figure_or_data(
            unchecked_figure(spec), validate_figure=True
        )
        assert json.loads(pio.to_json(unchecked, validate=False)) == json.loads(
            pio.to_json(checked, validate=False)
        )


def test_streamlit_takes_a_figure_as_its_to_dict_without_checking_it():
    """What ``unchecked_figure`` relies on (Streamlit 1.67 and plotly's tools): if either changes, this fails."""
    wrong = {"data": [{"type": "bar", "y": [1, 2]}], "layout": {"height": "tall"}}
    with pytest.raises(ValueError):
        plotly.tools.return_figure_from_figure_or_data(dict(wrong), validate_figure=True)
    figure = unchecked_figure(wrong)
    assert plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True) is wrong
    source = inspect.getsource(PlotlyMixin.plotly_chart)
    assert "return_figure_from_figure_or_data(" in source and "validate_figure=True" in source


def counting_heatmap(calls: list):
    def build(image, title):
        calls.append(title)
        return data_figures.digit_heatmap(image, title)

    return build


def test_a_chart_is_built_once_per_arguments_language_and_fonts():
    calls: list[str] = []
    build = counting_heatmap(calls)
    first, alt = chart(build, DIGIT, "once").styled(NORMAL)
    again, alt_again = chart(build, DIGIT, "once").styled(NORMAL)
    assert calls == ["once"] and first == again and alt == alt_again
    first["layout"]["height"] = 1  # show_chart sets heights on its copy; the stored spec keeps its own
    assert chart(build, DIGIT, "once").styled(NORMAL)[0]["layout"]["height"] != 1

    chart(build, DIGIT, "once").styled(PRESENTER)
    chart(build, DIGIT.T.copy(), "once").styled(NORMAL)
    spanish = next(language for language in LANGUAGES if language != "en")
    with in_language(spanish):
        chart(build, DIGIT, "once").styled(NORMAL)
    assert len(calls) == 4  # other fonts, other pixels, another language: each built anew


def test_a_chart_whose_argument_has_no_fingerprint_is_still_drawn():
    calls: list[str] = []
    build = counting_heatmap(calls)
    unhashable = object()
    spec, alt = chart(lambda image, _: build(image, "direct"), DIGIT, unhashable).styled(NORMAL)
    assert calls == ["direct"] and spec["data"][0]["type"] == "heatmap" and alt


def test_a_stored_chart_reaches_the_page_as_the_figure_itself_would():
    def page():
        import numpy as np

        from mnist_core.figures import data_figures
        from ui.charts import chart, show_chart

        image = (np.arange(784).reshape(28, 28) % 256).astype(np.uint8)
        show_chart(data_figures.digit_heatmap(image, "same"), key="direct")
        show_chart(chart(data_figures.digit_heatmap, image, "same"), key="stored")
        show_chart(chart(data_figures.digit_heatmap, image, "same"), key="stored_again", height=500)

    app = AppTest.from_function(page).run()
    assert not app.exception
    direct, stored, again = app.get("plotly_chart")
    assert json.loads(stored.proto.spec) == json.loads(direct.proto.spec)
    assert stored.proto.alt == direct.proto.alt != ""
    assert json.loads(again.proto.spec)["layout"]["height"] == 500
