"""Class board (for the lecturer): open a room, students draw digits on their phones, see them all live."""

import io

import segno
import streamlit as st

from mnist_core.engine.default_model import FIRST_NETWORK
from mnist_core.i18n import current_language, integer, ntr, number, percent, tr
from mnist_core.teaching.classroom import (
    MAX_ENTRIES_PER_ROOM,
    MOST_CONFIDENTLY_WRONG,
    SECONDS_BETWEEN_DRAWINGS,
    most_confidently_wrong,
)
from ui.class_board import BOARD_KEY_PARAM, classroom, grid_html, phone_link_and_note, tally_html
from ui.model_choice import follow_digit_inside

REFRESH_SECONDS = 1.0
ROOM_KEY = "board_room"  # (code, owner key) of the room this session opened

store = classroom()

if ROOM_KEY not in st.session_state:  # a reload of the board keeps its room while the server runs
    code = store.room_of_owner(st.query_params.get(BOARD_KEY_PARAM, ""))
    if code is not None:
        st.session_state[ROOM_KEY] = (code, st.query_params[BOARD_KEY_PARAM])


def open_room():
    st.session_state[ROOM_KEY] = store.open_room()
    st.query_params[BOARD_KEY_PARAM] = st.session_state[ROOM_KEY][1]


room = st.session_state.get(ROOM_KEY)
if room is None or not store.has_room(room[0]):
    st.title(tr("Class board"))
    st.markdown(
        tr(
            "Students draw a digit on their phones and say which digit they meant; the shipped network "
            "(784-32-10, test accuracy {accuracy}) reads each one. This board shows every drawing with its "
            "answer, a tally of right and wrong per digit, and the drawings it got wrong with the most "
            "confidence. No names are asked, and nothing is kept after the server stops."
        ).format(accuracy=number(FIRST_NETWORK.test_accuracy, 4))
    )
    if room is not None:
        st.warning(
            tr("This board's room is gone (the server restarted). Open a new one."), icon=":material/info:"
        )
    st.button(
        tr("Open a room"), type="primary", icon=":material/co_present:", key="board_open", on_click=open_room
    )
    st.stop()

code, owner_key = room
phone_link, network_note = phone_link_and_note(st.context.url, code)

join_column, live_column = st.columns([0.85, 2.3], gap="medium")
with join_column:
    join_line = tr("Join on your phone with the code")
    st.html(
        f'<div style="font-size:18px">{join_line}</div>'
        f'<div style="font:800 72px/1.1 monospace;letter-spacing:8px">{code}</div>'
    )
    qr = io.BytesIO()
    segno.make(phone_link, error="m").save(qr, kind="png", scale=7, border=2)
    st.image(
        qr.getvalue(),
        width=210,
        caption=tr("Scan to join, or open the link:"),
        output_format="PNG",
        alt=tr("QR code of the link to join this class: {link}").format(link=phone_link),
    )
    st.code(phone_link, language=None, wrap_lines=True)
    if network_note:
        st.caption(network_note)
    st.caption(
        tr("Each phone sends at most one drawing every {seconds} s; the board holds {count}.").format(
            seconds=number(SECONDS_BETWEEN_DRAWINGS, 0), count=integer(MAX_ENTRIES_PER_ROOM)
        )
    )
    if st.button(tr("Clear the board"), icon=":material/delete_sweep:", key="board_clear"):
        store.clear(code, owner_key)
    st.button(tr("Open a new room"), icon=":material/add:", key="board_new_room", on_click=open_room)


def open_inside(entry) -> None:
    """Show a drawing in Inside the network with the shipped model that answered it."""
    # Already in the viewer's language: it is no catalogue text, so Inside the network's tr() keeps it.
    source = tr("class board drawing {number}: meant {intended}, read {predicted}").format(
        number=entry.number, intended=entry.intended, predicted=entry.predicted
    )
    follow_digit_inside(entry.digit, FIRST_NETWORK.key, source)


@st.fragment(run_every=REFRESH_SECONDS)
def live_board():
    """Rebuilt every second; the pictures' HTML only when a drawing arrived or the board was cleared."""
    view = store.view(code)
    if view is None:
        st.warning(tr("This room is gone: the server restarted. Open a new room."), icon=":material/info:")
        return
    cached = st.session_state.get("board_cache")
    if cached is None or cached[0] != (code, view.version, current_language()):
        cached = (
            (code, view.version, current_language()),
            grid_html(view.entries, px=52),
            tally_html(view.entries),
        )
        st.session_state["board_cache"] = cached
    _, grid, table = cached
    count = len(view.entries)
    drawings = ntr("{count} drawing", "{count} drawings", count).format(count=integer(count))
    st.subheader(drawings + (tr(" · the board is full") if view.is_full else ""))
    tally_column, wrong_column = st.columns([1, 1.15])
    tally_column.html(table)
    wrong = most_confidently_wrong(view.entries)
    with wrong_column:
        st.markdown(
            tr(
                "**Most confidently wrong**, and how sure the network was: press one to open it in Inside the "
                "network"
            )
            if wrong
            else tr("**Most confidently wrong:** none yet.")
        )
        per_row = (
            MOST_CONFIDENTLY_WRONG + 1
        ) // 2  # two rows: they fit beside the tally with the sidebar open
        columns = [c for _ in range(2) for c in st.columns(per_row, gap="small")] if wrong else []
        for column, entry in zip(columns, wrong):
            column.html(grid_html([entry], px=50))
            label = percent(entry.confidence)
            if column.button(
                label,
                key=f"board_inside_{entry.number}",
                width="stretch",
                help=tr("Open it in Inside the network"),
            ):
                open_inside(entry)
    if count == 0:
        st.info(tr("Waiting for the first drawing…"), icon=":material/hourglass_top:")
    else:
        st.caption(
            tr(
                "Newest first. On each drawing, the network's answer: green when it is the digit the student "
                "meant, red when it is not."
            )
        )
        st.html(grid)


with live_column:
    live_board()
