"""A 28 x 28 grid to draw a digit with the keyboard, or with single clicks: no dragging needed.

WCAG 2.2 (2.5.7) asks for a way to do without dragging what dragging does; the canvas needs a
steady hand on a mouse or a finger. Here arrow keys move a cursor and Space paints (or a click
paints one square); with the pen down (P) every move paints, as a pen stroke would. The brush puts
full ink on its square and half on the squares right of and below it, so a stroke is about as thick
as an MNIST pen stroke. The grid sends its 784 values (0-255) to Python after each change, and
says where the cursor is to a screen reader.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from mnist_core.data.mnist import IMAGE_SIDE
from mnist_core.i18n import N_, tr

CELL_PX = 9  # 28 cells of 9 px: 252 px, the size of the drawing canvas beside it

_HTML = """
<div class="grid-wrap">
  <canvas tabindex="0" role="img" width="252" height="252"></canvas>
  <p class="status" aria-live="polite"></p>
</div>
"""

_CSS = """
.grid-wrap { font-family: var(--st-font); color: var(--st-text-color); }
canvas { display: block; cursor: crosshair; image-rendering: pixelated;
         outline: 2px solid var(--st-border-color); outline-offset: 2px; }
canvas:focus-visible { outline: 3px solid var(--st-primary-color); outline-offset: 3px; }
.status { margin: 0.4rem 0 0; font-size: 0.95rem; min-height: 1.4em; }
"""

_JS = """
const SIDE = 28, CELL = 9;
export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const canvas = parentElement.querySelector("canvas");
  const status = parentElement.querySelector(".status");
  const context = canvas.getContext("2d");
  // Reruns call this function again: keep the grid on the canvas unless Python sends a new start.
  if (!canvas.grid || canvas.generation !== data.generation) {
    canvas.grid = Uint8Array.from(data.pixels);
    canvas.generation = data.generation;
    canvas.cursor = canvas.cursor || { row: 13, col: 13 };
    canvas.pen = false;
  }
  const grid = canvas.grid, cursor = canvas.cursor;
  canvas.setAttribute("aria-label", data.label);
  let timer = null;
  function send() {
    clearTimeout(timer);
    timer = setTimeout(() => setStateValue("pixels", Array.from(grid)), 350);
  }
  function draw() {
    for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) {
      const v = grid[r * SIDE + c];
      context.fillStyle = `rgb(${v},${v},${v})`;
      context.fillRect(c * CELL, r * CELL, CELL, CELL);
    }
    context.strokeStyle = canvas.pen ? "#ff4e7a" : "#2ca690";
    context.lineWidth = 2;
    context.strokeRect(cursor.col * CELL + 1, cursor.row * CELL + 1, CELL - 2, CELL - 2);
    const ink = grid[cursor.row * SIDE + cursor.col];
    const words = data.words;  // in the viewer's language, with {row}, {column} and {percent} to fill
    status.textContent = words.square
      .replace("{row}", cursor.row + 1).replace("{column}", cursor.col + 1)
      .replace("{state}", ink ? words.ink.replace("{percent}", Math.round(ink / 2.55)) : words.empty)
      + (canvas.pen ? " " + words.pen : "");
  }
  function paint(row, col, erase) {
    const touch = (r, c, v) => {
      if (r < SIDE && c < SIDE) grid[r * SIDE + c] = erase ? 0 : Math.max(grid[r * SIDE + c], v);
    };
    touch(row, col, 255);
    if (!erase) { touch(row, col + 1, 128); touch(row + 1, col, 128); }
    send();
  }
  canvas.onkeydown = (event) => {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (event.key in moves) {
      const [dr, dc] = moves[event.key];
      cursor.row = Math.min(SIDE - 1, Math.max(0, cursor.row + dr));
      cursor.col = Math.min(SIDE - 1, Math.max(0, cursor.col + dc));
      if (canvas.pen) paint(cursor.row, cursor.col, false);
    } else if (event.key === " " || event.key === "Enter") {
      paint(cursor.row, cursor.col, false);
    } else if (event.key === "p" || event.key === "P") {
      canvas.pen = !canvas.pen;
      if (canvas.pen) paint(cursor.row, cursor.col, false);
    } else if (event.key === "Delete" || event.key === "Backspace" || event.key === "x") {
      paint(cursor.row, cursor.col, true);
    } else {
      return;  // Tab and every other key keep their usual meaning
    }
    event.preventDefault();
    draw();
  };
  function cellAt(event) {
    const box = canvas.getBoundingClientRect();
    return {
      row: Math.min(SIDE - 1, Math.max(0, Math.floor((event.clientY - box.top) / (box.height / SIDE)))),
      col: Math.min(SIDE - 1, Math.max(0, Math.floor((event.clientX - box.left) / (box.width / SIDE)))),
    };
  }
  canvas.onpointerdown = (event) => {
    const cell = cellAt(event);
    cursor.row = cell.row; cursor.col = cell.col;
    paint(cell.row, cell.col, false);
    canvas.dragging = true;
    draw();
  };
  canvas.onpointermove = (event) => {
    if (!canvas.dragging) return;
    const cell = cellAt(event);
    cursor.row = cell.row; cursor.col = cell.col;
    paint(cell.row, cell.col, false);
    draw();
  };
  canvas.onpointerup = canvas.onpointerleave = () => { canvas.dragging = false; };
  draw();
  return () => clearTimeout(timer);
}
"""

_pixel_grid = st.components.v2.component("mnist_pixel_grid", html=_HTML, css=_CSS, js=_JS)

HELP = N_(
    "Tab to the grid. Arrow keys move the square cursor; Space paints under it; P puts the pen down "
    "so every move paints (P again lifts it); Delete erases. A click paints one square."
)


def pixel_grid(key: str, start: np.ndarray | None, generation: int) -> np.ndarray | None:
    """Draw the grid, starting from ``start`` (28 x 28, 0-255) or empty; the drawing, or None when blank.

    A new ``generation`` replaces what is on the grid with ``start`` (Clear, or a test digit to edit).
    """
    pixels = np.zeros((IMAGE_SIDE, IMAGE_SIDE), np.uint8) if start is None else start.astype(np.uint8)
    result = _pixel_grid(
        key=f"{key}_{generation}",  # a fresh component, without the drawing it sent before, on each start
        data={
            "pixels": pixels.ravel().tolist(),
            "generation": generation,
            "label": tr("Drawing grid, 28 by 28 squares.") + " " + tr(HELP),
            # What the status line under the grid says (and a screen reader reads) after each move.
            "words": {
                "square": tr("Row {row}, column {column}: {state}."),
                "ink": tr("ink {percent}%"),
                "empty": tr("empty"),
                "pen": tr("Pen down."),
            },
        },
        default={"pixels": None},
        on_pixels_change=lambda: None,
    )
    sent = result.pixels if result is not None else None
    if sent is None or len(sent) != IMAGE_SIDE * IMAGE_SIDE:
        drawn = pixels
    else:
        drawn = np.asarray(sent, dtype=np.uint8).reshape(IMAGE_SIDE, IMAGE_SIDE)
    return drawn if drawn.any() else None
