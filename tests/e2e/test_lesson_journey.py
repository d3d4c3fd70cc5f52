"""A lecturer walks Lesson 4 from its first step to its last with the keyboard alone, in presenter view
on a 1280 x 720 projector: at every step the key control and its result fit on one screen together.

Not on the very first screen of the page: above them stand the lesson bar and the page's title and
introduction, so on the Loss surface the lecturer scrolls once. What is checked is that the control
and what it changes are never further apart than one screen, so the class sees both at once. The
elements that start below the first screen are printed, for the report.
"""

from pathlib import Path

import pytest
from browser_helpers import SCREENSHOTS, wait_for_app
from playwright.sync_api import expect

from mnist_core.lesson_paths import load_lesson_paths

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PROJECTOR = {"width": 1280, "height": 720}
PATH = next(p for p in load_lesson_paths([ROOT / "lessons"])[0] if p.id == "lesson-4")
SLOW_SERVER_MS = 300_000  # Keras import and a 20-epoch fit on a shared 2-core machine
MAX_TABS = 250


def tab_to(tab, target) -> None:
    """Press Tab until keyboard focus is inside ``target``, as a lecturer without a mouse would."""
    handle = target.element_handle()
    for _ in range(MAX_TABS):
        tab.keyboard.press("Tab")
        if tab.evaluate("(el) => el.contains(document.activeElement)", handle):
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {target}")


def scroll_to_top(tab) -> None:
    """Back to the first screen: focusing a control may have scrolled the page to it."""
    tab.evaluate(
        "() => document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer], section')"
        ".forEach(e => e.scrollTo(0, 0))"
    )
    tab.wait_for_timeout(200)


def keyed(tab, key: str):
    """The element keyed ``key``; not a stale copy Streamlit keeps on screen while the page reruns."""
    return tab.locator(f'.st-key-{key}:not([data-stale="true"])').first


def box_of(tab, key: str) -> dict:
    """The element's box; a live chart is redrawn while the run trains, so wait for it to be there."""
    element = keyed(tab, key)
    for _ in range(100):  # up to about 10 s: between two redraws there may be no box for a moment
        expect(element).to_be_visible()
        box = element.bounding_box()
        if box is not None:
            return box
        tab.wait_for_timeout(100)
    raise AssertionError(f"{key}: not drawn")


def outside_first_screen(tab, key: str) -> str | None:
    """Why the element keyed ``key`` is not wholly on the first screen, or None when it is."""
    box = box_of(tab, key)
    right, bottom = box["x"] + box["width"], box["y"] + box["height"]
    if box["x"] < 0 or box["y"] < 0 or right > PROJECTOR["width"] or bottom > PROJECTOR["height"]:
        return f"{key}: spans x {box['x']:.0f}-{right:.0f}, y {box['y']:.0f}-{bottom:.0f}, beyond 1280 x 720"
    return None


def not_on_one_screen(tab, control: str, result: str) -> str | None:
    """Why ``control`` and ``result`` can't be seen together in one 1280 x 720 screen, or None."""
    boxes = [box_of(tab, control), box_of(tab, result)]
    top = min(b["y"] for b in boxes)
    bottom = max(b["y"] + b["height"] for b in boxes)
    left = min(b["x"] for b in boxes)
    right = max(b["x"] + b["width"] for b in boxes)
    if bottom - top > PROJECTOR["height"] or left < 0 or right > PROJECTOR["width"]:
        return f"{control} and {result}: together x {left:.0f}-{right:.0f}, y {top:.0f}-{bottom:.0f}"
    return None


def test_lesson_4_by_keyboard_in_presenter_view(browser, server_url):
    context = browser.new_context(viewport=PROJECTOR, base_url=server_url)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto("/lessons?presenter=true")
    wait_for_app(tab)
    tab_to(tab, keyed(tab, f"lessons_start_{PATH.id}"))
    tab.keyboard.press("Enter")

    problems, below_the_fold = [], []
    for number, step in enumerate(PATH.steps, start=1):
        bar = keyed(tab, "lesson_bar")
        expect(bar).to_contain_text(f"{PATH.lesson} · step {number} of {len(PATH.steps)}")
        wait_for_app(tab)
        expect(keyed(tab, "lesson_prompt")).to_contain_text(step.prompt)
        assert "presenter=true" in tab.url and f"step={number}" in tab.url, tab.url
        scroll_to_top(tab)
        control = keyed(tab, step.control)
        expect(control).to_be_visible()
        button = control.get_by_test_id("stButton").locator("button")
        if button.count():  # the step asks the class to press it: do so, from the keyboard
            expect(button).to_be_enabled()
            tab_to(tab, button)
            tab.keyboard.press("Enter")
        expect(keyed(tab, step.result)).to_be_visible(timeout=SLOW_SERVER_MS)
        wait_for_app(tab)
        tab.keyboard.press("s")  # Show what happened
        expect(keyed(tab, "lesson_explanation")).to_contain_text(step.explanation[:60])
        scroll_to_top(tab)
        below_the_fold += [outside_first_screen(tab, step.control), outside_first_screen(tab, step.result)]
        problems.append(not_on_one_screen(tab, step.control, step.result))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"lesson_journey_step{number}.png"))
        if number < len(PATH.steps):
            tab.keyboard.press("n")  # Next
    expect(keyed(tab, "lesson_next").locator("button")).to_be_disabled()
    tab.keyboard.press("b")  # Back, once, to see the shortcut works both ways
    expect(keyed(tab, "lesson_bar")).to_contain_text(f"step {len(PATH.steps) - 1} of")
    sidebar = tab.get_by_test_id("stSidebar").bounding_box()
    presenter_view_here = sidebar is None or sidebar["x"] + sidebar["width"] <= 0 or sidebar["width"] < 50
    context.close()
    problems = sorted({p for p in problems if p})
    print("Below the first screen:", sorted({p for p in below_the_fold if p}) or "nothing")
    assert presenter_view_here, "presenter view did not fold the sidebar away"
    assert not problems, "not on one screen:\n" + "\n".join(problems)


def test_an_uploaded_path_is_checked_then_listed(page, tmp_path):
    page.goto("/lessons")
    wait_for_app(page)
    bad = tmp_path / "my-lesson.toml"
    bad.write_text('title = "Mine"\n[[steps]]\npage = "build_and_train"\nexplanation = "Down."\n')
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text(
        "my-lesson.toml, step 1 (build_and_train): prompt is missing: add prompt ="
    )
    bad.write_text(bad.read_text() + 'prompt = "Up or down?"\n')
    page.goto("/lessons")  # a fresh session: nothing uploaded yet
    wait_for_app(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Loaded Mine (1 steps)")
    expect(page.locator(".st-key-lessons_start_my-lesson")).to_be_visible()
