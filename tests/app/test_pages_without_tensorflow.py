"""Pages that need no model must not pay for TensorFlow: it costs seconds and 0.7 GB."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def open_each_tab(key: str, labels: list[str]) -> str:
    """An action that opens every lazy tab of a page in turn (each runs only while open)."""
    return "; ".join(f"app.session_state[{key!r}] = {label!r}; app.run()" for label in labels)


# Each page, and the interactions on it that must stay light too.
PAGES_WITHOUT_TENSORFLOW = {
    "app_pages/home.py": "",
    "app_pages/lessons.py": "",
    "app_pages/data.py": "",
    "app_pages/pixels_as_vectors.py": "",
    "app_pages/dimensions.py": open_each_tab(
        "dimensions_section",
        [
            "2 · Random points are noise",
            "3 · Flatten to 2-D or 3-D",
            "4 · Walk between digits",
        ],
    ),
    "app_pages/loss_surface.py": open_each_tab("surface_part", ["2 · Two weights: optimizers race"])
    + "; app.select_slider(key='surface_lr_adam').set_value(0.3).run(); "
    + open_each_tab("surface_part", ["3 · Your network's landscape"])
    + "; assert app.selectbox(key='surface_run').value.startswith('Default')",
    "app_pages/sklearn_tuning.py": "",
}

VISIT_EACH_PAGE = """
import sys
from streamlit.testing.v1 import AppTest
for page, action in zip(sys.argv[2::2], sys.argv[3::2]):
    app = AppTest.from_file(sys.argv[1], default_timeout=120).run()
    app.switch_page(page).run()
    exec(action)
    assert not app.exception, (page, [e.value for e in app.exception])
    print(page, 'tensorflow' in sys.modules or 'keras' in sys.modules)
"""


def test_pages_without_a_model_do_not_import_tensorflow():
    # A fresh interpreter, so nothing imported by other tests counts.
    arguments = [item for page_and_action in PAGES_WITHOUT_TENSORFLOW.items() for item in page_and_action]
    output = subprocess.run(
        [sys.executable, "-c", VISIT_EACH_PAGE, str(ROOT / "app.py"), *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert output.returncode == 0, output.stderr[-2000:]
    imported = dict(
        line.rsplit(" ", 1) for line in output.stdout.splitlines() if line.startswith("app_pages/")
    )
    assert imported == dict.fromkeys(PAGES_WITHOUT_TENSORFLOW, "False")
