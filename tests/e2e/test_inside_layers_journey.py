"""Inside the network's layer maps and tensor shapes in a real browser: open the tab, slide back to before
training, see the numbers fall, then a convnet's 4-D tensors, and back to the trace."""

import re

import pytest
from browser_helpers import screenshot, wait_for_app
from playwright.sync_api import expect

from mnist_core.data.mnist import load_mnist
from mnist_core.data.projections import subset_indices
from mnist_core.engine.default_model import load_shipped, load_shipped_history
from mnist_core.inspect.representations import uncrumpling

pytestmark = pytest.mark.e2e
SLOW = 120_000


def metric_value(tab, label: str):
    return tab.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def test_the_layer_maps_follow_the_epochs_and_the_tensors_follow_the_convnet(page):
    _, (x_test, y_test) = load_mnist()
    indices = subset_indices(len(y_test), 2000, 0)
    model, history = load_shipped("default"), load_shipped_history()
    trained, untrained = (uncrumpling(model, x_test[indices], y_test[indices], history[i]) for i in (-1, 0))

    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("/inside_the_network")
    wait_for_app(page)
    page.get_by_role("tab", name="2 · Layer by layer", exact=True).click()
    expect(
        page.get_by_role("heading", name="Layer by layer, the network uncrumples the digits")
    ).to_be_visible(timeout=SLOW)
    expect(metric_value(page, "hidden_1")).to_have_text(f"{trained[1].knn_accuracy:.1%}", timeout=SLOW)
    expect(page.locator(".st-key-inside_layer_maps .main-svg").first).to_be_visible(timeout=SLOW)
    expect(page).to_have_url(re.compile(r"inside_section=2"))
    screenshot(page, "inside-layers-journey-trained", max_height=2000)

    thumb = page.locator(".st-key-inside_epoch input[type=range]")
    thumb.focus()
    page.keyboard.press("Home")  # back to the weights before training
    expect(page).to_have_url(re.compile(r"inside_epoch=0"), timeout=SLOW)
    expect(metric_value(page, "output")).to_have_text(f"{untrained[2].knn_accuracy:.1%}", timeout=SLOW)
    expect(page.get_by_text("How well each layer separates the digits before training")).to_be_visible()

    page.get_by_role("tab", name="3 · Tensor shapes", exact=True).click()
    expect(page.get_by_text("This model's tensors are 2-D")).to_be_visible(timeout=SLOW)
    page.get_by_role("button", name="Show the shipped convnet").click()
    expect(page.get_by_text("4x fewer numbers (21,632 to 5,408)")).to_be_visible(timeout=SLOW)
    expect(page.locator(".st-key-inside_pool_maps .main-svg").first).to_be_visible(timeout=SLOW)
    expect(page).to_have_url(re.compile(r"model=default-convnet"))
    wait_for_app(page)
    screenshot(page, "inside-tensors-journey-convnet", max_height=2000)

    page.get_by_role("tab", name="1 · Follow one digit", exact=True).click()
    expect(
        page.get_by_role("heading", name="The convolution: 32 small filters slide over the image")
    ).to_be_visible(timeout=SLOW)
