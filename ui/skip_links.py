"""A "Skip to ..." link at the top of a page, for the page's main action: two Tab presses, not fifty.

Keyboard users meet the sidebar's links and then every help icon and control before a page's main
button (56 Tab presses to Train on Build & Train). Streamlit's own first stop, "Skip to main
content", jumps past the sidebar; the next stop is this link, hidden until it has the focus, and
Enter on it puts the focus on the page's main action.
"""

from __future__ import annotations

import streamlit as st

# page -> (the widget key of its main action, what to call it in "Skip to ...")
MAIN_ACTIONS = {
    "build_and_train": ("train_start", "Train"),
    "predictions": ("predictions_source", "drawing your digit"),
}

_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const link = parentElement.querySelector("a");
  link.textContent = `Skip to ${data.label}`;
  link.onclick = (event) => {
    event.preventDefault();
    const box = document.querySelector(`.st-key-${data.target}`);
    const focusable = box && box.querySelector(
      "button:not([disabled]), input, [role=radio][aria-checked=true], [role=tab][aria-selected=true], [tabindex='0']"
    );
    if (focusable) {
      focusable.focus();
      focusable.scrollIntoView({ block: "center" });
    }
  };
}
"""

_CSS = """
a.mnist-skip-link { position: absolute; left: -10000px; top: 0; padding: 0.5rem 0.9rem; z-index: 1000;
  background: var(--st-primary-color); color: var(--st-background-color); border-radius: 0.5rem;
  font-weight: 600; text-decoration: none; }
a.mnist-skip-link:focus { left: 0; outline: 3px solid var(--st-text-color); outline-offset: 2px; }
"""

_skip_link = st.components.v2.component(
    "mnist_skip_link", html='<a class="mnist-skip-link" href="#"></a>', css=_CSS, js=_JS
)

# The link's box is taken out of the page's flow, so it adds no gap above the page.
_CONTAINER_CSS = "<style>.st-key-skip_link { position: absolute; height: 0; overflow: visible; }</style>"


def skip_to_main_action(page: str) -> None:
    """The page's "Skip to ..." link, if it has a main action."""
    if page not in MAIN_ACTIONS:
        return
    target, label = MAIN_ACTIONS[page]
    with st.container(key="skip_link"):
        st.html(_CONTAINER_CSS)
        _skip_link(key="skip_link_component", data={"target": target, "label": label})
