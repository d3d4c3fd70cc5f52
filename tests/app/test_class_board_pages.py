"""The class board and the join page, through AppTest from app.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mnist_core.data.mnist import load_mnist
from mnist_core.teaching.classroom import ROOM_CODE_ALPHABET, Outcome
from ui.class_board import classroom

ROOT = Path(__file__).resolve().parents[2]
BOARD, JOIN = "app_pages/class_board.py", "app_pages/join.py"


def html_bodies(app) -> str:
    return "\n".join(element.proto.body for element in app.get("html"))


def open_board(open_page):
    app = open_page(BOARD)
    app.button(key="board_open").click().run()
    assert not app.exception, [e.value for e in app.exception]
    code = app.session_state["board_room"][0]
    return app, code


@pytest.fixture(scope="module")
def test_digits():
    _, (x_test, y_test) = load_mnist()
    return x_test, y_test


def test_the_board_opens_a_room_with_its_code_a_qr_code_and_the_join_link(open_page):
    app = open_page(BOARD)
    assert "Open a room" in [button.label for button in app.button]
    app.button(key="board_open").click().run()
    code, owner_key = app.session_state["board_room"]
    assert len(code) == 4 and set(code) <= set(ROOM_CODE_ALPHABET)
    assert f">{code}</div>" in html_bodies(app)  # the code, large
    assert len(app.get("image")) == 1  # the QR code
    link = app.code[0].value
    assert link.endswith(f"/join?room={code}")
    assert app.query_params["board"] == owner_key  # a reload of the board keeps its room
    assert app.subheader[0].value == "0 drawings"
    assert app.info[0].value.startswith("Waiting for the first drawing")


def test_an_unknown_room_code_gets_a_clear_message(open_page):
    app = open_page(JOIN)
    assert "Type the room code" in app.info[0].value
    app.text_input(key="room").input("qq-qq").run()
    assert not app.exception
    assert "There is no room **QQQQ** on this server" in app.error[0].value
    assert not app.get("pills")  # nothing to draw on


def test_joining_a_room_then_sending_nothing_says_what_to_do(open_page):
    _, code = open_board(open_page)
    app = open_page(JOIN)
    app.text_input(key="room").input(code.lower()).run()
    assert not app.error
    app.button(key="join_send").click().run()
    assert "First pick which digit" in app.error[0].value
    app.session_state["join_digit"] = 4
    app.run()
    app.button(key="join_send").click().run()
    assert not app.exception
    assert app.error[0].value.startswith("Nothing to send: the canvas is empty")
    assert classroom().view(code).entries == ()


def test_a_sent_drawing_appears_on_the_board_and_clear_empties_it(open_page, test_digits):
    board, code = open_board(open_page)
    x_test, y_test = test_digits
    # what the join page does on Send, for two phones (AppTest cannot draw on the canvas component)
    right = classroom().send(code, "phone-1", int(y_test[0]), x_test[0])
    wrong = classroom().send(code, "phone-2", (int(y_test[1]) + 1) % 10, x_test[1])
    assert right.outcome is wrong.outcome is Outcome.SENT
    board.run()
    assert board.subheader[0].value == "2 drawings"
    grid = html_bodies(board)
    assert f"✓ {right.entry.predicted}<br>" in grid and f"meant {right.entry.intended}<" in grid
    assert f"✗ {wrong.entry.predicted}<br>" in grid and f"meant {wrong.entry.intended}<" in grid
    assert "1 of 2 read right (50%)" in grid
    inside = board.button(key=f"board_inside_{wrong.entry.number}")
    assert inside.label == f"{wrong.entry.confidence:.0%}"
    board.button(key="board_clear").click().run()
    assert board.subheader[0].value == "0 drawings"
    assert classroom().view(code).entries == ()


def test_a_confidently_wrong_drawing_opens_in_inside_the_network(open_page, test_digits):
    board, code = open_board(open_page)
    x_test, y_test = test_digits
    wrong = classroom().send(code, "phone", (int(y_test[2]) + 1) % 10, x_test[2]).entry
    board.run()
    board.button(key=f"board_inside_{wrong.number}").click().run()
    assert not board.exception, [e.value for e in board.exception]
    assert board.title[0].value == "Inside the network"
    assert board.radio(key="inside_source").value == "Your digit"
    assert board.selectbox(key="model").value == "default"
    np.testing.assert_array_equal(board.session_state["predictions_your_digit"]["digit"], wrong.digit)


def test_the_board_and_the_join_page_do_not_import_tensorflow():
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"app = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=120).run()\n"
        f"app.switch_page({BOARD!r}).run()\n"
        "app.button(key='board_open').click().run()\n"
        "code = app.session_state['board_room'][0]\n"
        f"app.switch_page({JOIN!r}).run()\n"
        "app.text_input(key='room').input(code).run()\n"
        "assert not app.exception and not app.error, app.error\n"
        "print('tensorflow' in sys.modules or 'keras' in sys.modules)\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert output.returncode == 0, output.stderr[-2000:]
    assert output.stdout.strip().splitlines()[-1] == "False"


def test_the_phone_link_is_the_apps_address_when_hosted_and_the_laptops_on_localhost(monkeypatch):
    from ui import class_board

    hosted, note = class_board.phone_link_and_note("https://mnist.example.org/class_board", "ACDX")
    assert (hosted, note) == ("https://mnist.example.org/join?room=ACDX", None)

    monkeypatch.setattr(class_board, "lan_address", lambda: "192.168.1.20")
    laptop, note = class_board.phone_link_and_note("http://localhost:8501/class_board", "ACDX")
    assert laptop == "http://192.168.1.20:8501/join?room=ACDX"
    assert "Phones cannot open `localhost`" in note and "port 8501" in note

    real_option = class_board.st.get_option
    bound_here = {"server.address": "127.0.0.1"}  # as after `--server.address 127.0.0.1`
    monkeypatch.setattr(class_board.st, "get_option", lambda name: bound_here.get(name) or real_option(name))
    _, note = class_board.phone_link_and_note("http://localhost:8501/class_board", "ACDX")
    assert "--server.address 0.0.0.0" in note and "(127.0.0.1)" in note
