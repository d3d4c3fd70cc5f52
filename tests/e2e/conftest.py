"""Real journeys: a real `streamlit run` server and Debian's headless Chromium via Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server_process(server_url):
    """The shared server's process (its workers are its children)."""
    return _server_processes[server_url]


_server_processes: dict[str, subprocess.Popen] = {}


def pytest_collection_modifyitems(items):
    """Tests marked ``after_every_journey`` run last: they check what the journeys left on the server."""
    items.sort(key=lambda item: item.get_closest_marker("after_every_journey") is not None)


def start_streamlit(env: dict, log, timeout: float = 60) -> tuple[str, subprocess.Popen]:
    """`streamlit run app.py` on a free loopback port with ``env``; its URL once healthy, and its process."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return url, process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"streamlit did not become healthy within {timeout:.0f} s")
        time.sleep(0.25)


def stop_streamlit(process: subprocess.Popen, timeout: float = 10) -> None:
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def server_url():
    """Start `streamlit run app.py` on a free loopback port; stop it after the session."""
    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / "streamlit-e2e.log", "w")  # read it when a journey fails
    # The app's own default, said outright: tests/app's conftest sets MNIST_EXECUTOR=thread for
    # AppTests in this same pytest process, and the server must not inherit it.
    url, process = start_streamlit({**os.environ, "MNIST_EXECUTOR": "process"}, log)
    _server_processes[url] = process
    yield url
    stop_streamlit(process)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_report = report
    return report


@pytest.fixture
def page(browser, server_url, request):
    """A fresh browser tab (a new Streamlit session); a failing test leaves a screenshot."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=server_url)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    report = getattr(request.node, "failed_report", None)
    if report is not None and report.failed:
        folder = ROOT / "artifacts" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(folder / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()
