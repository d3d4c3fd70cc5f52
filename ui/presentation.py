"""Presenter view and the app-wide styles: one toggle, kept in the link as ``?presenter=true``.

``presentation_controls()`` runs once per script run from app.py, before the page: it draws the
toggle at the top of every page (so it is there with the sidebar collapsed), collapses the
sidebar in presenter view, and adds the CSS that makes text readable on a projector. Pages and
helpers ask ``presenter_view_on()``; charts get their sizes from ``ui.charts.show_chart``.
"""

import html

import streamlit as st

from mnist_core.i18n import tr

PRESENTER_KEY = "presenter"  # the URL parameter and the session-state key
PROMPT_CLASS = "presenter-prompt"  # large type for a lesson step's prompt (bigger still in presenter view)

# Always on, in both themes. Streamlit draws captions in the text colour at opacity 0.6 (4.47:1 on
# white; code in a caption fades with it, under 3.8:1) and plotly's axis text in its grey70,
# rgb(128, 132, 149) (3.8:1 on white). Captions get the inherited text colour at 70% instead
# (6.2:1 light, 8:1 dark) and code keeps its own colour; the plotly grey is matched in the
# SVG's inline style (it appears only in the light theme: the dark one uses a light grey) and made
# darker. tests/e2e/test_presenter_journey.py measures both in the browser. The toggle sits in the
# header bar, left of the running indicator and the menu (on the left it would cover an open
# sidebar): it takes no room from the page and stays there when the page scrolls.
APP_CSS = """
<style>
.st-key-presenter_row { position: fixed; top: 0.55rem; right: 10rem; z-index: 999991; width: auto; }
/* "Copy a link to this view" (ui/links.py) sits in the header bar too, left of the toggle, where
   there is room for it: every page's content then starts one row higher. */
@media (min-width: 900px) {
  .st-key-links_popover { position: fixed; top: 0.45rem; right: 21.5rem; z-index: 999991; width: auto; }
}
[data-testid="stCaptionContainer"] {
  opacity: 1 !important; color: color-mix(in srgb, currentColor 70%, transparent) !important;
}
.stPlotlyChart text[style*="fill: rgb(128, 132, 149)"] { fill: #4d4b5c !important; }
/* White on the dark theme's light primary colour is 2.6:1; its background colour makes it 7.2:1.
   light-dark() follows the color-scheme Streamlit sets for the active theme. */
[data-testid^="stBaseButton-primary"]:not(:disabled) { color: light-dark(#ffffff, #14131f) !important; }
.presenter-prompt { font-size: 1.6rem; line-height: 1.35; font-weight: 600; margin: 0.25rem 0 0.75rem; }
/* The drawing canvas's toolbar floats 2.65rem above it on hover (its styles are the component's own):
   room for it, so it does not cover Predictions' Draw / Upload switch. */
.st-key-predictions_canvas { margin-top: 1.7rem; }
</style>
"""

# Presenter view, for 1280 x 720 on a projector: larger text, less empty space above the page.
PRESENTER_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.75rem; padding-bottom: 3rem; }
/* The running indicator's Stop button stops the script, not a training run: not for a lecture. */
[data-testid="stStatusWidget"] button { display: none; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.25rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.1rem; }
[data-testid="stMain"] [data-testid="stWidgetLabel"] p { font-size: 1.1rem; }
/* A metric's value is markdown too: without this the rule above shrinks it below its own label. */
[data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p { font-size: 2.6rem; }
[data-testid="stMain"] input, [data-testid="stMain"] [data-baseweb="select"] { font-size: 1.1rem; }
[data-testid="stMain"] h1 { font-size: 2.4rem; padding-top: 0; }
.presenter-prompt { font-size: 2.1rem; }
</style>
"""


def presenter_view_on() -> bool:
    """Whether this session shows the presenter view (the toggle's value, which is also in the URL)."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


def presentation_controls() -> bool:
    """Draw the presenter toggle, apply its page config and the CSS; return whether it is on."""
    with st.container(horizontal=True, horizontal_alignment="right", key="presenter_row"):
        st.toggle(
            tr("Presenter view"),
            key=PRESENTER_KEY,
            bind="query-params",
            help=tr(
                "For a projector: larger text and charts, the sidebar folded away. It is part of the "
                "link, so a link copied in presenter view opens in presenter view."
            ),
        )
    on = presenter_view_on()
    # "auto" rather than "expanded" when off: phones keep their sidebar folded. The browser
    # remembers a sidebar the viewer opened or closed by hand, and that choice wins over this.
    st.set_page_config(initial_sidebar_state="collapsed" if on else "auto")
    st.html(APP_CSS + (PRESENTER_CSS if on else ""))
    return on


def presenter_prompt(text: str) -> None:
    """Show a lesson step's prompt in large type (larger still in presenter view)."""
    st.html(f'<p class="{PROMPT_CLASS}">{html.escape(text)}</p>')
