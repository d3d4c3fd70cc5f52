"""A lecturer trains the first network, keeps clicking and switching pages, and comes back."""

import re
from pathlib import Path

import pytest
from browser_helpers import screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
SHIPPED_MODEL = (
    Path(__file__).resolve().parents[2] / "mnist_core" / "assets" / "models" / "first-network.keras"
)


def test_train_first_network_through_interruptions(page):
    # A seed no other journey trains: a run this server has trained before would be replayed, not trained.
    page.goto("/build_and_train?train_seed=4242")
    wait_for_app(page)
    # The page loads Keras on a fresh server first: allow for a slow, busy machine.
    expect(page.get_by_text("Gradient updates per epoch", exact=True)).to_be_visible(timeout=120_000)
    screenshot(page, "train-1-before")

    page.get_by_role("button", name="Train", exact=True).click()
    pause = page.get_by_role("button", name="Pause")
    expect(pause).to_be_visible(timeout=60_000)
    pause.click()
    expect(page.get_by_text("Paused").first).to_be_visible()

    # Touch another widget during the run: the hidden-layers slider, by keyboard.
    slider = page.get_by_role("slider", name="Hidden layers")
    slider.focus()
    slider.press("ArrowRight")
    wait_for_app(page)
    expect(page.get_by_text("Layer 2: units")).to_be_visible()

    # Switch pages: the sidebar still shows the paused run.
    page.get_by_test_id("stSidebarNav").get_by_text("The data", exact=True).click()
    expect(page.get_by_test_id("stSidebar").get_by_text("Training · Paused")).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_text("Open Build & Train").click()
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    # The settings a student chose are still there.
    expect(page.get_by_role("slider", name="Hidden layers")).to_have_attribute("aria-valuetext", "2")

    page.get_by_role("button", name="Resume").click()
    running = page.get_by_test_id("stMain").get_by_text(re.compile(r"Running · Epoch \d of 5"))
    expect(running).to_be_visible(timeout=120_000)
    screenshot(page, "train-2-running")

    # Leave again while it runs; it must carry on without us.
    page.get_by_test_id("stSidebarNav").get_by_text("The life cycle of a model").click()
    expect(page.get_by_test_id("stSidebar").get_by_text("Training · Finished")).to_be_visible(timeout=180_000)
    page.get_by_test_id("stSidebar").get_by_text("Open Build & Train").click()

    accuracy = (
        page.get_by_test_id("stMetric").filter(has_text="Test accuracy").get_by_test_id("stMetricValue")
    )
    expect(accuracy).to_be_visible(timeout=60_000)
    assert float(accuracy.inner_text()) >= 0.95
    expect(page.get_by_text(re.compile(r"[\d,]+ correctly classified, [\d,]+ incorrectly"))).to_be_visible()
    expect(page.get_by_role("button", name="Download this model (.keras)")).to_be_visible()
    screenshot(page, "train-3-finished")


def test_upload_a_fake_model_then_a_real_one(page):
    page.goto("/build_and_train")
    wait_for_app(page)
    expect(page.get_by_text("Gradient updates per epoch", exact=True)).to_be_visible(timeout=120_000)
    page.get_by_text("Upload a trained model (.keras)").click()
    dropzone = page.get_by_test_id("stFileUploaderDropzoneInput")
    dropzone.set_input_files(
        files=[{"name": "homework.keras", "mimeType": "application/octet-stream", "buffer": b"my essay" * 50}]
    )
    expect(page.get_by_text("homework.keras is not a .keras model file")).to_be_visible(timeout=60_000)
    screenshot(page, "train-upload-fake")

    dropzone.set_input_files(str(SHIPPED_MODEL))
    expect(page.get_by_text(re.compile(r"Using first-network\.keras: test accuracy 0\.9559"))).to_be_visible(
        timeout=120_000
    )
    screenshot(page, "train-upload-real")
