"""The app with its jobs on Ray (MNIST_EXECUTOR=ray, a local Ray the server starts): train, stop, predict.

Its own server, not the session's: the process executor of the other journeys stays as it is. The
models travel to the Ray workers as bytes and the workers read their own MNIST, as on a cluster
whose nodes do not share the server's disk.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="Ray is optional here: pip install -r requirements-ray.txt (CI does)")

from browser_helpers import draw_a_seven, screenshot, wait_for_app  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SLOW = 240_000  # the first page run starts Ray; its first worker imports TensorFlow
SHIPPED_MODEL = ROOT / "mnist_core" / "assets" / "models" / "first-network.keras"


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found += [int(child) for child in (task / "children").read_text().split()]
    return found + [grandchild for child in found for grandchild in _descendants(child)]


@pytest.fixture(scope="module")
def ray_server():
    """`streamlit run app.py` with MNIST_EXECUTOR=ray and no RAY_ADDRESS; Ray's processes are ended after."""
    from conftest import start_streamlit, stop_streamlit

    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / "streamlit-ray-e2e.log", "w")
    env = {**os.environ, "MNIST_EXECUTOR": "ray", "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    url, process = start_streamlit(env, log)
    yield url, process
    started_by_server = _descendants(process.pid)  # Ray's head processes and workers
    stop_streamlit(process, timeout=30)
    for pid in started_by_server:  # whatever Ray's own shutdown left behind
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    log.close()


@pytest.fixture
def ray_page(browser, ray_server):
    url, _ = ray_server
    context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=url)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


def open_build_and_train(page, query: str) -> None:
    page.goto(f"/build_and_train?{query}")
    wait_for_app(page)
    expect(page.get_by_text("Gradient updates per epoch", exact=True)).to_be_visible(timeout=SLOW)


def test_a_training_on_ray_streams_progress_and_stops(ray_page):
    page = ray_page
    # 30 epochs: on a busy machine a shorter run could finish before Stop is seen.
    open_build_and_train(page, "train_epochs=30&train_seed=6161")
    page.get_by_role("button", name="Train", exact=True).click()
    running = page.get_by_test_id("stMain").get_by_text(re.compile(r"Running · Epoch \d+ of 30"))
    expect(running).to_be_visible(timeout=SLOW)  # progress came back from the Ray worker
    stopped = page.get_by_test_id("stMain").get_by_text("Stopped").first
    # The panel redraws with every progress message, so a click can land on a button being replaced
    # and be lost: press again until the run says it stopped.
    for _ in range(6):
        with contextlib.suppress(Exception):
            page.get_by_role("button", name="Stop").dispatch_event("click", timeout=5_000)
        with contextlib.suppress(AssertionError):
            expect(stopped).to_be_visible(timeout=10_000)
            break
    expect(stopped).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMain").get_by_text(re.compile(r"^Finished"))).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_run_trained_on_ray_predicts_on_ray(ray_page, ray_server):
    page = ray_page
    open_build_and_train(page, "train_epochs=1&train_seed=6262")
    page.get_by_role("button", name="Train", exact=True).click()
    accuracy = (
        page.get_by_test_id("stMetric").filter(has_text="Test accuracy").get_by_test_id("stMetricValue")
    )
    expect(accuracy).to_be_visible(timeout=SLOW)
    assert float(accuracy.inner_text()) >= 0.85
    counted = page.get_by_text(re.compile(r"[\d,]+ correctly classified, [\d,]+ incorrectly")).first
    trained_counts = re.search(r"([\d,]+) correctly classified", counted.inner_text()).group(1)
    screenshot(page, "ray-trained")

    # The same session's Predictions page: the run's .keras bytes go to a Ray worker, never a path.
    page.get_by_test_id("stSidebarNav").get_by_text("Predictions", exact=True).click()
    scored = page.get_by_text(re.compile(r"correctly classified, [\d,]+ incorrectly")).first
    expect(scored).to_be_visible(timeout=SLOW)
    expect(page.get_by_text(re.compile(r"Showing This session's Run 1"))).to_be_visible()  # the new run
    assert f"{trained_counts} correctly classified" in scored.inner_text()  # the worker's test score
    expect(page.get_by_text("argmax picks the largest: 7")).to_be_visible(timeout=SLOW)  # x_test[0] is a 7
    draw_a_seven(page)
    expect(page.get_by_text(re.compile(r"The model says \d \(probability [01]\.\d\d\)"))).to_be_visible(
        timeout=SLOW
    )
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "ray-predictions-of-the-run")

    # An uploaded model: checked by a Ray worker from its bytes, then scored there too.
    page.get_by_test_id("stSidebarNav").get_by_text("Build & Train", exact=True).click()
    page.get_by_text("Upload a trained model (.keras)").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(SHIPPED_MODEL))
    expect(page.get_by_text(re.compile(r"Using first-network\.keras: test accuracy 0\.9559"))).to_be_visible(
        timeout=SLOW
    )
    page.get_by_test_id("stSidebarNav").get_by_text("Predictions", exact=True).click()
    wait_for_app(page)
    page.locator(".st-key-model").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="upload", exact=True).click()
    expect(page.get_by_text(re.compile(r"Showing Uploaded: first-network\.keras"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"9,559 correctly classified, 441 incorrectly")).first).to_be_visible(
        timeout=SLOW
    )
    _, server = ray_server
    maps = Path(f"/proc/{server.pid}/maps").read_text()
    assert "tensorflow" not in maps  # Keras ran in Ray's workers, not in the server
