"""Lesson paths in the app: where they are read from, and the bar that walks a class through one.

While a path runs, ``lesson_bar()`` (called by app.py before the page) draws "Lesson 3 · step 2 of 7",
the step's prompt in large type, a reveal of what happened, and Back / Next / Leave. The path and
step live in the URL (``?lesson=lesson-3&step=2``) and in session state, so a link opens a lesson at
a step, and the bar survives a trip through the sidebar, which clears the URL.
"""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitAPIException

from mnist_core.i18n import current_language, integer, ntr, tr
from mnist_core.teaching.lesson_paths import (
    RESERVED_PARAMS,
    LessonPath,
    LessonPathError,
    LessonStep,
    load_lesson_paths,
    page_widget_keys,
    parse_lesson_path,
    url_value,
)
from ui.language import LANGUAGE_KEY
from ui.links import PAGE_PARAMS, Choice
from ui.presentation import PRESENTER_KEY, presenter_view_on

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_DIR = ROOT / "lessons"
LESSONS_DIR_ENV = "MNIST_LESSONS_DIR"  # a lecturer's own folder of .toml paths, read after the shipped ones
PAGES_DIR = "app_pages"
NOT_A_STEP_PAGE = {"lessons", "join"}  # a lesson step is for the lecturer's screen, not a phone
HOME_PAGE = "home"  # the default page, whose URL path is empty

ACTIVE_KEY = "lesson_active"  # id of the running path
STEP_KEY = "lesson_step"  # 0-based index of its current step
REVEALED_KEY = "lesson_revealed"  # the step whose explanation is shown
NOTICE_KEY = "lesson_notice"  # a message about a bad lesson link, shown once
UPLOADED_KEY = "lesson_uploaded"  # id -> LessonPath loaded from an upload this session
NEXT_SHORTCUT, BACK_SHORTCUT, REVEAL_SHORTCUT = "n", "b", "s"

BAR_STYLE = """
<style>
.st-key-lesson_bar { border-left: 6px solid #ff4b4b; padding-left: 0.9rem; }
.st-key-lesson_bar { gap: 0.5rem; }
.st-key-lesson_prompt { padding-bottom: 0.2rem; }
.st-key-lesson_prompt p { font-size: 1.6rem; line-height: 1.3; font-weight: 600; margin: 0 !important; }
/* Streamlit pulls a markdown block up by the 1rem margin its last paragraph no longer has here. */
.st-key-lesson_prompt [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
.st-key-lesson_explanation p { font-size: 1.1rem; line-height: 1.35; }
</style>
"""


# Presenter view: the bar stays pinned under the header while the page scrolls, so the question is on
# screen with whatever part of the page the step is about.
PINNED_BAR_STYLE = """
<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-lesson_bar), .st-key-lesson_bar {
  position: sticky; top: 3.75rem; z-index: 99; background: light-dark(#ffffff, #14131f);
}
/* Compact, so more of the page fits under it: smaller buttons, less space around the prompt. */
.st-key-lesson_bar { gap: 0.25rem; padding-top: 0.15rem; padding-bottom: 0.3rem; }
/* An edge under the pinned bar, so the page reads as scrolling beneath it. */
[data-testid="stLayoutWrapper"]:has(> .st-key-lesson_bar) { box-shadow: 0 10px 8px -10px rgba(0, 0, 0, 0.35); }
.st-key-lesson_bar [data-testid^="stBaseButton"] { min-height: 2.1rem; padding-top: 0; padding-bottom: 0; }
.st-key-lesson_explanation [data-testid="stAlertContainer"] { padding: 0.5rem 0.9rem; }
.st-key-lesson_explanation p { font-size: 1.1rem !important; line-height: 1.35; }
</style>
"""

# A step's control and result are often far down a long page (the Data page's sample viewer starts
# about 1,100 px down). In presenter view the browser scrolls them into view under the pinned bar
# when the step opens, and again when the page's layout moves them (a chart appears after Train, the
# answer is revealed), until the lecturer scrolls by hand. It scrolls as little as it can: when both
# already fit on the first screen, the page stays at its top, title and all. A target inside a folded
# expander (Build & Train's settings, in presenter view) is unfolded once.
AIM_SCRIPT = """
<script>
(() => {
  const STEP = %(step)s, KEYS = %(keys)s, TICK_MS = 250, SETTLE_TICKS = 6;
  const ABOVE = 8, BELOW = 8;
  const previous = window.__lessonAim;
  if (previous && previous.step === STEP) return;  // a rerun of the same step: already aiming
  if (previous) previous.stop();
  const current = (key) => [...document.querySelectorAll(".st-key-" + CSS.escape(key))].filter(
    (el) => !el.closest('[data-stale="true"]'));
  const live = (key) => current(key).find((el) => el.getBoundingClientRect().height > 0);
  const scroller = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) return node;
    }
    return document.scrollingElement;
  };
  const state = { step: STEP, layout: null, settle: 0, byHand: false, missing: 0, ticks: 0, unfolds: {} };
  // A target in folded expanders: open them, a few times at most while the step's page is still being
  // drawn (a rerun may draw the expander again, folded), never once the lecturer has had time to fold it.
  const UNFOLD_TRIES = 3, UNFOLD_TICKS = 40;
  const unfold = () => KEYS.forEach((key) => {
    const el = current(key)[0];
    const tries = state.unfolds[key] || 0;
    if (!el || tries >= UNFOLD_TRIES || state.ticks > UNFOLD_TICKS) return;
    const folded = [];
    for (let node = el.parentElement; node; node = node.parentElement)
      if (node.tagName === "DETAILS" && !node.open) folded.unshift(node);
    if (!folded.length) return;
    state.unfolds[key] = tries + 1;
    folded.forEach((details) => details.querySelector(":scope > summary")?.click());
  });
  const byHand = (event) => {
    if (event.type !== "keydown" || ["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown"].includes(event.key))
      state.byHand = true;
  };
  const tick = () => {
    if (!document.querySelector(".st-key-lesson_bar")) {  // the lesson was left (or a rerun redraws it)
      if (++state.missing > 8) state.stop();
      return;
    }
    state.missing = 0;
    const bar = live("lesson_bar");
    state.ticks += 1;
    if (!state.byHand && state.ticks %% 4 === 1) unfold();
    const targets = KEYS.map(live).filter(Boolean);
    if (!bar || state.byHand || !targets.length) return;
    const page = scroller(targets[0]);
    const boxes = targets.map((el) => el.getBoundingClientRect());
    const barBox = bar.getBoundingClientRect();
    const top = Math.min(...boxes.map((b) => b.top)), bottom = Math.max(...boxes.map((b) => b.bottom));
    const layout = [top + page.scrollTop, bottom + page.scrollTop, barBox.height, targets.length].map(Math.round).join();
    if (layout !== state.layout) { state.layout = layout; state.settle = SETTLE_TICKS; }
    if (state.settle <= 0) return;
    state.settle -= 1;
    const first = barBox.bottom + ABOVE, last = window.innerHeight - BELOW;
    page.style.scrollPaddingTop = first + "px";  // Tab to a control keeps it out from under the bar
    const result = boxes[boxes.length - 1];
    let delta = 0;
    if (bottom - top <= last - first) delta = top < first ? top - first : Math.max(0, bottom - last);
    else delta = result.height <= last - first ? result.bottom - last : result.top - first;  // the result first
    if (Math.abs(delta) >= 2) page.scrollBy({ top: delta, behavior: "instant" });
  };
  const timer = setInterval(tick, TICK_MS);
  const events = ["wheel", "touchmove", "keydown"];
  events.forEach((name) => document.addEventListener(name, byHand, { passive: true, capture: true }));
  state.stop = () => {
    clearInterval(timer);
    events.forEach((name) => document.removeEventListener(name, byHand, { capture: true }));
    if (window.__lessonAim === state) window.__lessonAim = null;
  };
  window.__lessonAim = state;
  tick();
})();
</script>
"""


def aim_script(path: LessonPath, index: int) -> str:
    """The script that scrolls step ``index``'s control and result into view (empty without them)."""
    step = path.steps[index]
    keys = [key for key in (step.control, step.result) if key]
    if not keys:
        return ""
    return AIM_SCRIPT % {"step": json.dumps(f"{path.id}/{index}"), "keys": json.dumps(keys)}


def page_name(page) -> str:
    """A ``st.Page``'s name as lesson files write it: its URL path, "home" for the default page."""
    return page.url_path or HOME_PAGE


def page_file(page: str) -> str:
    """The script of a page named as in a lesson file: "data" -> "app_pages/data.py"."""
    return f"{PAGES_DIR}/{page}.py"


@st.cache_resource(show_spinner=False)
def step_pages() -> dict:
    """Each page a step may open, with the keys of its widgets (read once per server from the source)."""
    keys = page_widget_keys(ROOT, PAGES_DIR)
    return {page: page_keys for page, page_keys in keys.items() if page not in NOT_A_STEP_PAGE}


def lesson_text(text: str) -> str:
    """A lesson's own text (title, prompt, explanation ...) in the viewer's language.

    The shipped lessons' texts are in the catalogue; a lecturer's own lesson is shown as written.
    An empty text stays empty (gettext would give the catalogue's header for it).
    """
    return tr(text) if text else ""


@st.cache_resource(show_spinner=False)
def folder_paths(folders: tuple[str, ...], language: str) -> tuple[list[LessonPath], list[str]]:
    """The folders' paths, and the problems with their files written in ``language`` (the cache's key)."""
    pages = step_pages()
    return load_lesson_paths([Path(f) for f in folders], pages=set(pages), widget_keys=pages)


def lesson_folders() -> tuple[str, ...]:
    extra = os.environ.get(LESSONS_DIR_ENV, "").strip()
    return (str(SHIPPED_DIR), extra) if extra else (str(SHIPPED_DIR),)


def available_paths() -> tuple[dict[str, LessonPath], list[str]]:
    """Shipped, folder and uploaded paths by id (later ones win), and messages about files left out."""
    paths, problems = folder_paths(lesson_folders(), current_language())
    by_id = {path.id: path for path in paths}
    by_id.update(st.session_state.get(UPLOADED_KEY, {}))
    return by_id, problems


def add_uploaded_path(text: str, file_name: str) -> LessonPath:
    """Validate an uploaded lesson file and keep it for this session; raises LessonPathError."""
    pages = step_pages()
    path = parse_lesson_path(text, file_name, pages=set(pages), widget_keys=pages)
    st.session_state.setdefault(UPLOADED_KEY, {})[path.id] = path
    return path


def show_uploaded_path(file_name: str, data: bytes) -> LessonPath | None:
    """Load an uploaded lesson file for this session and say so, or say what to fix in it."""
    try:
        path = add_uploaded_path(data.decode("utf-8"), file_name)
    except UnicodeDecodeError:
        st.error(
            tr("{file} is not a text file: save it as UTF-8 text and upload it again.").format(file=file_name)
        )
    except LessonPathError as error:
        st.error(tr("This file can't be used yet. {problem}").format(problem=error), icon=":material/error:")
    else:
        count = len(path.steps)
        st.success(
            ntr(
                "Loaded **{title}** ({count} step): it is in the list above.",
                "Loaded **{title}** ({count} steps): it is in the list above.",
                count,
            ).format(title=lesson_text(path.title), count=integer(count)),
            icon=":material/check_circle:",
        )
        return path
    return None


def step_params(path: LessonPath, index: int, presenter: bool, language: str | None = None) -> dict[str, str]:
    """The URL parameters of step ``index`` (0-based): its settings, the path and step, presenter view.

    ``language``: the language the viewer chose (``?lang=``), so that the step opens in it too.
    """
    step = path.steps[index]
    texts = step.query_params()
    described = PAGE_PARAMS.get(step.page, {})
    for name, value in step.settings:  # a choice is written in a link as its label, as its widget does
        spec = described.get(name)
        labels = spec.options(texts) if isinstance(spec, Choice) else None
        if labels and value in labels:
            texts[name] = labels[value]
    params = {**texts, "lesson": path.id, "step": str(index + 1)}
    if presenter:
        params[PRESENTER_KEY] = "true"  # the presenter toggle's value in a link
    if language:
        params[LANGUAGE_KEY] = language
    return params


def step_link(path: LessonPath, index: int, presenter: bool = False, language: str | None = None) -> str:
    """A link, relative to the app's address, that opens step ``index`` (0-based) with its settings."""
    page = path.steps[index].page
    return f"/{'' if page == HOME_PAGE else page}?{urlencode(step_params(path, index, presenter, language))}"


def apply_settings(step: LessonStep) -> None:
    """Give the step's widgets their values through session state, before its page draws them.

    Not through ``st.switch_page(query_params=...)``: Streamlit refuses to set a parameter that is
    bound to a widget of the page being left (``bind="query-params"``), which is every setting of a
    step on the same page as the last one. A bound widget writes its new value to the URL itself.
    """
    for name, value in step.settings:
        if name not in RESERVED_PARAMS:
            st.session_state[name] = value


def go_to(path: LessonPath, index: int) -> None:
    """Open step ``index`` (0-based) of ``path``: its page, with its settings.

    Presenter view is not passed on: its toggle (``ui.presentation``) is on every page and bound to
    the URL, so a lesson started in presenter view stays in it (and Streamlit refuses to set a
    bound parameter through ``switch_page``).
    """
    index = max(0, min(index, len(path.steps) - 1))
    step = path.steps[index]
    st.session_state[ACTIVE_KEY] = path.id
    st.session_state[STEP_KEY] = index
    st.session_state.pop(REVEALED_KEY, None)
    apply_settings(step)
    params = {"lesson": path.id, "step": str(index + 1)}
    app_wide = {name: url_value(value) for name, value in step.settings if name in RESERVED_PARAMS}
    try:
        st.switch_page(page_file(step.page), query_params={**params, **app_wide})
    except StreamlitAPIException:
        # an app-wide parameter (model) bound to a widget here: set it like the others
        for name, value in step.settings:
            if name in app_wide:
                st.session_state[name] = value
        st.switch_page(page_file(step.page), query_params=params)


def leave() -> None:
    for key in (ACTIVE_KEY, STEP_KEY, REVEALED_KEY):
        st.session_state.pop(key, None)
    for param in ("lesson", "step"):
        if param in st.query_params:
            del st.query_params[param]


def toggle_reveal(path_id: str, index: int) -> None:
    shown = st.session_state.get(REVEALED_KEY) == (path_id, index)
    st.session_state[REVEALED_KEY] = None if shown else (path_id, index)


def _adopt_url(paths: dict[str, LessonPath], current_page: str | None) -> None:
    """Follow ``?lesson=...&step=...`` when it names another path or step; a notice when it can't.

    A link that names a step but lands on another page (``/?lesson=lesson-3&step=2``) opens the
    step's own page with its settings. The notice is kept in session state so that it survives that
    switch, and a bad parameter leaves the URL, so it is shown once.
    """
    wanted = st.query_params.get("lesson")
    if wanted is None:
        return
    path = paths.get(wanted)
    if path is None:
        st.session_state[NOTICE_KEY] = tr(
            "This link names a lesson path, {path}, that this app does not have: open Lessons to pick one."
        ).format(path=repr(wanted))
        for param in ("lesson", "step"):
            st.query_params.pop(param, None)
        return
    raw_step = st.query_params.get("step", "1")
    index = int(raw_step) - 1 if raw_step.isdigit() else -1
    if not 0 <= index < len(path.steps):
        st.session_state[NOTICE_KEY] = tr(
            "{lesson} has steps 1 to {count}, not {asked}: here is step 1."
        ).format(lesson=lesson_text(path.lesson), count=integer(len(path.steps)), asked=repr(raw_step))
        index = 0
        st.query_params["step"] = "1"
    if st.session_state.get(ACTIVE_KEY) != path.id or st.session_state.get(STEP_KEY) != index:
        if current_page is not None and current_page != path.steps[index].page:
            go_to(path, index)
        apply_settings(path.steps[index])
        st.session_state[ACTIVE_KEY] = path.id
        st.session_state[STEP_KEY] = index
        st.session_state.pop(REVEALED_KEY, None)


def lesson_bar(current_page: str | None = None) -> None:
    """The running path's bar, drawn at the top of every page; nothing when no path runs.

    ``current_page`` is the page about to run, named as in lesson files (``page_name(navigation)``).
    """
    if (
        "lesson" not in st.query_params
        and ACTIVE_KEY not in st.session_state
        and NOTICE_KEY not in st.session_state
    ):
        return  # no lesson: read no lesson files (the first read parses every page, about 0.1-0.5 s)
    paths, _ = available_paths()
    _adopt_url(paths, current_page)
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/school:")
    path = paths.get(st.session_state.get(ACTIVE_KEY, ""))
    if path is None:
        return
    index = min(st.session_state.get(STEP_KEY, 0), len(path.steps) - 1)
    step = path.steps[index]
    revealed = st.session_state.get(REVEALED_KEY) == (path.id, index)
    if presenter_view_on():
        st.html(BAR_STYLE + PINNED_BAR_STYLE + aim_script(path, index), unsafe_allow_javascript=True)
    else:
        st.html(BAR_STYLE)
    last = index == len(path.steps) - 1
    with st.container(key="lesson_bar"):
        title = f" · {lesson_text(step.title)}" if step.title else ""
        where = tr("{lesson} · step {number} of {count}").format(
            lesson=lesson_text(path.lesson), number=integer(index + 1), count=integer(len(path.steps))
        )
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.markdown(f"**{escape(where)}**{escape(title)}", width="stretch")
            if st.button(
                tr("Back"), key="lesson_back", shortcut=BACK_SHORTCUT, disabled=index == 0,
                icon=":material/arrow_back:",
            ):  # fmt: skip
                go_to(path, index - 1)
            st.button(
                tr("Hide") if revealed else tr("Show what happened"),
                key="lesson_reveal",
                shortcut=REVEAL_SHORTCUT,
                icon=":material/visibility:",
                on_click=toggle_reveal,  # before the run, so the button's own label already says Hide
                args=(path.id, index),
            )
            if st.button(
                tr("Next"), key="lesson_next", shortcut=NEXT_SHORTCUT, disabled=last, type="primary",
                icon=":material/arrow_forward:",
            ):  # fmt: skip
                go_to(path, index + 1)
            st.button(
                tr("Leave"), key="lesson_leave", icon=":material/close:", on_click=leave, type="tertiary"
            )
        with st.container(key="lesson_prompt"):
            st.markdown(lesson_text(step.prompt))
        if revealed:
            with st.container(key="lesson_explanation"):
                st.success(lesson_text(step.explanation), icon=":material/lightbulb:")
        elif last and not presenter_view_on():  # on a projector the greyed-out Next says it, in less room
            st.caption(tr("Last step. Show what happened, then Leave to end the lesson."))
