"""A script run must not reset Keras: background training threads rely on its global state.

Streamlit 1.67 calls keras.backend.clear_session() after every run and every fragment rerun,
plus a full gc.collect(2). Inside the server that starved training (a 6 s run took 4 minutes)
and can break a graph being built in another thread. ui/script_runner_fixes.py stops it.
"""

import tomllib
from pathlib import Path

from keras.src.backend.common import global_state

ROOT = Path(__file__).resolve().parents[2]


def test_running_the_app_keeps_keras_global_state(open_page):
    global_state.set_global_attribute("set_before_a_script_run", 42)
    try:
        open_page("app_pages/home.py")
        assert global_state.get_global_attribute("set_before_a_script_run") == 42
    finally:
        global_state.set_global_attribute("set_before_a_script_run", None)


def test_the_server_does_not_collect_garbage_after_every_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
