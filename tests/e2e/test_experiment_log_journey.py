"""A student trains a baseline, branches it with one change, and sees the log mark that change."""

import re

import pytest
from browser_helpers import SCREENSHOTS, screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def wait_for_run(page, number: int) -> None:
    """Until the run has finished and the log shows it."""
    expect(page.get_by_text(re.compile(rf"^{number} runs?: all are kept"))).to_be_visible(timeout=240_000)
    wait_for_app(page)


def test_train_a_baseline_branch_it_and_see_the_change_marked(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    # One epoch of large batches: a run of a few seconds, set through the page's link.
    page.goto("/build_and_train?train_epochs=1&train_batch_size=2048")
    wait_for_app(page)
    expect(page.get_by_text("Gradient updates per epoch", exact=True)).to_be_visible(timeout=120_000)
    page.get_by_role("button", name="Train", exact=True).click()
    wait_for_run(page, 1)
    expect(page.get_by_text("Experiment log: this session's runs")).to_be_visible()
    expect(page.get_by_role("button", name="Train again with this seed (42)")).to_be_visible()

    # One change: a larger batch. The page offers the branch and says what it keeps.
    batch = page.get_by_role("spinbutton", name="Batch size")
    batch.fill("4096")
    batch.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("One change from run 1:")).to_be_visible()
    expect(page.get_by_text("starting from the same initial weights and batch order")).to_be_visible()
    page.get_by_role("button", name="Branch run 1: batch size 4096").click()
    wait_for_run(page, 2)

    # The table marks the change: run 2's row names it, the baseline is marked. (The grid is drawn
    # on a canvas; its cells are also in a hidden table for screen readers, read here.)
    table = page.get_by_test_id("stDataFrame").filter(has_text="changed from baseline")
    expect(table).to_be_visible()
    cells = table.locator("td[role=gridcell]")
    expect(cells.filter(has_text=re.compile(r"^batch size 4096$"))).to_have_count(1)
    expect(cells.filter(has_text=re.compile(r"^1 \(baseline\)$"))).to_have_count(1)
    expect(cells.filter(has_text=re.compile(r"^branch of run 1, the same initial weights"))).to_have_count(1)
    chart = page.get_by_role("figure", name=re.compile(r"^Validation accuracy per epoch for 2 runs"))
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    screenshot(page, "experiment-log-branch", max_height=2400)
    page.get_by_text("Experiment log: this session's runs").evaluate(
        "e => e.scrollIntoView({block: 'start'})"
    )
    page.screenshot(path=str(SCREENSHOTS / "experiment-log-1280x720.png"))
