"""The class board benchmark's simulated phones speak Streamlit's websocket protocol as a browser does.

`benchmarks/streamlit_protocol.py` relies on Streamlit's internal wire format (BackMsg/ForwardMsg,
widget ids, fragment reruns, the canvas component's JSON state). If an upgrade changes any of it,
this journey fails before the benchmark silently measures something else.
"""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_class_board_protocol import canvas_state  # noqa: E402
from streamlit_protocol import PRESS, ProtocolSession, json_value, string_array  # noqa: E402

pytestmark = pytest.mark.e2e


async def a_phone_sends_a_seven(url: str) -> None:
    board = await ProtocolSession.open(url, "class_board")
    opened = await board.rerun({"board_open": PRESS})
    link = next(proto.code_text for kind, proto in opened.elements if kind == "code")
    code = re.search(r"room=([A-Z]{4})", link)[1]
    assert opened.texts("heading") == ["0 drawings"]

    phone = await ProtocolSession.open(url, "join", f"room={code}")
    assert {"join_digit", "join_canvas_0", "join_send"} <= phone.widget_ids.keys()
    picked = await phone.rerun({"join_digit": string_array(["7"])}, fragment="join_digit")
    assert "Draw one digit, large, with your finger." in picked.texts("markdown")
    drawn = await phone.rerun({"join_canvas_0": json_value(canvas_state(7))}, fragment="join_canvas_0")
    assert "Ready: press Send." in drawn.texts("markdown")
    sent = await phone.rerun({"join_send": PRESS}, fragment="join_send")
    assert any(
        re.match(r"Sent\. The network read a 7 \(probability", text) for text in sent.texts("alert")
    ), sent.texts("alert")
    assert "join_canvas_1" in phone.widget_ids  # a sent drawing leaves an empty canvas
    again = await phone.rerun({"join_send": PRESS}, fragment="join_send")  # at once: the 2 s limit
    assert any(text.startswith("Too soon") for text in again.texts("alert")), again.texts("alert")

    shown = await board.rerun()
    assert shown.texts("heading") == ["1 drawing"]
    await phone.close()
    await board.close()


def test_a_protocol_phone_joins_draws_and_is_answered(server_url):
    # In its own thread: after the browser tests, Playwright's event loop runs on this one.
    errors: list[BaseException] = []

    def phone() -> None:
        try:
            asyncio.run(a_phone_sends_a_seven(server_url))
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    thread = threading.Thread(target=phone)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the protocol phone did not finish within 300 s"
    if errors:
        raise errors[0]
