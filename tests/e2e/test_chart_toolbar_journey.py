"""Plotly's toolbar, shown on hover, covers no chart title or image caption at a projector's 1280 x 720."""

import pytest
from browser_helpers import wait_for_app

pytestmark = pytest.mark.e2e
FIRST_RENDER_MS = 180_000  # a fresh server tiles 60,000 images and measures distances once

# Each chart's toolbar and its title texts: the figure's title, subplot titles and captions
# (annotations), as boxes [left, top, right, bottom] in CSS pixels.
BOXES = """(plot) => {
  const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const bar = plot.querySelector('.modebar');
  return {
    modebar: bar ? box(bar) : null,
    titles: [...plot.querySelectorAll('.gtitle, .g-gtitle text, .annotation-text')]
      .map(box).filter(b => b[2] > b[0]),
  };
}"""


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("path", ["data", "pixels_as_vectors", "predictions"])
def test_the_toolbar_covers_no_title_when_hovered(page, path):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"/{path}")
    wait_for_app(page)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state')"
        " === 'notRunning' && document.querySelector('.js-plotly-plot .main-svg')",
        timeout=FIRST_RENDER_MS,
    )
    page.wait_for_timeout(1500)  # the last charts draw
    plots = page.locator(".js-plotly-plot")
    titled = 0
    for index in range(plots.count()):
        plot = plots.nth(index)
        plot.scroll_into_view_if_needed()
        plot.hover()
        page.wait_for_timeout(200)
        boxes = plot.evaluate(BOXES)
        if boxes["modebar"] is None or not boxes["titles"]:
            continue
        titled += 1
        covered = [title for title in boxes["titles"] if overlaps(boxes["modebar"], title)]
        assert covered == [], f"chart {index} on /{path}: toolbar {boxes['modebar']} covers {covered}"
    assert titled >= 2  # the page drew charts with titles, and the check looked at them
