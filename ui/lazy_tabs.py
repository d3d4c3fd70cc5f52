"""Tabs that run only while open, and that come back on the same tab after a trip to another page."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st


def run_open_tab(labels: Sequence[str], sections: Sequence[Callable[[], None]], key: str) -> None:
    """Draw ``st.tabs(labels)`` and run only the section of the open tab, inside it.

    Streamlit forgets a widget's value once a page without it has run, so the tab the student
    had open is also kept under ``{key}_last`` and offered as the default when they come back.
    """
    last = f"{key}_last"

    def remember_open_tab() -> None:
        st.session_state[last] = st.session_state[key]

    tabs = st.tabs(labels, key=key, on_change=remember_open_tab, default=st.session_state.get(last))
    for tab, section in zip(tabs, sections):
        if tab.open:
            with tab:
                section()
