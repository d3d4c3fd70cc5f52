"""Join a class (for students, on a phone): the room code, which digit, a canvas, Send.

Kept light for 50 phones at once: no charts, no TensorFlow (the shipped network answers in
NumPy on the server), and the canvas sends its drawing as one small PNG.
"""

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from mnist_core.data.preprocess import has_ink
from mnist_core.i18n import tr
from mnist_core.teaching.classroom import ROOM_CODE_LENGTH, Outcome, normalize_code
from ui.class_board import ROOM_PARAM, canvas_pixels, classroom, session_id

CANVAS_PX = 280  # fits a 390 px wide phone, and leaves room below for the answer to Send
RESULT_KEY = "join_result"
ICONS = {Outcome.SENT: ":material/check_circle:", Outcome.TOO_SOON: ":material/timer:"}

st.header(tr("Join a class"), anchor=False)
store = classroom()

# The key is the URL parameter's name: the board's link and QR code open /join?room=ACDX.
typed = st.text_input(
    tr("Room code"),
    key=ROOM_PARAM,
    bind="query-params",
    max_chars=ROOM_CODE_LENGTH + 4,
    placeholder=tr("e.g. ACDX"),
    help=tr("The letters shown large on the lecturer's board."),
)
code = normalize_code(typed)
if not code:
    st.info(tr("Type the room code from the board, or scan its QR code."), icon=":material/qr_code_scanner:")
    st.stop()
if not store.has_room(code):
    st.error(
        tr(
            "There is no room **{code}** on this server. Check the code on the board (letters only) and type "
            "it again; if the lecturer opened a new room, use the new code."
        ).format(code=code),
        icon=":material/error:",
    )
    st.stop()


def send(canvas_key: str) -> None:
    """Send's callback. It runs before the fragment, so a sent drawing leaves an empty canvas in one run."""
    digit = st.session_state.get("join_digit")
    if digit is None:
        st.session_state[RESULT_KEY] = (None, tr("First pick which digit you are drawing, above the canvas."))
        return
    result = store.send(code, session_id(), digit, canvas_pixels(canvas_key))
    st.session_state[RESULT_KEY] = (result.outcome, result.message)
    if result.outcome is Outcome.SENT:
        st.session_state["join_round"] = st.session_state.get("join_round", 0) + 1


@st.fragment
def draw_and_send():
    """A stroke reruns only this part; the page around it stays put."""
    st.pills(tr("Which digit will you draw?"), list(range(10)), key="join_digit")
    canvas_key = f"join_canvas_{st.session_state.get('join_round', 0)}"  # a new key: an empty canvas
    canvas = st_canvas(
        stroke_width=18,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=CANVAS_PX,
        width=CANVAS_PX,
        key=canvas_key,
        return_image_data=True,
    )
    # The canvas reports a stroke 0.2 s after the finger lifts: this line says when Send will have it.
    ready = has_ink(canvas.image_data)
    st.caption(tr("Ready: press Send.") if ready else tr("Draw one digit, large, with your finger."))
    st.button(
        tr("Send"),
        type="primary",
        icon=":material/send:",
        key="join_send",
        width="stretch",
        on_click=send,
        args=(canvas_key,),
    )
    outcome, message = st.session_state.get(RESULT_KEY, (False, None))
    if message is None:
        return
    if outcome is Outcome.SENT:
        st.success(message, icon=ICONS[outcome])
    elif outcome is Outcome.TOO_SOON:
        st.warning(message, icon=ICONS[outcome])
    else:
        st.error(message, icon=":material/error:")


draw_and_send()
