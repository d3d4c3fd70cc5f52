"""50 phones on one class board, the phones simulated at the protocol level: the board's headline number.

    .venv/bin/python benchmarks/bench_class_board_protocol.py [--students 50] [--runs 5]

A real `streamlit run app.py`; the lecturer's board is a real headless Chromium tab at
1280 x 720. Each student is a `ProtocolSession` (`benchmarks/streamlit_protocol.py`): its own
websocket and Streamlit session, sending exactly the messages a phone's browser sends (the
join page's first run, the digit picked in the pills, the canvas's drawing as the component's
JSON state with a 280 x 280 PNG, then Send), and reading the server's answer.

Why not 50 browsers (`bench_class_board.py`, kept): on this 2-core machine 50 Chromium pages
used 6.7 CPU-s during the burst against the server's 1.0 CPU-s, so that benchmark timed the
browsers fighting the server for the cores, which a lecture hall's phones (each its own CPU)
never do. What the server sees is identical either way: one websocket per phone and the same
BackMsgs (checked against the frames a real Chromium sends). A protocol phone costs a few
milliseconds of this process's CPU per Send, measured and printed below. What it leaves out
is the phone's own page load (HTML, JS, the component's files), which happens before Send and
does not touch the timed part.

Each run opens a new room, lets the phones join and draw, then all of them press Send at one
instant, and times:

- the board: from the last Send until the board's tab shows "50 drawings" (target: < 3 s;
  the board's fragment refreshes once a second, so up to 1 s of that is waiting for its
  next tick), and until the board's websocket received that run's heading (the script run);
- every phone's answer ("Sent. The network read ..."): from its Send to its reply;
- CPU seconds of the server, of the board's Chromium and of this client process during the
  burst, the server's memory, and the load average.

Median and 95th percentile are over the runs (the board) and over all phones of all runs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_server import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402
from bench_class_board import browser_cpu_seconds, cpu_seconds  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit_protocol import PRESS, ProtocolSession, json_value, string_array  # noqa: E402

CANVAS_PX = 280  # app_pages/join.py's canvas
STROKE = 18


def strokes(digit: int) -> list[tuple[float, float]]:
    """The points of a 1 (one stroke down) or a 7 (a bar, then a diagonal), as the browser benchmark draws."""
    if digit == 1:
        return [(150 - step, 40 + step * 20) for step in range(12)]
    return [(70 + step * 22, 50) for step in range(8)] + [(224 - s * 12, 50 + s * 24) for s in range(1, 10)]


def canvas_state(digit: int) -> dict:
    """What streamlit-drawable-canvas reports after one stroke: Fabric.js JSON and the canvas as a PNG."""
    points = strokes(digit)
    image = Image.new("RGBA", (CANVAS_PX, CANVAS_PX), (0, 0, 0, 255))
    ImageDraw.Draw(image).line(points, fill=(255, 255, 255, 255), width=STROKE, joint="curve")
    png = io.BytesIO()
    image.save(png, format="PNG")
    path = [["M", *points[0]]] + [["L", *point] for point in points[1:]]
    raw = {
        "version": "7.4.0",
        "background": "#000000",
        "objects": [{"type": "Path", "path": path, "stroke": "#FFFFFF", "strokeWidth": STROKE, "fill": None}],
    }
    data = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")
    return {"drawing": {"raw": raw, "data": data}}


async def join_and_draw(url: str, code: str, number: int) -> ProtocolSession:
    """One phone: open the join link, pick the digit it means, draw, and wait for "Ready: press Send."."""
    phone = await ProtocolSession.open(url, "join", f"room={code}")
    drawn = 1 if number % 2 else 7
    meant = (drawn + 3) % 10 if number % 5 == 4 else drawn  # one in five says another digit: wrong answers
    await phone.rerun({"join_digit": string_array([str(meant)])}, fragment="join_digit")
    canvas_key = next(key for key in phone.widget_ids if key.startswith("join_canvas_"))
    run = await phone.rerun({canvas_key: json_value(canvas_state(drawn))}, fragment=canvas_key)
    if "Ready: press Send." not in run.texts("markdown"):
        raise RuntimeError(f"phone {number}: the page did not take the drawing: {run.texts('markdown')}")
    return phone


async def send_at(phone: ProtocolSession, moment: float) -> tuple[float, float, str]:
    """Press Send at ``moment`` (the machine's clock); returns when it was sent, answered, and the answer."""
    await asyncio.sleep(max(0.0, moment - time.time()))
    sent_at = await phone.send_rerun({"join_send": PRESS}, fragment="join_send")
    run = await phone.finish()
    answer = next(iter(run.texts("alert")), "(no answer)")
    return sent_at, run.finished_at, answer


class BoardWatch:
    """The board tab's websocket frames: when the heading first said "<n> drawings"."""

    def __init__(self):
        self.heading_at: dict[str, float] = {}

    def frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        if message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            if element.WhichOneof("type") == "heading":
                self.heading_at.setdefault(element.heading.body, time.time())


async def one_run(url: str, board, watch: BoardWatch, server_pid: int, students: int, previous: str | None):
    """A new room on the board, ``students`` phones join and draw, all press Send at once: the timings."""
    await board.get_by_role("button", name="Open a room" if previous is None else "Open a new room").click()
    if previous is not None:  # the board shows the new code once the new room is drawn
        await board.wait_for_function("old => !document.body.innerText.includes(old)", arg=f"room={previous}")
    await board.get_by_text("Scan to join").wait_for()
    link = (await board.get_by_test_id("stCode").first.inner_text()).strip()
    code = re.search(r"room=([A-Z]{4})", link)[1]
    await board.get_by_text("0 drawings").wait_for()
    watch.heading_at.clear()

    started = time.perf_counter()
    phones = await asyncio.gather(*(join_and_draw(url, code, number) for number in range(students)))
    joined_seconds = time.perf_counter() - started

    load_before = os.getloadavg()
    moment = time.time() + 1.0
    cpu_server, cpu_browser, cpu_client = cpu_seconds(server_pid), browser_cpu_seconds(), time.process_time()
    heading = f"{students} drawings"
    shown = asyncio.ensure_future(
        board.wait_for_function(
            "n => document.body.innerText.includes(n + ' drawings') ? Date.now() : false",
            arg=students,
            polling=50,
            timeout=120_000,
        )
    )
    answers = await asyncio.gather(*(send_at(phone, moment) for phone in phones))
    shown_at = await (await shown).json_value() / 1000
    cpu_server = cpu_seconds(server_pid) - cpu_server
    cpu_browser = browser_cpu_seconds() - cpu_browser
    cpu_client = time.process_time() - cpu_client
    last_send = max(sent for sent, _, _ in answers)
    for phone in phones:
        await phone.close()
    return {
        "code": code,
        "joined_seconds": joined_seconds,
        "spread_ms": (last_send - min(sent for sent, _, _ in answers)) * 1000,
        "board_seconds": shown_at - last_send,
        "board_run_seconds": watch.heading_at.get(heading, float("nan")) - last_send,
        "answer_seconds": [answered - sent for sent, answered, _ in answers],
        "sent_ok": sum(answer.startswith("Sent. The network read") for _, _, answer in answers),
        "cpu_server": cpu_server,
        "cpu_browser": cpu_browser,
        "cpu_client": cpu_client,
        "load_before": load_before,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main(students: int, runs: int) -> None:
    from playwright.async_api import async_playwright

    print(f"load average before: {os.getloadavg()}")
    with running_app(ROOT / "artifacts" / "bench-class-board-protocol-server.log") as app:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            board = await browser.new_page(viewport={"width": 1280, "height": 720})
            board.set_default_timeout(120_000)
            watch = BoardWatch()
            board.on("websocket", lambda socket: socket.on("framereceived", watch.frame))
            await board.goto(f"{app.url}/class_board")
            await board.get_by_role("button", name="Open a room").wait_for()
            rss_board = app.rss_mb()
            results = []
            for number in range(runs):
                previous = results[-1]["code"] if results else None
                result = await one_run(app.url, board, watch, app.process.pid, students, previous)
                result["rss"] = app.rss_mb()
                results.append(result)
                print(
                    f"run {number + 1} (room {result['code']}): {students} phones joined and drew in "
                    f"{result['joined_seconds']:.1f} s; Sends within {result['spread_ms']:.0f} ms; board's script "
                    f"run has all {students} {result['board_run_seconds']:.2f} s after the last Send, on screen "
                    f"{result['board_seconds']:.2f} s; phones answered 'Sent.': {result['sent_ok']}/{students}, "
                    f"median {statistics.median(result['answer_seconds']):.2f} s, slowest "
                    f"{max(result['answer_seconds']):.2f} s; CPU s: server {result['cpu_server']:.2f}, board tab "
                    f"{result['cpu_browser']:.2f}, {students} protocol phones {result['cpu_client']:.2f}; "
                    f"load {result['load_before'][0]:.2f}; server RSS {result['rss']:.0f} MB"
                )
                await asyncio.sleep(2)
            await browser.close()
        board_seconds = [result["board_seconds"] for result in results]
        run_seconds = [result["board_run_seconds"] for result in results]
        answers = [seconds for result in results for seconds in result["answer_seconds"]]
        cpu = [result["cpu_server"] for result in results]
        print(
            f"\nboard shows all {students}, seconds after the last Send, over {runs} runs: median "
            f"{statistics.median(board_seconds):.2f}, p95 {percentile(board_seconds, 0.95):.2f}, max "
            f"{max(board_seconds):.2f} (target < 3 s); its script run: median {statistics.median(run_seconds):.2f}"
        )
        print(
            f"a phone's answer after its Send, over {len(answers)} phones: median {statistics.median(answers):.2f} s, "
            f"p95 {percentile(answers, 0.95):.2f} s"
        )
        print(
            f"server CPU per burst of {students} Sends: median {statistics.median(cpu):.2f} s; server RSS "
            f"{rss_board:.0f} MB with the board only, {max(result['rss'] for result in results):.0f} MB at most"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.students, arguments.runs))
