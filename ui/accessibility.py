"""Keyboard and screen-reader help on every page: a "Skip to ..." link, and two repairs of markup.

Skip link: keyboard users meet the sidebar's links and then every help icon and control before a
page's main button (57 Tab presses to Train on Build & Train). Streamlit's own first stop, "Skip to
main content", jumps past the sidebar; the next stop is this link, hidden until it has the focus,
and Enter on it puts the focus on the page's main action.

Repairs (axe-core rates each "serious"; tests/e2e/test_accessibility_journey.py finds them again
if a new Streamlit or canvas version changes the markup this relies on):
- Streamlit 1.67's sidebar navigation with sections puts each section in a <div> directly inside
  its <ul>, so the list and its items are broken for a screen reader. The <ul> is made a plain
  container and each section a list named after its header.
- streamlit-drawable-canvas wraps its canvas in a scrolling box that the keyboard cannot reach;
  the canvas never needs to scroll, so the box is told not to.
- A formula wider than its column scrolls sideways; it is made focusable, so arrow keys scroll it.
"""

from __future__ import annotations

import streamlit as st

from mnist_core.i18n import N_, tr

# page -> (the widget key of its main action, the link's text)
MAIN_ACTIONS = {
    "build_and_train": ("train_start", N_("Skip to Train")),
    "predictions": ("predictions_source", N_("Skip to drawing your digit")),
}

_REPAIRS_JS = """
function repairNavigation() {
  const list = document.querySelector("[data-testid=stSidebarNavItems]");
  if (!list) return;
  list.setAttribute("role", "none");
  for (const section of list.children) {
    const header = section.tagName === "DIV" && section.querySelector(":scope > header");
    if (!header) continue;
    section.setAttribute("role", "list");
    section.setAttribute("aria-label", header.innerText.trim());
    header.setAttribute("role", "none");
  }
}
function repairCanvasScrollBox() {
  for (const host of document.querySelectorAll("[data-testid=stBidiComponentIsolated]")) {
    const root = host.shadowRoot;
    if (!root || !root.querySelector(".dc-scroll") || root.querySelector("style.mnist-repair")) continue;
    const style = document.createElement("style");
    style.className = "mnist-repair";
    style.textContent = ".dc-scroll { overflow: visible !important; }";
    root.appendChild(style);
  }
}
function repairWideFormulas() {
  // A formula wider than its column scrolls sideways: the keyboard must be able to reach it.
  for (const formula of document.querySelectorAll(".katex-display")) {
    if (formula.scrollWidth > formula.clientWidth && !formula.hasAttribute("tabindex")) {
      formula.setAttribute("tabindex", "0");
    }
  }
}
export default function () {
  let queued = false;
  const repair = () => {
    queued = false;
    repairNavigation();
    repairCanvasScrollBox();
    repairWideFormulas();
  };
  const observer = new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(repair); }
  });
  observer.observe(document.body, { childList: true, subtree: true });
  // Components fill their own shadow roots, which the observer does not see: look again now and then.
  const timer = setInterval(repair, 500);
  repair();
  return () => {
    observer.disconnect();
    clearInterval(timer);
  };
}
"""

_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const link = parentElement.querySelector("a");
  link.textContent = data.label;
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
    "mnist_skip_link",
    html='<a class="mnist-skip-link" href="#"></a>',  # its text, in the viewer's language, comes as data.label
    css=_CSS,
    js=_JS,
)

_repairs = st.components.v2.component("mnist_aria_repairs", js=_REPAIRS_JS)

# The link's box is taken out of the page's flow, so it adds no gap above the page. Code blocks'
# numbers and keywords are coloured by Prism's theme at under 4.5:1 on the code background; these
# reach 4.5:1 on it in each theme (light-dark() follows the theme Streamlit sets).
_PAGE_CSS = """<style>
.st-key-skip_link { position: absolute; height: 0; overflow: visible; }
.stCode .token.number, .stCode .token.boolean, .stCode .token.constant { color: light-dark(#9a3412, #fdba74) !important; }
.stCode .token.comment { color: light-dark(#4d4b5c, #b9b6cf) !important; }
</style>"""


def accessibility_helpers(page: str) -> None:
    """The markup repairs, and the page's "Skip to ..." link if it has a main action; first in the page."""
    with st.container(key="skip_link"):
        st.html(_PAGE_CSS)
        _repairs(key="aria_repairs_component")
        if page in MAIN_ACTIONS:
            target, label = MAIN_ACTIONS[page]
            _skip_link(key="skip_link_component", data={"target": target, "label": tr(label)})
