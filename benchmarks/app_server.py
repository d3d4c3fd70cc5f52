"""A real `streamlit run app.py` and headless Chromium, for the benchmarks that time the app itself.

with running_app() as app:      # app.url, app.process; stopped on exit
    with chromium() as browser:
        tab = browser.new_page()
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@dataclass
class RunningApp:
    url: str
    process: subprocess.Popen
    seconds_to_healthy: float

    def rss_mb(self) -> float:
        """The server's resident memory."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def loaded_tensorflow(self) -> bool:
        return "tensorflow" in Path(f"/proc/{self.process.pid}/maps").read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(log_path: Path | None = None, timeout: float = 60) -> Iterator[RunningApp]:
    """Start the app on a free loopback port, wait until it is healthy, stop it afterwards."""
    port = free_port()
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.perf_counter() - started > timeout:
                    raise RuntimeError(f"the server did not become healthy within {timeout:.0f} s") from None
                time.sleep(0.1)
        yield RunningApp(url, process, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        if log_path:
            log.close()


@contextmanager
def chromium():
    """Debian's headless Chromium through Playwright, making no outside connections."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
