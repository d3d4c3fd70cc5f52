"""A class on one server: N students walk through the pages while 13 of them train at the same moment.

    .venv/bin/python benchmarks/bench_classroom.py --students 20 [--walk-seconds 60]

A real `streamlit run app.py`. Each student is a `ProtocolSession` (benchmarks/streamlit_protocol.py):
its own websocket and Streamlit session, sending the messages a browser tab sends. Why not
browsers: 50 Chromium tabs on this 2-core machine time the browsers fighting the server for the
cores, which a class's own laptops and phones never do (see bench_class_board_protocol.py).
What the protocol client leaves out is the browser's own page load (HTML, JS, component files)
and drawing; what the server does is the same.

The class:
- every student walks through the pages, clicking to the next one after 0.5-2 s of reading;
  the time measured is from the navigation click until the page's script has finished;
- at one moment, 10 trainers press Train on the first-network preset (the page's defaults) and 3
  on other settings (another seed or more epochs); 3 of the 13 close their tab 4 s later;
- while a training is shown, a trainer's tab reruns the progress panel twice a second, as the
  browser does for the panel's fragment (that load is part of the measurement).

Reported: page times (median, p95, max) before the trainings and while they run; whether every
kept run finished, and how long each took; whether the abandoned runs freed their place (the
time until the next run in the queue started); the server's peak memory and that of its child
processes (workers); the server's CPU-seconds per page run in the walk without training; and,
for runs whose settings were trained before on this server, the time to their first curve.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_server import running_app  # noqa: E402
from streamlit_protocol import PRESS, ProtocolSession, Run  # noqa: E402

WALK = ["data", "pixels_as_vectors", "build_and_train", "predictions", "inside_the_network", "home"]
OTHER_SETTINGS = ["train_seed=7", "train_epochs=6", "train_seed=11"]
TRAINERS_ON_PRESET = 10
LEAVERS = 3
POLL_SECONDS = 0.5  # ui/tasks.py's panel
OVER = ("Finished", "Failed", "Stopped")
LIVE_CHARTS = (
    "train_batch_chart",
    "train_epoch_chart",
)  # app_pages/build_and_train_ui/live_training.py's curves


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"median {statistics.median(values):.2f} s, p95 {percentile(values, 0.95):.2f} s, "
        f"max {max(values):.2f} s ({len(values)} page runs)"
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional memory: TensorFlow's libraries, mapped by every worker, count once in the sum."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid``, and by those, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class ServerWatch:
    """Samples the server's memory and its children's, every 0.2 s, on a thread."""

    def __init__(self, pid: int):
        self.pid = pid
        self.server_peak_mb = 0.0
        self.children_peak_mb = 0.0
        self.total_peak_mb = 0.0
        self.total_pss_peak_mb = 0.0  # what the machine (and a container's memory limit) counts
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _watch(self):
        while not self._stop.is_set():
            try:
                server = rss_mb(self.pid)
                family = descendants(self.pid)
                children = sum(rss_mb(child) for child in family)
                proportional = pss_mb(self.pid) + sum(pss_mb(child) for child in family)
            except OSError:
                continue
            self.total_pss_peak_mb = max(self.total_pss_peak_mb, proportional)
            self.server_peak_mb = max(self.server_peak_mb, server)
            self.children_peak_mb = max(self.children_peak_mb, children)
            self.total_peak_mb = max(self.total_peak_mb, server + children)
            time.sleep(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


async def navigate(session: ProtocolSession, page: str, query: str = "") -> tuple[float, Run]:
    """Click through to ``page``: a rerun that names the page, as the sidebar link does."""
    session._page, session.page_hash, session.query = page, "", query
    session.widget_ids.clear()
    session.fragment_of.clear()
    session.values.clear()
    sent = await session.send_rerun()
    run = await session.finish()
    return run.finished_at - sent, run


@dataclass
class Timings:
    quiet: list[float] = field(default_factory=list)  # page runs before anyone trains
    busy: list[float] = field(default_factory=list)  # page runs while trainings run
    busy_by_page: dict[str, list[float]] = field(default_factory=dict)  # which pages make the tail
    phase: str = "quiet"

    def add(self, seconds: float, page: str = "") -> None:
        (self.quiet if self.phase == "quiet" else self.busy).append(seconds)
        if self.phase != "quiet":
            self.busy_by_page.setdefault(page, []).append(seconds)


async def walker(url: str, number: int, timings: Timings, stop: asyncio.Event) -> None:
    """A student reading page after page until ``stop``."""
    rng = random.Random(number)
    session = await ProtocolSession.open(url, "home")
    step = number % len(WALK)
    try:
        while not stop.is_set():
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            step = (step + 1) % len(WALK)
            seconds, _ = await navigate(session, WALK[step])
            timings.add(seconds, WALK[step])
    finally:
        await session.close()


def progress_text(run: Run) -> str | None:
    texts = [proto.text for kind, proto in run.elements if kind == "progress" and proto.text]
    return texts[0] if texts else None


async def drain(session: ProtocolSession, quiet_seconds: float = 0.3) -> None:
    """Read what the server still sends (a whole-page rerun a finished panel asked for)."""
    while True:
        try:
            await asyncio.wait_for(session._socket.recv(), quiet_seconds)
        except TimeoutError:
            return


@dataclass
class TrainerResult:
    query: str
    outcome: str = "not started"
    seconds_to_over: float | None = None
    seconds_to_running: float | None = None
    seconds_to_first_chart: float | None = None
    left: bool = False


async def trainer(url: str, query: str, moment: float, leave_after: float | None) -> TrainerResult:
    """Open Build & Train with ``query``, press Train at ``moment``, follow the panel until the run is over."""
    result = TrainerResult(query, left=leave_after is not None)
    session = await ProtocolSession.open(url, "build_and_train", query)
    for _ in range(5):  # a first run can end before the form is drawn (a rerun the page asked for)
        if "train_start" in session.widget_ids:
            break
        print(f"  a trainer's Build & Train ended without its form; opening it again ({query or 'preset'})")
        await session.rerun()
    await asyncio.sleep(max(0.0, moment - time.time()))
    pressed = await session.send_rerun({"train_start": PRESS})
    run = await session.finish()
    poll_key = next((key for key in session.fragment_of if key.startswith("train_task_")), None)
    while True:
        text = progress_text(run) or ""
        now = time.time() - pressed
        if result.seconds_to_running is None and text.startswith(("Running", *OVER)):
            result.seconds_to_running = now
        charted = any(
            kind == "plotly_chart" and proto.id.endswith(LIVE_CHARTS) for kind, proto in run.elements
        )
        if result.seconds_to_first_chart is None and charted:
            result.seconds_to_first_chart = now
        if text.startswith(OVER):
            result.outcome, result.seconds_to_over = text.split(" ·")[0], now
            break
        if leave_after is not None and now > leave_after:
            result.outcome = f"left while {text.split(' ·')[0] or 'starting'}"
            await session.close()
            return result
        await asyncio.sleep(POLL_SECONDS)
        if poll_key is None:
            run = await session.rerun()
            poll_key = next((key for key in session.fragment_of if key.startswith("train_task_")), None)
        else:
            run = await session.rerun(fragment=poll_key)
    await drain(session)
    await session.close()
    return result


def children_cpu_ticks(pid: int) -> int:
    total = 0
    for child in descendants(pid):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


async def warm_up(url: str, pid: int, timeout: float = 180.0) -> float:
    """What a lecturer does before the class arrives: open the app, so its Keras workers start.

    Returns the seconds until every worker had TensorFlow loaded and they had been idle for 2 s.
    """
    started = time.perf_counter()
    session = await ProtocolSession.open(url, "home")  # the first page run starts the workers
    quiet_since, ticks = None, children_cpu_ticks(pid)
    while time.perf_counter() - started < timeout:
        await asyncio.sleep(0.5)
        workers = descendants(pid)
        loaded = workers and all("tensorflow" in Path(f"/proc/{child}/maps").read_text() for child in workers)
        now = children_cpu_ticks(pid)
        idle = now - ticks < 0.1 * os.sysconf("SC_CLK_TCK")  # under 0.1 CPU-s in half a second
        ticks = now
        if loaded and idle:
            quiet_since = quiet_since or time.perf_counter()
            if time.perf_counter() - quiet_since >= 2.0:
                break
        else:
            quiet_since = None
    await session.close()
    return time.perf_counter() - started


async def class_session(url: str, students: int, walk_seconds: float, watch: ServerWatch) -> dict:
    timings = Timings()
    stop = asyncio.Event()
    walkers = [asyncio.create_task(walker(url, n, timings, stop)) for n in range(students - 13)]
    await asyncio.sleep(walk_seconds / 2)  # everyone has opened a page or two
    cpu_before, runs_before = watch.cpu_seconds(), len(timings.quiet)
    await asyncio.sleep(walk_seconds / 2)
    cpu_per_run = (watch.cpu_seconds() - cpu_before) / max(1, len(timings.quiet) - runs_before)

    timings.phase = "busy"
    moment = time.time() + 5.0  # the trainers open the page, then all press Train at once
    queries = [""] * TRAINERS_ON_PRESET + OTHER_SETTINGS
    leave = {0, 1, TRAINERS_ON_PRESET}  # two on the preset and one on other settings close their tab
    trainers = [
        asyncio.create_task(trainer(url, query, moment, 4.0 if n in leave else None))
        for n, query in enumerate(queries)
    ]
    results = await asyncio.gather(*trainers)
    stop.set()
    await asyncio.gather(*walkers)

    # Replays: the preset again, by a student who arrives after the class trained it.
    again = await trainer(url, "", time.time() + 1.0, None)
    return {"timings": timings, "cpu_per_run": cpu_per_run, "results": results, "again": again}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--walk-seconds", type=float, default=30.0)
    args = parser.parse_args()
    if args.students < 14:
        parser.error("--students must be at least 14: 13 train and the rest walk")
    with running_app() as app:
        warm = asyncio.run(warm_up(app.url, app.process.pid))
        print(f"the lecturer opened the app: its workers were ready {warm:.1f} s later")
        with ServerWatch(app.process.pid) as watch:
            started = time.perf_counter()
            report = asyncio.run(class_session(app.url, args.students, args.walk_seconds, watch))
            elapsed = time.perf_counter() - started
        tensorflow = app.loaded_tensorflow()
    timings, results = report["timings"], report["results"]
    kept = [r for r in results if not r.left]
    print(f"{args.students} students, load average {os.getloadavg()[0]:.1f}, {elapsed:.0f} s in all")
    print(f"page time before the trainings: {summary(timings.quiet)}")
    print(f"page time while 13 runs train:  {summary(timings.busy)}")
    for page, seconds in sorted(timings.busy_by_page.items()):
        print(f"  {page:20} {summary(seconds)}")
    print(f"server CPU-seconds per page run (walk only): {report['cpu_per_run']:.3f}")
    finished = sum(r.outcome == "Finished" for r in kept)
    print(f"kept runs finished: {finished} of {len(kept)}")
    for r in results:
        over = f"{r.seconds_to_over:.1f} s" if r.seconds_to_over is not None else "-"
        running = f"{r.seconds_to_running:.1f} s" if r.seconds_to_running is not None else "-"
        print(
            f"  {r.query or 'first-network preset':18} {r.outcome:28} started after {running:>7}, over after {over}"
        )
    starts = sorted(r.seconds_to_running for r in kept if r.seconds_to_running is not None)
    print(f"kept runs started at (s after Train): {', '.join(f'{s:.1f}' for s in starts)}")
    again = report["again"]
    chart = f"{again.seconds_to_first_chart:.2f} s" if again.seconds_to_first_chart is not None else "-"
    print(
        f"the preset once more after the class: {again.outcome} in {again.seconds_to_over or 0:.1f} s, first chart {chart}"
    )
    print(
        f"peak memory: server {watch.server_peak_mb:.0f} MB, its workers {watch.children_peak_mb:.0f} MB, "
        f"together {watch.total_peak_mb:.0f} MB (RSS; proportional, shared libraries once: "
        f"{watch.total_pss_peak_mb:.0f} MB); TensorFlow loaded in the server: {tensorflow}"
    )


if __name__ == "__main__":
    main()
