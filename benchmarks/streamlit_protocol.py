"""A Streamlit client without a browser: the app's websocket, spoken in its own protobuf messages.

    phone = await ProtocolSession.open("http://127.0.0.1:8501", "join", "room=ACDX")
    await phone.rerun({"join_digit": string_array(["7"])}, fragment="join_digit")
    run = await phone.rerun({"join_send": PRESS}, fragment="join_send")  # run.texts("alert")

What a browser tab does, as seen by the server (learned from Streamlit 1.67's source,
`web/server/starlette/starlette_websocket.py`, and checked against the frames a real Chromium
sends, recorded with Playwright):

- it opens `/_stcore/stream` (the subprotocol header is "streamlit"); the server makes one
  session for the connection;
- every run of the script is one `BackMsg.rerun_script` (a `ClientState`): the URL's query
  string, the page (by name on the first run, then by the `page_script_hash` the server sent in
  its `navigation` message), and the value of every widget the page has drawn, each as a `WidgetState`
  whose `id` the server chose (`$$ID-<hash>-<key>` for a keyed widget, found here in the
  `delta.new_element` messages of the previous run);
- a widget inside an `st.fragment` reruns only that fragment: `fragment_id` is the one the
  server put on that widget's deltas;
- the answer is a stream of `ForwardMsg`s ending with `script_finished`.

Widget values, as the browser encodes them: a button press is `trigger_value=True` for that
run only; `st.pills` sends its chosen options as `string_array_value`; a v2 custom component
(streamlit-drawable-canvas 0.13 is one) sends its whole state as `json_value`, for the canvas
`{"drawing": {"raw": <Fabric.js JSON>, "data": "data:image/png;base64,..."}}`.

This is Streamlit's internal wire protocol, not a public API: if a Streamlit upgrade changes
it, `tests/e2e/test_class_board_protocol.py` fails (a protocol phone must get its "Sent." answer).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import StringArray
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState


@dataclass(frozen=True)
class WidgetValue:
    """One widget's value as the browser sends it: which field of ``WidgetState``, and what."""

    field: str
    value: object

    @property
    def sticky(self) -> bool:
        """A button press counts for one run; every other value is sent again on later runs."""
        return self.field != "trigger_value"

    def write(self, state: WidgetState) -> None:
        if self.field == "string_array_value":
            state.string_array_value.CopyFrom(StringArray(data=self.value))
        else:
            setattr(state, self.field, self.value)


def boolean(value: bool) -> WidgetValue:
    return WidgetValue("bool_value", value)


def string(value: str) -> WidgetValue:
    return WidgetValue("string_value", value)


def string_array(values: list[str]) -> WidgetValue:
    return WidgetValue("string_array_value", list(values))


def json_value(value: object) -> WidgetValue:
    return WidgetValue("json_value", json.dumps(value))


PRESS = WidgetValue("trigger_value", True)


@dataclass
class Run:
    """What one script run sent back: its elements (type, proto) in order, and when it finished."""

    elements: list[tuple[str, object]] = field(default_factory=list)
    finished_at: float = 0.0
    status: int = -1

    def texts(self, kind: str) -> list[str]:
        """The ``body`` of every element of one kind ("alert", "heading", "markdown")."""
        return [proto.body for element_kind, proto in self.elements if element_kind == kind]


class ProtocolSession:
    """One browser session, without the browser: a websocket to the app and the page's widget ids."""

    def __init__(self, socket, url: str, page: str, query: str):
        self._socket = socket
        self._url = url
        self._page = page
        self.query = query
        self.page_hash = ""
        self.widget_ids: dict[str, str] = {}  # user key -> the id the server gave the widget
        self.fragment_of: dict[str, str] = {}  # user key -> id of the fragment that drew it
        self.values: dict[str, WidgetValue] = {}  # what the browser would send for each widget

    @classmethod
    async def open(cls, url: str, page: str, query: str = "") -> ProtocolSession:
        """Connect as a fresh browser tab would and run ``page`` once."""
        parts = urlsplit(url)
        socket = await websockets.connect(
            f"ws://{parts.netloc}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=f"{parts.scheme}://{parts.netloc}",
            max_size=None,
            compression=None,  # a browser would negotiate permessage-deflate; it costs both ends CPU
        )
        session = cls(socket, url, page, query)
        await session.rerun()
        return session

    def _client_state(self, fragment_key: str | None) -> BackMsg:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        if self.page_hash:
            state.page_script_hash = self.page_hash
        else:
            state.page_name = self._page
        if fragment_key is not None:
            state.fragment_id = self.fragment_of[fragment_key]
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = f"{self._url}/{self._page}"
        info.is_embedded, info.color_scheme = False, "light"
        for key, value in self.values.items():
            if key in self.widget_ids:
                widget = state.widget_states.widgets.add()
                widget.id = self.widget_ids[key]
                value.write(widget)
        return message

    async def send_rerun(self, changes: dict[str, WidgetValue] | None = None, fragment: str | None = None):
        """Send one rerun without waiting for it; returns the moment it was written to the socket.

        ``changes`` maps widget keys to their new values (kept for later runs, as a browser keeps
        them, except button presses, which count for this run only). ``fragment`` names a widget
        whose fragment reruns alone, as a click inside an ``st.fragment`` does.
        """
        changes = changes or {}
        self.values.update({key: value for key, value in changes.items() if value.sticky})
        message = self._client_state(fragment)
        for key, value in changes.items():
            if not value.sticky:
                widget = message.rerun_script.widget_states.widgets.add()
                widget.id = self.widget_ids[key]
                value.write(widget)
        await self._socket.send(message.SerializeToString())
        return time.time()

    async def finish(self) -> Run:
        """Read ForwardMsgs until the running script finishes; learn the widget ids it drew."""
        run = Run()
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self._socket.recv())
            kind = message.WhichOneof("type")
            if kind == "navigation":  # with st.navigation, the page that ran (new_session names app.py)
                self.page_hash = message.navigation.page_script_hash
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                element_kind = element.WhichOneof("type")
                proto = getattr(element, element_kind)
                widget_id = proto.id if "id" in proto.DESCRIPTOR.fields_by_name else ""
                if widget_id.startswith("$$ID-"):
                    key = widget_id.split("-", 2)[2]
                    self.widget_ids[key] = widget_id
                    if message.delta.fragment_id:
                        self.fragment_of[key] = message.delta.fragment_id
                    self._default(key, element_kind, proto)
                run.elements.append((element_kind, proto))
            elif kind == "script_finished":
                run.finished_at, run.status = time.time(), message.script_finished
                return run

    def _default(self, key: str, kind: str, proto) -> None:
        """A browser reports the value every drawn input shows, changed or not."""
        if key in self.values:
            return
        if kind in ("checkbox", "text_input"):
            shown = proto.value if proto.set_value else proto.default
            self.values[key] = boolean(shown) if kind == "checkbox" else string(shown)

    async def rerun(self, changes: dict[str, WidgetValue] | None = None, fragment: str | None = None) -> Run:
        await self.send_rerun(changes, fragment)
        return await self.finish()

    async def close(self) -> None:
        await self._socket.close()
