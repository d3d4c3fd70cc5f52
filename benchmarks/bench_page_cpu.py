"""The server's CPU time for one run of each page: what a class's clicks cost the server.

    .venv/bin/python benchmarks/bench_page_cpu.py [--runs 5] [--lang en]

A real `streamlit run app.py` and one protocol-level session (benchmarks/streamlit_protocol.py),
which opens every page once to warm the server's caches, then runs each page ``--runs`` times
from another page (a navigation click) and reads the server's CPU time from /proc before and
after. CPU time, unlike wall time, hardly depends on what else the machine is doing, so the
numbers compare across runs; the wall-clock median is printed beside it. Issue 11's classroom
target is the average over the pages a class walks through (about 0.1 CPU-second a run before).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_server import running_app  # noqa: E402
from bench_classroom import WALK, ServerWatch, navigate  # noqa: E402
from streamlit_protocol import ProtocolSession  # noqa: E402

PAGES = [
    "home", "lessons", "data", "pixels_as_vectors", "dimensions", "build_and_train", "loss_surface",
    "one_step", "predictions", "inside_the_network", "what_it_learned", "sklearn_tuning",
]  # fmt: skip


async def measure(url: str, watch: ServerWatch, runs: int, language: str) -> dict[str, tuple[float, float]]:
    query = f"lang={language}" if language != "en" else ""
    session = await ProtocolSession.open(url, "home", query)
    for page in PAGES:  # warm: first visits build the server's caches
        await navigate(session, page, query)
    results = {}
    for page in PAGES:
        cpu, walls = 0.0, []
        for _ in range(runs):
            await navigate(session, "home", query)
            before = watch.cpu_seconds()
            wall, _ = await navigate(session, page, query)
            cpu += watch.cpu_seconds() - before
            walls.append(wall)
        results[page] = (cpu / runs, statistics.median(walls))
    await session.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    with running_app() as app, ServerWatch(app.process.pid) as watch:
        results = asyncio.run(measure(app.url, watch, args.runs, args.lang))
    for page, (cpu, wall) in results.items():
        print(f"{page:20} {cpu * 1000:6.0f} ms CPU a run, {wall * 1000:6.0f} ms wall (median)")
    walked = [results[page][0] for page in WALK]
    print(
        f"the classroom walk's pages ({', '.join(WALK)}): {statistics.mean(walked):.3f} CPU-s a run on average"
    )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
