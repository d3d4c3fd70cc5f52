"""A phone's 390 x 844: Build & Train's parameter table fits the screen without a sideways scroll."""

import pytest
from browser_helpers import wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
# The data grid scrolls inside its own box: wider content than the box means a sideways scroll.
TABLE_WIDTHS = """() => [...document.querySelectorAll('[data-testid=stDataFrame] .dvn-scroller')]
  .map(s => [s.scrollWidth, s.clientWidth])"""


@pytest.mark.parametrize("architecture", ["Dense layers", "Small convnet"])
def test_the_parameter_table_needs_no_sideways_scroll_on_a_phone(page, architecture):
    page.set_viewport_size(PHONE)
    page.goto("/build_and_train")
    wait_for_app(page)
    expect(page.get_by_text("parameters in all")).to_be_visible(timeout=90_000)
    page.get_by_test_id("stRadio").get_by_text(architecture).click()
    expect(
        page.get_by_text("Your network: convnet" if "convnet" in architecture else "Your network: 784")
    ).to_be_visible()
    wait_for_app(page)
    page.get_by_test_id("stDataFrame").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    widths = page.evaluate(TABLE_WIDTHS)
    assert widths, "no parameter table"
    scroll_width, box_width = widths[0]
    assert scroll_width <= box_width, f"the table is {scroll_width} px wide in a {box_width} px box"
