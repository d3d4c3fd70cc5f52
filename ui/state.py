"""Keep a page's settings when the user visits another page and comes back."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st


def keep_widget_values(keys: Iterable[str]) -> None:
    """Re-assign these widgets' values through session state; call once per run from app.py.

    Streamlit forgets the value of a widget that is not drawn during a run, so a
    page's sliders would reset after a visit to another page. A value written back
    through session state belongs to the app, not the widget, and stays. Only for
    widgets that take their value from session state (no ``value=`` argument).
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
