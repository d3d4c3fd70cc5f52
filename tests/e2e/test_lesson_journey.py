"""Lesson steps on a 1280 x 720 projector, in presenter view: the step's control and its result are on
the first screen, below the pinned lesson bar, without the lecturer scrolling.

Every shipped step is opened from its link and measured at page load. Lesson 4 is also walked from
its first step to its last with the keyboard alone, pressing each step's control, so a result that
only appears then (Build & Train's live epoch chart) is measured too, after the answer is revealed.
"""

import re
from pathlib import Path

import pytest
from browser_helpers import SCREENSHOTS, wait_for_app
from playwright.sync_api import expect

from mnist_core.teaching.lesson_paths import load_lesson_paths
from ui.lesson_bar import step_link

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PROJECTOR = {"width": 1280, "height": 720}
SHIPPED = load_lesson_paths([ROOT / "lessons"])[0]
PATH = next(p for p in SHIPPED if p.id == "lesson-4")
# Results that only exist once the class has acted on the step's control; at page load only the
# control is measured. Build & Train's epoch chart is measured after Train in the Lesson 4 walk.
AFTER_ACTING = {
    "train_epoch_chart": "drawn once Train is pressed",
    "train_compare_metric": "drawn once two runs have finished",
    "train_download": "offered once a run has finished",
    "predictions_your_bars": "drawn once a digit is drawn on the canvas",
    "sklearn_result_loss": "drawn once scikit-learn has trained",
    "data_csv_row": "a table: st.dataframe gets no st-key class to find it by",
}
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


def settled_boxes(tab, key: str) -> tuple[dict, dict]:
    """The element's box and the lesson bar's, once the page has stopped moving them (the bar scrolls a
    step's targets into view, and grows when the answer is shown)."""
    boxes = (box_of(tab, key), box_of(tab, "lesson_bar"))
    for _ in range(40):
        tab.wait_for_timeout(400)
        again = (box_of(tab, key), box_of(tab, "lesson_bar"))
        if again == boxes:
            break
        boxes = again
    return boxes


def off_first_screen(tab, key: str) -> str | None:
    """Why the element keyed ``key`` is not wholly on the first screen below the lesson bar, or None."""
    box, bar = settled_boxes(tab, key)
    bar_bottom = bar["y"] + bar["height"]
    right, bottom = box["x"] + box["width"], box["y"] + box["height"]
    if box["x"] < 0 or box["y"] < bar_bottom or right > PROJECTOR["width"] or bottom > PROJECTOR["height"]:
        return (
            f"{key}: spans x {box['x']:.0f}-{right:.0f}, y {box['y']:.0f}-{bottom:.0f}; the first screen "
            f"below the lesson bar is y {bar_bottom:.0f}-{PROJECTOR['height']}"
        )
    return None


def measured_at_load(step) -> list[str]:
    return [key for key in dict.fromkeys((step.control, step.result)) if key and key not in AFTER_ACTING]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.id)
def test_each_step_opens_with_its_control_and_result_on_the_first_screen(browser, server_url, path):
    context = browser.new_context(viewport=PROJECTOR, base_url=server_url)
    tab = context.new_page()
    tab.set_default_timeout(SLOW_SERVER_MS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for index, step in enumerate(path.steps):
        keys = measured_at_load(step)
        if not keys:
            continue
        tab.goto(step_link(path, index, presenter=True))
        wait_for_app(tab)
        expect(keyed(tab, "lesson_prompt")).to_contain_text(step.prompt)
        for key in keys:
            problem = off_first_screen(tab, key)
            if problem:
                problems.append(f"{path.id} step {index + 1} ({step.page}): {problem}")
        tab.screenshot(path=str(SCREENSHOTS / f"lesson_first_screen_{path.id}_step{index + 1}.png"))
    context.close()
    assert not problems, "not on the first screen at page load:\n" + "\n".join(problems)


def test_lesson_4_by_keyboard_in_presenter_view(browser, server_url):
    context = browser.new_context(viewport=PROJECTOR, base_url=server_url)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto("/lessons?presenter=true")
    wait_for_app(tab)
    tab_to(tab, keyed(tab, f"lessons_start_{PATH.id}"))
    tab.keyboard.press("Enter")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for number, step in enumerate(PATH.steps, start=1):
        bar = keyed(tab, "lesson_bar")
        expect(bar).to_contain_text(f"{PATH.lesson} · step {number} of {len(PATH.steps)}")
        wait_for_app(tab)
        expect(keyed(tab, "lesson_prompt")).to_contain_text(step.prompt)
        assert "presenter=true" in tab.url and f"step={number}" in tab.url, tab.url
        control = keyed(tab, step.control)
        expect(control).to_be_visible()
        button = control.get_by_test_id("stButton").locator("button")
        if button.count():  # the step asks the class to press it: do so, from the keyboard
            expect(button).to_be_enabled()
            tab_to(tab, button)
            tab.keyboard.press("Enter")
        expect(keyed(tab, step.result)).to_be_visible(timeout=SLOW_SERVER_MS)
        wait_for_app(tab)
        if step.control == "train_start":
            # A run this server trained before replays in a few seconds, and a key pressed just as a run
            # ends was lost once (the panel's own rerun of the page as the run ends took its place): the
            # class is asked to look once the run is over.
            expect(tab.get_by_test_id("stMain").get_by_text(re.compile(r"^Finished"))).to_be_visible(
                timeout=SLOW_SERVER_MS
            )
            wait_for_app(tab)
        tab.keyboard.press("s")  # Show what happened
        expect(keyed(tab, "lesson_explanation")).to_contain_text(step.explanation[:60])
        problems += [off_first_screen(tab, key) for key in dict.fromkeys((step.control, step.result))]
        tab.screenshot(path=str(SCREENSHOTS / f"lesson_journey_step{number}.png"))
        if number < len(PATH.steps):
            tab.keyboard.press("n")  # Next
    expect(keyed(tab, "lesson_next").locator("button")).to_be_disabled()
    tab.keyboard.press("b")  # Back, once, to see the shortcut works both ways
    expect(keyed(tab, "lesson_bar")).to_contain_text(f"step {len(PATH.steps) - 1} of")
    sidebar = tab.get_by_test_id("stSidebar").bounding_box()
    presenter_view_here = sidebar is None or sidebar["x"] + sidebar["width"] <= 0 or sidebar["width"] < 50
    context.close()
    problems = [p for p in problems if p]
    assert presenter_view_here, "presenter view did not fold the sidebar away"
    assert not problems, "not on the first screen with the answer shown:\n" + "\n".join(problems)


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
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Loaded Mine (1 step)")
    expect(page.locator(".st-key-lessons_start_my-lesson")).to_be_visible()
