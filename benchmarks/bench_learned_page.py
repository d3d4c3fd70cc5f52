"""What a student waits for on "What it learned", on a real server: a rerun, a saliency map, a nudge.

    .venv/bin/python benchmarks/bench_learned_page.py [--repeats 7] [--model default]

A real `streamlit run app.py` (the app's default executor: Keras runs in worker processes) and one
protocol-level session (benchmarks/streamlit_protocol.py). After a warm-up visit of each tab it times,
from the message sent to the script's end:

1. a rerun of "Where it looks" with nothing changed (the digit's answer, saliency and occlusion
   maps are computed on every run);
2. "Where it looks" opened on another test image (a link with ``learned_test_index``): the new digit's
   answer and its two maps;
3. "An adversarial nudge" opened on another test image: the answer and the smallest flipping step.

Each is repeated on different test images; the medians are printed with the server's CPU-seconds per
run and the load average (the machine is shared: read them together). It also says whether the
server process has TensorFlow mapped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_server import running_app  # noqa: E402
from bench_classroom import ServerWatch, navigate  # noqa: E402
from streamlit_protocol import ProtocolSession  # noqa: E402

PAGE = "what_it_learned"
LOOK, NUDGE = "1 · Where it looks", "3 · An adversarial nudge"


def query(model: str, tab: str, index: int) -> str:
    params = {"learned_section": tab, "learned_test_index": index}
    if model != "default":
        params["model"] = model
    return urlencode(params)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


async def timed(watch: ServerWatch, step) -> tuple[float, float]:
    before = watch.cpu_seconds()
    seconds, run = await step()
    assert run.status == 0 or run.status == 1, run.status
    return seconds, watch.cpu_seconds() - before


async def measure(url: str, watch: ServerWatch, repeats: int, model: str) -> dict[str, list[tuple]]:
    session = await ProtocolSession.open(url, "home")
    for tab in (LOOK, NUDGE):  # warm: the first visit loads the model and traces Keras's functions
        await navigate(session, PAGE, query(model, tab, 0))
    results: dict[str, list[tuple]] = {"rerun of Where it looks": [], "saliency + occlusion": [], "nudge": []}
    await navigate(session, PAGE, query(model, LOOK, 0))

    async def rerun():
        sent = await session.send_rerun()
        run = await session.finish()
        return run.finished_at - sent, run

    for _ in range(repeats):
        results["rerun of Where it looks"].append(await timed(watch, rerun))
    for index in range(1, repeats + 1):
        results["saliency + occlusion"].append(
            await timed(watch, lambda i=index: navigate(session, PAGE, query(model, LOOK, i)))
        )
    for index in range(1, repeats + 1):
        results["nudge"].append(
            await timed(watch, lambda i=index: navigate(session, PAGE, query(model, NUDGE, i)))
        )
    await session.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--model", default="default", help="default or default-convnet")
    args = parser.parse_args()
    with running_app() as app, ServerWatch(app.process.pid) as watch:
        print(f"load average before: {load()} ({os.cpu_count()} cores)")
        results = asyncio.run(measure(app.url, watch, args.repeats, args.model))
        print(f"load average after:  {load()}")
        print(f"model {args.model}, {args.repeats} runs each: median wall s (min-max), server CPU s a run")
        for name, runs in results.items():
            walls = [wall for wall, _ in runs]
            cpu = statistics.mean(cpu for _, cpu in runs)
            print(
                f"  {name:26} {statistics.median(walls):6.3f} ({min(walls):.3f}-{max(walls):.3f})  {cpu:.3f}"
            )
        print(f"server RSS {app.rss_mb():.0f} MB; TensorFlow in the server: {app.loaded_tensorflow()}")


if __name__ == "__main__":
    main()
