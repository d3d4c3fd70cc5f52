"""What a grid search costs other students: a page rerun's time while one runs, in the server or a worker.

    .venv/bin/python benchmarks/bench_grid_rerun.py [--executor process] [--reruns 12] [--page ...]

One process plays the server: two AppTest sessions from app.py share its caches and its GIL, as two
students on one Streamlit server do. Session A opens the scikit-learn page and presses Run grid
search (the lesson's nine networks on 10,000 images); session B reruns ``--page`` ``--reruns`` times
before and during the search and prints the median and max wall time of a rerun, and the server's
CPU-seconds per rerun. With ``--executor thread`` the grid trains in a thread of this process
(as every scikit-learn run did before they moved to workers); with ``process`` (the app's default)
in a worker process. Run it on an idle machine if you can: the two cores are shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rerun_times(app, reruns: int) -> tuple[list[float], float]:
    """Wall seconds of each rerun, and this process's CPU-seconds per rerun."""
    times = []
    cpu_before = time.process_time()
    for _ in range(reruns):
        started = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - started)
        assert not app.exception, [e.value for e in app.exception]
    return times, (time.process_time() - cpu_before) / reruns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executor", default="process", choices=["thread", "process"])
    parser.add_argument("--reruns", type=int, default=12)
    parser.add_argument("--page", default="app_pages/sklearn_tuning.py")
    args = parser.parse_args()
    os.environ["MNIST_EXECUTOR"] = args.executor
    from streamlit.testing.v1 import AppTest

    def session(page: str):
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
        app.switch_page(page).run()
        return app

    grid_session, other = session("app_pages/sklearn_tuning.py"), session(args.page)
    rerun_times(other, 3)  # warm caches and imports
    idle, idle_cpu = rerun_times(other, args.reruns)
    grid_session.button(key="sklearn_grid_run").click().run()
    task = grid_session.session_state["sklearn_grid_task"]
    while task.snapshot().fraction < 0.02 and not task.snapshot().is_over:  # the search has begun
        time.sleep(0.2)
    busy, busy_cpu = rerun_times(other, args.reruns)
    still_running = not task.snapshot().is_over
    task.stop()
    task.join(30)
    print(f"load average before: {os.getloadavg()[0]:.2f}; executor {args.executor}; page {args.page}")
    for name, times, cpu in (("idle", idle, idle_cpu), ("during the grid", busy, busy_cpu)):
        print(
            f"{name:>16}: rerun median {statistics.median(times):.3f} s, max {max(times):.3f} s, "
            f"{cpu:.3f} CPU-s of this process per rerun"
        )
    print("idle reruns", [round(t, 3) for t in idle])
    print("busy reruns", [round(t, 3) for t in busy])
    print(f"the grid was still running when the last rerun ended: {still_running}")
    os._exit(0)  # AppTest's script threads and the pool's workers: nothing left to wait for


if __name__ == "__main__":
    main()
