"""A student's walk through the three data pages in a real browser, one control on each."""

import re

import pytest
from browser_helpers import screenshot, wait_for_app
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
FIRST_RENDER_MS = 90_000  # a fresh server tiles 60,000 images and measures distances once
RERUN_MS = 30_000  # a rerun on a busy shared 2-core machine


def open_from_sidebar(tab, title):
    """Start at the home page and follow the sidebar link, as a student does."""
    tab.goto("/")
    wait_for_app(tab)
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_for_app(tab)


def test_data_page_random_sample_changes_the_sample(page):
    open_from_sidebar(page, "The data")
    heading = page.get_by_role("heading", name=re.compile(r"Sample [\d,]+ of the train set"))
    expect(heading).to_have_text(re.compile("Sample 0 of"), timeout=FIRST_RENDER_MS)
    page.get_by_role("button", name="Random sample").click()
    expect(heading).not_to_have_text(re.compile("Sample 0 of"), timeout=RERUN_MS)
    expect(page.get_by_test_id("stImage").first).to_be_visible(timeout=FIRST_RENDER_MS)
    screenshot(page, "data_page")

    # The full-size picture of every training image is made only when asked for.
    with page.expect_download(timeout=FIRST_RENDER_MS) as download:
        page.get_by_role("button", name=re.compile("Full-size picture")).click()
    assert download.value.suggested_filename == "mnist_train.png"
    with Image.open(download.value.path()) as picture:
        assert picture.size == (6860, 6860)  # 245 x 245 tiles of 28 x 28 pixels


def test_pixels_page_clicking_a_pixel_finds_its_vector_index(page):
    open_from_sidebar(page, "Pixels as vectors")
    expect(page.get_by_text("lands at index 28 × 14 + 14 = 406")).to_be_visible(timeout=FIRST_RENDER_MS)
    plot_area = page.locator(".st-key-pixels_grid_chart .nsewdrag").first
    expect(plot_area).to_be_visible(timeout=RERUN_MS)
    box = plot_area.bounding_box()
    # The axes run from -0.5 to 27.5: the centre of pixel (row 5, column 20) is at 20.5/28 and 5.5/28.
    target = (box["x"] + box["width"] * 20.5 / 28, box["y"] + box["height"] * 5.5 / 28)
    page.mouse.move(*target)
    hover = page.locator(".st-key-pixels_grid_chart .hovertext")
    expect(hover).to_contain_text("row 5, column 20", timeout=RERUN_MS)  # plotly is live: hover first
    expect(hover).to_contain_text("vector index 160")
    page.mouse.click(*target)
    expect(page.get_by_text("lands at index 28 × 5 + 20 = 160")).to_be_visible(timeout=RERUN_MS)
    index_input = page.get_by_label("Vector index")
    expect(index_input).to_have_value("160", timeout=RERUN_MS)
    index_input.fill("59")
    index_input.press("Enter")
    expect(page.get_by_text("lands at index 28 × 2 + 3 = 59")).to_be_visible(timeout=RERUN_MS)
    screenshot(page, "pixels_as_vectors_page")


def test_dimensions_page_tabs_random_points_and_a_3d_projection(page):
    open_from_sidebar(page, "784 dimensions")
    expect(page.locator(".st-key-dimensions_cube_chart .main-svg").first).to_be_attached(
        timeout=FIRST_RENDER_MS
    )
    screenshot(page, "dimensions_page_cube")
    page.get_by_role("tab", name="2 · Random points are noise").click()
    expect(page.get_by_text("Median distance to the nearest")).to_be_visible(timeout=FIRST_RENDER_MS)
    expect(page.locator(".st-key-dimensions_cube_chart")).to_have_count(0)  # a closed tab is not drawn
    page.get_by_role("tab", name="3 · Flatten to 2-D or 3-D").click()
    dimensions = page.get_by_test_id("stRadio").filter(has_text="Dimensions")
    dimensions.get_by_text("3", exact=True).click()
    expect(page.locator(".st-key-dimensions_projection_chart .gl-container")).to_be_attached(
        timeout=FIRST_RENDER_MS
    )
    screenshot(page, "dimensions_page")

    # Away to another page and back: the same tab is open, with the 3-D map the student left.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="The data").click()
    expect(page.locator("[data-testid=stMain] h1")).to_have_text("The data", timeout=RERUN_MS)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="784 dimensions").click()
    expect(page.get_by_role("tab", selected=True)).to_have_text("3 · Flatten to 2-D or 3-D", timeout=RERUN_MS)
    expect(page.locator(".st-key-dimensions_projection_chart .gl-container")).to_be_attached(timeout=RERUN_MS)
