"""AppTest: every chart and picture on every page has a text alternative for screen readers."""

import pytest

PAGES = [
    "app_pages/home.py",
    "app_pages/data.py",
    "app_pages/pixels_as_vectors.py",
    "app_pages/dimensions.py",
    "app_pages/build_and_train.py",
    "app_pages/loss_surface.py",
    "app_pages/one_step.py",
    "app_pages/predictions.py",
    "app_pages/inside_the_network.py",
    "app_pages/what_it_learned.py",
    "app_pages/sklearn_tuning.py",
    "app_pages/class_board.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_and_image_has_alt_text(open_page, page):
    app = open_page(page)
    shown = app.get("plotly_chart")
    for chart in shown:
        assert len(chart.proto.alt) > 20, f"a chart on {page} has no text alternative: {chart.proto.alt!r}"
    for image_list in app.get("image"):
        for image in image_list.proto.imgs:
            assert image.alt, f"a picture on {page} has no text alternative"


def test_the_pictures_are_checked_too(open_page):
    (montage,) = open_page("app_pages/data.py").get("image")
    assert "60,000 handwritten train digits" in montage.proto.imgs[0].alt


def test_a_charts_text_follows_its_numbers(open_page):
    app = open_page("app_pages/predictions.py")
    bars = [c.proto.alt for c in app.get("plotly_chart") if "y axis: probability" in c.proto.alt]
    assert bars and all(" 7: " in text for text in bars)  # the first test image, a 7
