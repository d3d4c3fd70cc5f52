"""AppTest in Spanish: draw a digit on Predictions and read the answer; the keyboard grid, a bad drawing,
a bad upload, and a drawing sent from Join a class to the Class board.

The whole-page checks are in test_spanish_pages.py; here the parts that only appear after a
drawing, an upload or a Send, which a page opened without input never shows.
"""

import base64
import io
import json

import numpy as np
import pytest
from page_texts import english_sentences, page_texts
from PIL import Image

from app_pages.predictions_ui.your_digit import CANVAS_SIDE
from mnist_core.data.mnist import load_mnist
from mnist_core.i18n import in_language
from mnist_core.teaching.classroom import Outcome, SendResult
from ui.class_board import classroom

PREDICTIONS = "app_pages/predictions.py"
STROKE_JSON = {"version": "6.0.0", "objects": [], "background": "#000000"}


@pytest.fixture(scope="module")
def test_digits():
    _, (x_test, y_test) = load_mnist()
    return x_test, y_test


def canvas_png(gray: np.ndarray) -> str:
    """The data URL the canvas sends: white ink on black, RGBA, CANVAS_SIDE pixels square."""
    gray = np.asarray(Image.fromarray(gray).resize((CANVAS_SIDE, CANVAS_SIDE), Image.Resampling.BILINEAR))
    rgba = np.dstack([gray, gray, gray, np.full_like(gray, 255)])
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def open_in_spanish(open_page, page: str):
    app = open_page(page, session_state={"_language_chosen": "es"})
    assert app.session_state["_viewer_language"] == "es"
    return app


def stroke(app, data_url: str):
    app.session_state["predictions_canvas_0"] = {"drawing": {"raw": STROKE_JSON, "data": data_url}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def choose_source(app, option: str):
    """Press a way to give a digit. AppTest writes the pressed option as its label, translated on the
    test's thread: in Spanish there, as the browser writes the label it shows."""
    with in_language("es"):
        app.button_group(key="predictions_source").set_value(option).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.button_group(key="predictions_source").value == option
    return app


class Part:
    """One block of a page, read by page_texts as if it were the whole page."""

    def __init__(self, block):
        self.main, self.sidebar = block, type("Empty", (), {"children": {}})()


def block_around(root, wanted: str):
    """The row of columns (a block of blocks) holding an element whose value is ``wanted``."""

    def holds(node) -> bool:
        if getattr(node, "children", None) is None:
            return getattr(node, "value", None) == wanted
        return any(holds(child) for child in node.children.values())

    def search(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "children", None) is not None and holds(child):
                columns = [c for c in child.children.values() if getattr(c, "type", "") == "column"]
                return child if columns else search(child)
        return None

    return search(root)


def test_a_drawing_is_answered_in_spanish_and_nothing_around_it_is_english(open_page, test_digits):
    x_test, y_test = test_digits
    seven = x_test[int(np.flatnonzero(y_test == 7)[0])]
    app = stroke(open_in_spanish(open_page, PREDICTIONS), canvas_png(seven))
    verdict = "El modelo dice 7 (probabilidad 1,00)"
    assert verdict in [s.value for s in app.subheader]
    answer_area = block_around(app.main, verdict)
    assert answer_area is not None
    texts = page_texts(Part(answer_area))
    joined = "\n".join(texts)
    for spanish in ("Imágenes de entrenamiento más cercanas", "1 · escala de grises", "Seguirlo por la red"):
        assert spanish in joined
    assert "La probabilidad que el modelo da a cada dígito: 0: 0,00;" in joined  # the bars' alt text
    assert english_sentences(texts) == [], english_sentences(texts)
    # The ways to give a digit show in Spanish; the value behind each stays the English option.
    source = app.button_group(key="predictions_source")
    assert source.proto.options[1].content == "Teclado" and source.value == "Draw"


def test_a_dot_gets_the_spanish_reason_and_what_to_do(open_page):
    dot = np.zeros((28, 28), np.uint8)
    dot[13:15, 13:15] = 255
    app = stroke(open_in_spanish(open_page, PREDICTIONS), canvas_png(dot))
    (warning,) = app.warning
    assert warning.value.startswith("tu dibujo: muy poca tinta para ser un dígito")
    assert "Dibuja el dígito entero" in warning.value


def test_a_file_that_is_no_picture_is_refused_in_spanish(open_page):
    app = choose_source(open_in_spanish(open_page, PREDICTIONS), "Upload")
    app.file_uploader(key="predictions_upload").set_value(("notas.png", b"hola" * 50, "image/png")).run()
    assert not app.exception
    (error,) = app.error
    assert error.value == "notas.png no es una imagen que se pueda abrir: sube un PNG o JPEG de un dígito"


def test_the_keyboard_grid_speaks_spanish(open_page):
    app = choose_source(open_in_spanish(open_page, PREDICTIONS), "Draw with keys")
    (grid,) = [c for c in app.get("bidi_component") if "mnist_pixel_grid" in c.proto.component_name]
    data = json.loads(grid.proto.json)
    assert data["label"].startswith(
        "Cuadrícula de dibujo, 28 por 28 cuadrados. Llega a la cuadrícula con Tab."
    )
    assert data["words"] == {
        "square": "Fila {row}, columna {column}: {state}.",
        "ink": "tinta al {percent} %",
        "empty": "vacía",
        "pen": "Lápiz bajado.",
    }
    assert any(caption.value.startswith("Llega a la cuadrícula con Tab") for caption in app.caption)


def test_a_sent_drawing_is_answered_in_spanish_on_the_phone_and_the_board(open_page, test_digits):
    x_test, y_test = test_digits
    board = open_in_spanish(open_page, "app_pages/class_board.py")
    board.button(key="board_open").click().run()
    code = board.session_state["board_room"][0]
    sent = classroom().send(code, "phone-1", (int(y_test[0]) + 1) % 10, x_test[0])
    with in_language("es"):  # the message is written when the join page shows it, in its language
        sent_message = sent.message
        too_soon = SendResult(Outcome.TOO_SOON, wait_seconds=1.2).message
    assert sent_message.startswith(f"Enviado. La red leyó un {sent.entry.predicted} (probabilidad ")
    assert f"no el {sent.entry.intended} que querías" in sent_message
    assert too_soon == "Demasiado pronto: espera 2 s y pulsa Enviar otra vez."
    board.run()
    assert board.subheader[0].value == "1 dibujo"
    html = "\n".join(element.proto.body for element in board.get("html"))
    assert f"quería {sent.entry.intended}<" in html and "0 de 1 bien leídos (0\xa0%)" in html
    assert english_sentences(page_texts(Part(block_around(board.main, "1 dibujo")))) == []

    phone = open_in_spanish(open_page, "app_pages/join.py")
    phone.text_input(key="room").input(code).run()
    phone.session_state["join_digit"] = 4
    phone.run()
    phone.button(key="join_send").click().run()
    assert (
        phone.error[0].value
        == "Nada que enviar: el lienzo está vacío. Dibuja un dígito, grande, y pulsa Enviar."
    )
