"""Does a page import TensorFlow into the server? Pages run in a fresh interpreter, as on a new server.

The server's Keras work runs in worker processes (``MNIST_EXECUTOR=process``, the app's default), so a
page that shows a model still leaves ``tensorflow`` and ``keras`` out of the server's ``sys.modules``.
Use it in a test:

    PAGES = {"app_pages/predictions.py": "app.button(key='predict_sample').click().run()"}
    assert tensorflow_imported_by_pages(PAGES) == dict.fromkeys(PAGES, False)

Each action is Python run with ``app`` (the page's ``AppTest``) after the page's first run; it may
assert. Pages are visited in order in one interpreter, as one student walks through the app.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

VISIT_EACH_PAGE = """
import sys
from streamlit.testing.v1 import AppTest
for page, action in zip(sys.argv[2::2], sys.argv[3::2]):
    app = AppTest.from_file(sys.argv[1], default_timeout=120).run()
    app.switch_page(page).run()
    exec(action)
    assert not app.exception, (page, [e.value for e in app.exception])
    print(page, 'tensorflow' in sys.modules or 'keras' in sys.modules, flush=True)
"""


def open_each_tab(key: str, labels: list[str]) -> str:
    """An action that opens every lazy tab of a page in turn (each runs only while open)."""
    return "; ".join(f"app.session_state[{key!r}] = {label!r}; app.run()" for label in labels)


def tensorflow_imported_by_pages(pages: dict[str, str], timeout: float = 600) -> dict[str, bool]:
    """{page: whether TensorFlow or Keras was in the server's modules after its action}, in a fresh server."""
    arguments = [item for page_and_action in pages.items() for item in page_and_action]
    environment = {**os.environ, "MNIST_EXECUTOR": "process"}
    output = subprocess.run(
        [sys.executable, "-c", VISIT_EACH_PAGE, str(ROOT / "app.py"), *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=timeout,
    )
    assert output.returncode == 0, output.stderr[-3000:]
    return {
        page: imported == "True"
        for page, imported in (
            line.rsplit(" ", 1) for line in output.stdout.splitlines() if line.startswith("app_pages/")
        )
    }
