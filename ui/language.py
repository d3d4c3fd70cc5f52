"""The viewer's language: chosen in the sidebar, kept in the link (``?lang=es``), the browser's by default.

``use_viewer_language()`` runs first on every page run, before any text is written, and makes the
session's language the one every ``tr(...)`` of this session translates into (fragments that rerun
on their own read it too). ``language_picker()`` draws the choice in the sidebar.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from mnist_core.i18n import LANGUAGES, current_language, negotiate_language, set_language_source

LANGUAGE_KEY = "lang"  # the URL parameter
PICKER_KEY = "language_picker"  # the picker's widget key
_CHOSEN = "_language_chosen"  # the language a link or the picker named, once one has
_SESSION_LANGUAGE = "_viewer_language"  # what this session's texts are translated into
# One label in every language, so that a student who cannot read the page still finds it.
PICKER_LABEL = ":material/translate: Language · Idioma"


def _session_language() -> str | None:
    """The language of the session whose script is running on this thread (None off a page)."""
    if get_script_run_ctx() is None:
        return None
    return st.session_state.get(_SESSION_LANGUAGE)


set_language_source(_session_language)

# Screen readers pick their voice from <html lang>, which Streamlit leaves at "en".
_document_language = st.components.v2.component(
    "mnist_document_language",
    js="export default function ({ data }) { document.documentElement.lang = data.lang; }",
)


def browser_language() -> str:
    """The supported language closest to the browser's (``st.context.locale``), else English."""
    try:
        locale = st.context.locale
    except Exception:  # outside a browser session (AppTest of old versions): no locale
        locale = None
    return negotiate_language(locale)


def use_viewer_language() -> str:
    """Decide this run's language and make it the session's: the picker's or the link's, else the browser's.

    Once a language has been chosen (by the picker, or by a link's ``?lang=``) the URL keeps it on
    every page, so a copied link opens in that language; until then the link has no ``lang``, and
    each viewer gets their browser's language.
    """
    asked = st.query_params.get(LANGUAGE_KEY)
    chosen = st.session_state.get(_CHOSEN)
    if chosen is None and asked in LANGUAGES:
        chosen = st.session_state[_CHOSEN] = asked
    if chosen is not None and asked != chosen:
        st.query_params[LANGUAGE_KEY] = chosen  # a page switch dropped it, or the link named no language here
    elif chosen is None and asked is not None:
        del st.query_params[LANGUAGE_KEY]  # ?lang=fr: a language this app does not have
    language = chosen or browser_language()
    st.session_state[_SESSION_LANGUAGE] = language
    return language


def _picked() -> None:
    chosen = st.session_state[PICKER_KEY]
    st.session_state[_CHOSEN] = chosen
    st.session_state[_SESSION_LANGUAGE] = chosen
    st.query_params[LANGUAGE_KEY] = chosen


def language_picker() -> None:
    """The language choice in the sidebar; a choice goes into the link as ``?lang=``.

    Not a widget bound to the URL: a bound select box writes its option's label (``Español``)
    into the link, and the link should say ``lang=es``.
    """
    language = st.session_state.get(_SESSION_LANGUAGE, current_language())
    if st.session_state.get(PICKER_KEY) != language:
        st.session_state[PICKER_KEY] = language
    with st.sidebar:
        st.selectbox(
            PICKER_LABEL, list(LANGUAGES), format_func=LANGUAGES.get, key=PICKER_KEY, on_change=_picked
        )
        _document_language(key="document_language", data={"lang": st.session_state[_SESSION_LANGUAGE]})
