"""Streamlit glue for the live class board: the server's one store, and the board's pictures.

The two pages (``app_pages/class_board.py`` for the lecturer, ``app_pages/join.py`` for the
students) share one ``ClassroomStore`` per server. Nothing here imports TensorFlow: the
shipped network answers in NumPy, so 50 phones cost the server no Keras.
"""

from __future__ import annotations

import base64
import html
import uuid
from urllib.parse import urlsplit

import streamlit as st

from mnist_core.data.preprocess import decode_image
from mnist_core.i18n import integer, percent, tr
from mnist_core.teaching.classroom import (
    ClassroomStore,
    Entry,
    is_local_url,
    join_url,
    lan_address,
    shipped_network_answerer,
    tally,
    with_host,
)

BOARD_PATH = "class_board"  # the pages' url paths: the join link is built from the board's URL
JOIN_PATH = "join"
ROOM_PARAM = "room"  # ?room=ACDX on the join link: the join page's code box is bound to it
BOARD_KEY_PARAM = "board"  # ?board=<owner key> on the lecturer's own URL, so a reload keeps the room
SESSION_ID_KEY = "join_session_id"


@st.cache_resource
def classroom() -> ClassroomStore:
    """The server's rooms, shared by every session; gone when the server stops."""
    return ClassroomStore(shipped_network_answerer())


def session_id() -> str:
    """A random id for this browser session, for the one-drawing-every-2-s limit."""
    if SESSION_ID_KEY not in st.session_state:
        st.session_state[SESSION_ID_KEY] = uuid.uuid4().hex
    return st.session_state[SESSION_ID_KEY]


def canvas_pixels(canvas_key: str):
    """The drawing on the st_canvas with ``canvas_key``, from session state: (h, w) uint8, or None.

    Read in a callback, before the canvas is drawn again. It relies on streamlit-drawable-canvas
    0.13's state ("drawing": {"data": a PNG data URL}); the class board's browser journey fails if
    that changes. Decoded with the app's own safe decoder.
    """
    state = st.session_state.get(canvas_key) or {}
    data_url = (state.get("drawing") or {}).get("data")
    if not data_url:
        return None
    try:
        return decode_image(base64.b64decode(data_url.split(";base64,", 1)[1]), tr("the drawing"))
    except (ValueError, IndexError):  # not a picture: treated as an empty canvas, with its message
        return None


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _tile(entry: Entry, px: int) -> str:
    mark, colour = ("✓", "#1a7f37") if entry.correct else ("✗", "#c62828")
    alt = tr("drawing {number}: meant {intended}, read {predicted}").format(
        number=entry.number, intended=entry.intended, predicted=entry.predicted
    )
    meant = tr("meant {digit}").format(digit=entry.intended)
    return (
        f'<figure style="margin:0;text-align:center;border:3px solid {colour};border-radius:6px;'
        f'padding:2px;background:#000">'
        f'<img src="{_data_uri(entry.png)}" width="{px}" height="{px}" '
        f'style="image-rendering:pixelated;display:block;margin:auto" '
        f'alt="{html.escape(alt)}">'
        f'<figcaption style="color:#fff;background:{colour};font:700 17px/1.2 sans-serif">'
        f'{mark} {entry.predicted}<br><span style="font:400 13px/1.2 sans-serif">{html.escape(meant)}</span>'
        "</figcaption></figure>"
    )


def grid_html(entries, px: int = 64) -> str:
    """Every drawing, newest first, each with the network's answer: green when right, red when wrong."""
    tiles = "".join(_tile(entry, px) for entry in reversed(entries))
    return (
        f'<div style="display:grid;grid-template-columns:repeat(auto-fill,{px + 10}px);gap:6px">{tiles}</div>'
    )


def tally_html(entries) -> str:
    """A table: per intended digit, how many the network read right and wrong."""
    right, wrong = tally(entries)
    cell = 'style="padding:2px 5px;text-align:center;font-size:17px"'
    head = "".join(f"<th {cell}>{digit}</th>" for digit in range(10))
    meant = html.escape(tr("meant"))
    rows = "".join(
        f'<tr><th {cell} style="text-align:left;color:{colour}">{label}</th>'
        + "".join(f"<td {cell}>{value}</td>" for value in values)
        + "</tr>"
        for label, colour, values in (("✓", "#1a7f37", right), ("✗", "#c62828", wrong))
    )
    return (
        f'<div style="overflow-x:auto"><table style="border-collapse:collapse">'
        f"<tr><th {cell}>{meant}</th>{head}</tr>{rows}</table></div>"
        f'<p style="margin:4px 0 0 0;font-size:15px">{html.escape(_share_line(right, wrong))}</p>'
    )


def _share_line(right, wrong) -> str:
    total = int(right.sum() + wrong.sum())
    if total == 0:
        return tr("No drawings yet.")
    return tr("{right} of {total} read right ({share}).").format(
        right=integer(right.sum()), total=integer(total), share=percent(right.sum() / total)
    )


def phone_link_and_note(page_url: str | None, code: str) -> tuple[str, str | None]:
    """The link phones open to join ``code``, and what the lecturer must know when it is a laptop's.

    ``page_url`` is the board's own address (``st.context.url``). On a hosted app that is the
    link; on ``localhost`` phones need the laptop's address on the room's network instead.
    """
    # The browser's own address for the board; without one (a test run), the address Streamlit prints.
    board_url = page_url or (
        f"http://{st.get_option('browser.serverAddress')}:{st.get_option('server.port')}/{BOARD_PATH}"
    )
    link = join_url(board_url, code, BOARD_PATH)
    phone_link, network_note = link, None
    if is_local_url(link):  # a lecturer's laptop: phones need its address on the room's network
        lan = lan_address()
        port = urlsplit(link).port or 80
        if lan is not None:
            phone_link = with_host(link, lan)
        bound = st.get_option("server.address") or ""
        if bound.startswith("127.") or bound in ("localhost", "::1"):
            network_note = (
                tr(
                    "Phones cannot reach this server yet: it listens to this computer only ({address}). Restart "
                    "it with `streamlit run app.py --server.address 0.0.0.0`; then phones on the room's Wi-Fi "
                    "use the link above."
                )
                if lan
                else tr(
                    "Phones cannot reach this server yet: it listens to this computer only ({address}). Restart "
                    "it with `streamlit run app.py --server.address 0.0.0.0`; then phones on the room's Wi-Fi "
                    "use this laptop's address on that network."
                )
            ).format(address=bound)
        elif lan:
            network_note = tr(
                "Phones cannot open `localhost`: the link uses this laptop's address on its network. Phones must "
                "be on the same Wi-Fi; if the link does not open, allow port {port} in the laptop's firewall."
            ).format(port=port)
        else:
            network_note = tr(
                "Phones cannot open `localhost`, and this laptop seems to have no network. Join the room's Wi-Fi, "
                "then phones use http://<this laptop's address>:{port}/join?room={code}."
            ).format(port=port, code=code)
    return phone_link, network_note
