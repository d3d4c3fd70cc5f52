"""Journeys on the Predictions and Inside the network pages: draw, upload, bad upload, trace."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from browser_helpers import draw_a_seven, screenshot, wait_for_app
from PIL import Image
from playwright.sync_api import expect

from mnist_core.data.mnist import load_mnist

pytestmark = pytest.mark.e2e

SLOW = 90_000  # the first visit loads Keras and predicts the 10,000 test images


def digit_png(label: int = 3) -> bytes:
    """A real MNIST test digit as a photo-like PNG: dark ink on white paper, 5 times larger, off-centre."""
    _, (x_test, y_test) = load_mnist()
    image = x_test[int(np.flatnonzero(y_test == label)[0])]
    paper = np.full((200, 260), 255, dtype=np.uint8)
    big = np.asarray(Image.fromarray(255 - image).resize((140, 140), Image.Resampling.BILINEAR))
    paper[30:170, 20:160] = big
    buffer = io.BytesIO()
    Image.fromarray(paper).save(buffer, format="PNG")
    return buffer.getvalue()


def open_predictions(page):
    page.goto("/predictions")
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"correctly classified, [\d,]+ incorrectly"))).to_be_visible(
        timeout=SLOW
    )


def choose_upload(page, name: str, data: bytes, mime: str = "image/png"):
    page.get_by_test_id("stButtonGroup").get_by_text("Upload", exact=True).click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )


def test_draw_a_digit_and_see_a_prediction(page):
    open_predictions(page)
    wait_for_app(page)
    screenshot(page, "predictions-first-visit")
    canvas = page.locator("canvas.upper-canvas")
    canvas.scroll_into_view_if_needed()
    expect(page.get_by_text("Draw one digit, large")).to_be_visible(timeout=SLOW)
    draw_a_seven(page)
    verdict = page.get_by_text(re.compile(r"The model says \d \(probability [01]\.\d\d\)"))
    expect(verdict).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("Nearest training images")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("3 · cropped to the ink")).to_be_visible(timeout=SLOW)
    wait_for_app(page)
    verdict.scroll_into_view_if_needed()
    screenshot(page, "predictions-drawn-digit")
    assert re.search(r"The model says 7", verdict.inner_text()), verdict.inner_text()


def test_upload_a_text_file_then_a_dark_on_light_png(page):
    open_predictions(page)
    choose_upload(page, "notes.png", b"these are my lecture notes, not a picture\n" * 20)
    message = page.get_by_text("notes.png is not a picture that can be opened")
    expect(message).to_be_visible(timeout=SLOW)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    message.scroll_into_view_if_needed()
    screenshot(page, "predictions-bad-upload")

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "three.png", "mimeType": "image/png", "buffer": digit_png(3)}]
    )
    verdict = page.get_by_text(re.compile(r"The model says \d"))
    expect(verdict).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("2 · inverted to light on dark")).to_be_visible(
        timeout=SLOW
    )  # dark on light was flipped
    expect(message).to_have_count(0)
    wait_for_app(page)
    page.get_by_text("1 · grayscale").scroll_into_view_if_needed()
    screenshot(page, "predictions-uploaded-png")
    assert "The model says 3" in verdict.inner_text()

    page.get_by_text("Skip the preprocessing").click()
    expect(page.get_by_text("squeezed to 28 x 28").first).to_be_visible(timeout=SLOW)
    wait_for_app(page)
    screenshot(page, "predictions-uploaded-png-skipped")


def test_inside_the_network_traces_a_test_image(page):
    page.goto("/inside_the_network")
    wait_for_app(page)
    expect(page.get_by_text("Sum of the 784 products")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("differ from Keras's output by at most")).to_be_visible(timeout=SLOW)
    wait_for_app(page)
    for section in ("One unit: y = relu", "The output: logits", "What each first-layer unit looks for"):
        page.get_by_role("heading", name=re.compile(section)).scroll_into_view_if_needed()
        screenshot(page, "inside-the-network-" + section.split(":")[0].lower().replace(" ", "-"))
    page.get_by_role("button", name="Fit without the reshape").click()
    expect(page.get_by_text(re.compile("expected shape=\\(None, 784\\), found shape"))).to_be_visible(
        timeout=SLOW
    )
