"""AppTest helpers: every page is reached from app.py, as a user reaches it."""

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP_FILE = str(Path(__file__).resolve().parents[2] / "app.py")
# Jobs run in threads of the test process here (they are pickled all the same, so what works here
# works in a worker); tests/app/tensorflow_free.py runs pages with the real worker processes.
os.environ.setdefault("MNIST_EXECUTOR", "thread")
APP_TIMEOUT_SECONDS = 120  # the first run of a page that imports Keras takes several seconds


@pytest.fixture
def open_page():
    """``open_page("app_pages/data.py")`` runs app.py, switches to that page and returns the AppTest."""

    def _open(page: str, session_state: dict | None = None) -> AppTest:
        app = AppTest.from_file(APP_FILE, default_timeout=APP_TIMEOUT_SECONDS)
        for key, value in (session_state or {}).items():
            app.session_state[key] = value
        app.run()
        if page != "app_pages/home.py":
            app.switch_page(page)
            app.run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    return _open


@pytest.fixture(autouse=True)
def no_recorded_runs():
    """Each test starts on a server that has trained nothing yet: a run recorded by an earlier test
    would otherwise replay where that test expects a training (two AppTests share the result store)."""
    from mnist_core.engine.replays import RUN_KIND
    from ui.results import server_results

    server_results().forget(RUN_KIND)
    yield


@pytest.fixture
def jobs_sent(monkeypatch):
    """The names of the short jobs sent to the quick pool, as it receives them."""
    from ui.worker_jobs import quick_executor

    executor, sent = quick_executor(), []
    submit = executor.submit

    def counting(work, name="job", **kwargs):
        sent.append(name)
        return submit(work, name=name, **kwargs)

    monkeypatch.setattr(executor, "submit", counting)
    return sent
