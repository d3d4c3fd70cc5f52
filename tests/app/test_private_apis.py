"""Streamlit APIs the app relies on that are not public: each is wrapped in one function, checked here."""

import inspect

from streamlit.runtime import Runtime


def test_streamlit_still_tells_whether_a_browser_session_is_connected():
    """``ui.tasks.session_alive_probe`` asks ``Runtime.is_active_session``: a queued run of a closed tab gives up."""
    assert list(inspect.signature(Runtime.is_active_session).parameters) == ["self", "session_id"]
    assert Runtime.exists() is False  # outside a server there is no runtime, and the probe is None

    from ui.tasks import session_alive_probe

    assert session_alive_probe() is None
