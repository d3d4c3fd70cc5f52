"""What a student waits for on Build & Train on a cold server: the first visit, then Train to Finished.

Starts a real ``streamlit run`` and headless Chromium (``app_server.py``), opens Build & Train with
a seed no earlier run used (so the run trains rather than replays), notes whether the page ever
showed "Loading Keras", presses Train on the first network and times it until the test accuracy
is on the page. Then it reports the server's memory, whether TensorFlow is mapped into it, the
workers' memory, and the load average (the machine is shared: say how busy it was).

    .venv/bin/python benchmarks/bench_train_wall.py [--seed 9137]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

from app_server import chromium, running_app


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children += [int(child) for child in text]
    return children + [grandchild for child in children for grandchild in descendants(child)]


def train_once(tab) -> dict:
    """Press Train and wait for the test accuracy: the wall time, and the fit time the page reports."""
    train = tab.get_by_role("button", name="Train", exact=True)
    while not train.is_enabled():
        time.sleep(0.05)
    pressed = time.perf_counter()
    train.click()
    accuracy = tab.get_by_test_id("stMetric").filter(has_text="Test accuracy")
    accuracy.wait_for(timeout=600_000)
    wall = time.perf_counter() - pressed
    caption = tab.get_by_text(re.compile(r"fit took [\d.]+ s")).first.inner_text()
    return {
        "train_to_finished_seconds": round(wall, 2),
        "fit_seconds": float(re.search(r"fit took ([\d.]+) s", caption).group(1)),
        "test_accuracy": accuracy.get_by_test_id("stMetricValue").inner_text(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=9137)
    args = parser.parse_args()
    report = {"load_average_before": os.getloadavg()}
    with running_app() as app, chromium() as browser:
        tab = browser.new_page(viewport={"width": 1280, "height": 720})
        opened = time.perf_counter()
        tab.goto(f"{app.url}/build_and_train?train_seed={args.seed}")
        saw_loading_keras = False
        while not tab.get_by_text("Gradient updates per epoch", exact=True).is_visible():
            saw_loading_keras = saw_loading_keras or tab.get_by_text("Loading Keras").first.is_visible()
            time.sleep(0.05)
            if time.perf_counter() - opened > 300:
                raise RuntimeError("Build & Train did not appear within 300 s")
        report["first_visit_seconds"] = round(time.perf_counter() - opened, 2)
        report["saw_loading_keras"] = saw_loading_keras
        report["cold_run"] = train_once(tab)
        # A second run on the now warm server, another seed (a repeat would replay, not train).
        tab.goto(f"{app.url}/build_and_train?train_seed={args.seed + 1}")
        tab.get_by_text("Gradient updates per epoch", exact=True).wait_for(timeout=300_000)
        report["warm_run"] = train_once(tab)
        time.sleep(2)  # let the page's last run settle before memory is read
        report["server_rss_mb"] = round(rss_mb(app.process.pid), 1)
        report["server_has_tensorflow"] = app.loaded_tensorflow()
        workers = descendants(app.process.pid)
        report["worker_rss_mb"] = [round(rss_mb(pid), 1) for pid in workers if Path(f"/proc/{pid}").exists()]
        report["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
