"""Tabs that run only while open, bound to the URL, and that come back on the same tab after a trip to
another page."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from ui.links import remember_open_tab


def run_open_tab(labels: Sequence[str], sections: Sequence[Callable[[], None]], key: str) -> None:
    """Draw ``st.tabs(labels)`` and run only the section of the open tab, inside it.

    The open tab is the URL parameter ``key`` (its label). Streamlit forgets it once a page without
    it has run, so ``ui.links`` keeps it for the student's next visit (the key must be in
    ``ui.links.LAZY_TABS``).
    """
    tabs = st.tabs(labels, key=key, bind="query-params")
    remember_open_tab(key)
    for tab, section in zip(tabs, sections):
        if tab.open:
            with tab:
                section()
