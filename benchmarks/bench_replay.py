"""Replayed runs on a real server: how soon the first curve shows, and what a replay costs next to a training.

    .venv/bin/python benchmarks/bench_replay.py [--replays 5] [--epochs 5]

One `streamlit run app.py` and headless Chromium at 1280 x 720. A first student trains the
first network (Build & Train's defaults, ``--epochs`` epochs); then ``--replays`` more students,
each in a fresh browser context (a new session, as a new tab is), open the same link and press
Train. For each it reports the time from the click to the first per-batch curve on screen, and
the server process's CPU seconds from the click to the end of the run (training or replay: the
page's polling reruns are part of what a run costs the server, so they are counted in both).
Then the same without a browser (AppTest): the server's own share of the time to the first curve.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_server import ROOT, chromium, running_app  # noqa: E402

FIRST_CURVE = "Each point: the mean over the latest few batches"
TRAINED = "5 · Evaluate: the 10,000 test images"
REPLAYED = "This run is a replay"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def open_build_and_train(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    tab = context.new_page()
    tab.goto(url)
    tab.get_by_text("Gradient updates per epoch", exact=True).wait_for(timeout=180_000)
    return context, tab


def wait_for_the_servers_timing(tab, seconds: float = 300) -> None:
    """The server times itself once, on the training slot: let that finish before measuring a training.

    The estimate's caption says so once the page runs again: reload until it does.
    """
    deadline = time.perf_counter() + seconds
    while tab.get_by_text("from a small timing of this server").count() == 0:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the server's timing did not finish within {seconds:.0f} s")
        time.sleep(3)
        tab.reload()
        tab.get_by_text("Gradient updates per epoch", exact=True).wait_for(timeout=180_000)


def press_train(tab, pid: int, done_text: str) -> dict:
    """Click Train; the seconds to the first curve and to the end, and the server's CPU seconds meanwhile."""
    cpu_before, clicked = cpu_seconds(pid), time.perf_counter()
    tab.get_by_role("button", name="Train", exact=True).click()
    tab.get_by_text(FIRST_CURVE).first.wait_for(timeout=300_000)
    first_curve = time.perf_counter() - clicked
    tab.get_by_text(done_text).first.wait_for(timeout=600_000)
    return {
        "first_curve_s": first_curve,
        "whole_run_s": time.perf_counter() - clicked,
        "server_cpu_s": cpu_seconds(pid) - cpu_before,
    }


def server_side_first_curve(epochs: int, sessions: int) -> list[float]:
    """Seconds from a click on Train to the end of the page run that already holds the first replayed
    curve, with no browser: Streamlit's AppTest runs the page script in this process, as the server does.
    """
    from streamlit.testing.v1 import AppTest

    def opened():
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        app.run()
        app.switch_page("app_pages/build_and_train.py").run()
        app.slider(key="train_epochs").set_value(epochs).run()
        return app

    first = opened()
    first.button(key="train_start").click().run()
    while not first.session_state["train_task"].state.is_over:
        time.sleep(0.2)
    seconds = []
    for _ in range(sessions):
        app = opened()
        clicked = time.perf_counter()
        app.button(key="train_start").click().run()
        detail = app.session_state["train_task"].snapshot().detail
        assert "replay_of" in detail and detail["batches"]["update"], "the click's page run shows the replay"
        seconds.append(time.perf_counter() - clicked)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replays", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with running_app() as app, chromium() as browser:
        url = f"{app.url}/build_and_train?train_epochs={args.epochs}"
        pid = app.process.pid
        context, tab = open_build_and_train(browser, url)
        wait_for_the_servers_timing(tab)
        trained = press_train(tab, pid, TRAINED)
        context.close()
        replays = []
        for _ in range(args.replays):
            context, tab = open_build_and_train(browser, url)
            time.sleep(1.0)  # the page's own first rerun is over: the CPU measured is the replay's
            replays.append(press_train(tab, pid, REPLAYED))
            context.close()
    server_side = server_side_first_curve(args.epochs, args.replays)
    first_curves = [r["first_curve_s"] for r in replays]
    cpus = [r["server_cpu_s"] for r in replays]
    print(f"load average (1, 5, 15 min) before: {load_before}, after: {os.getloadavg()}")
    print(
        f"training ({args.epochs} epochs): first curve {trained['first_curve_s']:.2f} s, whole run "
        f"{trained['whole_run_s']:.1f} s, server CPU {trained['server_cpu_s']:.1f} s"
    )
    print(
        f"replays (n={len(replays)}): first curve median {statistics.median(first_curves):.2f} s "
        f"(min {min(first_curves):.2f}, max {max(first_curves):.2f}); whole replay median "
        f"{statistics.median(r['whole_run_s'] for r in replays):.1f} s; server CPU median "
        f"{statistics.median(cpus):.2f} s (max {max(cpus):.2f})"
    )
    print(
        f"server side only (AppTest, no browser): click to the page run holding the first replayed curve, "
        f"median {statistics.median(server_side):.2f} s (max {max(server_side):.2f})"
    )
    print(
        f"a replay costs {statistics.median(cpus) / trained['server_cpu_s']:.1%} of a training's CPU "
        f"({trained['server_cpu_s'] / statistics.median(cpus):.0f}x less)"
    )


if __name__ == "__main__":
    main()
