"""A student's walk through the three data pages in a real browser, one control on each."""

import pytest
from browser_helpers import screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_data_page_random_sample_changes_the_sample(page):
    page.goto("/data")
    wait_for_app(page)
    title = page.get_by_role("heading", name="Sample 0 of the train set")
    expect(title).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Random sample").click()
    wait_for_app(page)
    expect(page.get_by_text("Sample", exact=False).filter(has_text="of the train set").first).to_be_visible()
    expect(page.get_by_test_id("stImage").first).to_be_visible()
    screenshot(page, "data_page")


def test_pixels_page_index_moves_the_highlight(page):
    page.goto("/pixels_as_vectors")
    wait_for_app(page)
    expect(page.get_by_text("lands at index 28 × 14 + 14 = 406")).to_be_visible(timeout=60_000)
    index_input = page.get_by_label("Vector index")
    index_input.fill("59")
    index_input.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("lands at index 28 × 2 + 3 = 59")).to_be_visible()
    screenshot(page, "pixels_as_vectors_page")


def test_dimensions_page_draws_the_cube_and_projection(page):
    page.goto("/dimensions")
    wait_for_app(page)
    expect(page.get_by_text("Median distance to the nearest")).to_be_visible(timeout=60_000)
    page.get_by_text("3", exact=True).last.click()
    wait_for_app(page)
    expect(page.locator(".js-plotly-plot .gl-container").first).to_be_attached()
    screenshot(page, "dimensions_page")
