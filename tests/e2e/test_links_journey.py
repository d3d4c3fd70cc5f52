"""Every view is a link, in a real browser: set three controls, copy the link, open it in a fresh
browser, find the same view; a garbage link gives one notice and the defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_helpers import screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
FIRST_RENDER_MS = 120_000  # a page's first visit on a fresh server loads data, a model or Keras
VIEWPORT = {"width": 1280, "height": 720}


# --- the three kinds of action a student takes ---


def click_option(tab, key: str, label: str) -> None:
    """A radio option, a toggle or a tab: click its label."""
    tab.locator(f".st-key-{key}").get_by_text(label, exact=True).click()


def pick(tab, key: str, label: str) -> None:
    """A select box: open it, click the option."""
    box = tab.locator(f".st-key-{key}")
    box.locator("[role=combobox]").click()
    option = tab.get_by_role("option", name=label, exact=True)
    try:
        expect(option).to_be_visible(timeout=5_000)
    except AssertionError:  # a click that scrolled the box into view focuses it without opening it
        box.locator("button[aria-label=Open]").click()
    option.click()


def type_number(tab, key: str, value: int) -> None:
    field = tab.locator(f".st-key-{key} input")
    field.fill(str(value))
    field.press("Enter")


def slide(tab, key: str, steps: int) -> None:
    """A slider, by keyboard: focus the thumb, press the right arrow ``steps`` times."""
    thumb = tab.locator(f".st-key-{key} input[type=range]")
    thumb.focus()
    for _ in range(steps):
        thumb.press("ArrowRight")


def open_tab(tab, label: str) -> None:
    tab.get_by_role("tab", name=label, exact=True).click()


@dataclass
class Journey:
    page: str
    actions: list  # (function, args) in the order a student would use them
    expected: dict  # the URL parameters the actions give
    keys: list  # the widgets whose state is compared
    chart: str | None  # the key of the page's main plotly chart, or of what stands in for it
    garbage: dict  # a link this page can't use
    first_tab: tuple = ()  # on a page with tabs: (keys, chart) of the first tab, where garbage lands


JOURNEYS = [
    Journey(
        "data",
        [(click_option, ("data_split", "Test")), (type_number, ("data_sample_index", 123)),
         (click_option, ("data_invert", "Dark ink on light paper (invert)"))],
        {"data_split": "Test", "data_sample_index": "123", "data_invert": "true"},
        ["data_split", "data_sample_index", "data_invert"],
        "data_raw_chart",
        {"data_sample_index": "abc", "data_zoom_size": "999"},
    ),
    Journey(
        "pixels_as_vectors",
        [(slide, ("pixels_rows_done", 3)), (click_option, ("pixels_direction", "Wrap back: vector.reshape((28, 28))")),
         (click_option, ("pixels_colour_channel", "blue"))],
        {"pixels_rows_done": "13", "pixels_direction": "Wrap back: vector.reshape((28, 28))",
         "pixels_colour_channel": "blue"},
        ["pixels_rows_done", "pixels_direction", "pixels_colour_channel"],
        "pixels_step_grid",
        {"pixels_row": "28", "pixels_direction": "sideways"},
    ),
    Journey(
        "dimensions",
        [(open_tab, ("4 · Walk between digits",)), (pick, ("dimensions_walk_from", "1")),
         (slide, ("dimensions_walk_steps", 1))],
        {"dimensions_section": "4 · Walk between digits", "dimensions_walk_from": "1", "dimensions_walk_steps": "9"},
        ["dimensions_walk_from", "dimensions_walk_to", "dimensions_walk_steps"],
        "dimensions_walk_chart",
        {"dimensions_section": "5 · Nothing", "dimensions_a_row": "-3"},
        (["dimensions_a_row", "dimensions_b_col", "dimensions_cube_n"], "dimensions_cube_chart"),
    ),
    Journey(
        "build_and_train",
        [(slide, ("train_epochs", 5)), (click_option, ("train_optimizer", "Adam")),
         (type_number, ("train_batch_size", 256))],
        {"train_epochs": "10", "train_optimizer": "Adam", "train_batch_size": "256"},
        ["train_epochs", "train_optimizer", "train_batch_size"],
        None,
        {"train_epochs": "abc", "train_optimizer": "adamw"},
    ),
    Journey(
        "loss_surface",
        [(open_tab, ("2 · Two weights: optimizers race",)), (pick, ("surface_name", "Round bowl")),
         (slide, ("surface_steps", 2))],
        {"surface_part": "2 · Two weights: optimizers race", "surface_name": "Round bowl", "surface_steps": "220"},
        ["surface_name", "surface_start_x", "surface_steps", "surface_lr_momentum"],
        "surface_contour",
        {"surface_walker_steps": "1e9", "surface_walker_start": "nan"},
        (["surface_walker_start", "surface_walker_steps"], "surface_walker_chart"),
    ),
    Journey(
        "predictions",
        [(type_number, ("predictions_draw_seed", 3)), (pick, ("predictions_cell_true", "2")),
         (type_number, ("predictions_image_index", 42))],
        {"predictions_draw_seed": "3", "predictions_cell_true": "2", "predictions_image_index": "42"},
        ["predictions_draw_seed", "predictions_cell_true", "predictions_image_index"],
        "predictions_test_bars",
        {"predictions_image_index": "-1", "predictions_cell_true": "11"},
    ),
    Journey(
        "inside_the_network",
        [(type_number, ("inside_test_index", 17)), (pick, ("inside_layer", "output (10 units, softmax)")),
         (slide, ("inside_temperature", 5))],
        {"inside_test_index": "17", "inside_layer": "output (10 units, softmax)", "inside_temperature": "1.5"},
        ["inside_test_index", "inside_layer", "inside_temperature"],
        "inside_out",
        {"inside_test_index": "10000", "inside_unit_0": "40"},
    ),
    Journey(
        "sklearn_tuning",
        [(open_tab, ("Grid search, done honestly",)), (type_number, ("sklearn_max_iter", 5)),
         (click_option, ("sklearn_grid_wrong_way", "The wrong way: pick the winner by its test accuracy"))],
        {"sklearn_tab": "Grid search, done honestly", "sklearn_max_iter": "5", "sklearn_grid_wrong_way": "true"},
        ["sklearn_max_iter", "sklearn_grid_wrong_way"],
        None,
        {"sklearn_tab": "Nope", "sklearn_max_iter": "0"},
    ),
]  # fmt: skip


def widget_state(tab, key: str) -> str:
    """What the widget shows: its text, its inputs' values, its slider's position."""
    return tab.evaluate(
        """key => {
            const box = document.querySelector('.st-key-' + key);
            if (!box) return null;
            const inputs = [...box.querySelectorAll('input')].map(i =>
                i.type === 'checkbox' || i.type === 'radio' ? String(i.checked) : i.value);
            return JSON.stringify({text: box.innerText, inputs});
        }""",
        key,
    )


def chart_data(tab, key: str | None) -> str:
    """The main chart's data as plotly holds it in the page; without a chart, the page's text."""
    if key is None:  # read it once it has stopped changing: the page may still be drawing its last parts
        text = tab.get_by_test_id("stMain").inner_text()
        for _ in range(20):
            tab.wait_for_timeout(500)
            again = tab.get_by_test_id("stMain").inner_text()
            if again == text:
                return text
            text = again
        return text
    selector = f".st-key-{key} .js-plotly-plot"
    expect(tab.locator(selector)).to_be_visible(timeout=FIRST_RENDER_MS)
    return tab.evaluate("s => JSON.stringify(document.querySelector(s).data)", selector)


def view(tab, journey: Journey) -> dict:
    for key in journey.keys:
        expect(tab.locator(f".st-key-{key} input").first).to_be_attached(timeout=FIRST_RENDER_MS)
    wait_for_app(tab)
    return {"chart": chart_data(tab, journey.chart), **{key: widget_state(tab, key) for key in journey.keys}}


def copied_link(tab, shot: str | None = None) -> str:
    tab.get_by_role("button", name="Copy a link to this view").click()
    code = tab.get_by_test_id("stPopoverBody").locator("code")
    expect(code).to_be_visible()
    link = code.inner_text().strip()
    if shot:
        screenshot(tab, shot, max_height=720)  # the window, with the popover open
    tab.keyboard.press("Escape")
    return link


def fresh_tab(browser, server_url):
    context = browser.new_context(viewport=VIEWPORT, base_url=server_url)
    tab = context.new_page()
    tab.set_default_timeout(FIRST_RENDER_MS)  # the first action waits for the page's first draw
    return context, tab


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda j: j.page)
def test_a_copied_link_opens_the_same_view_in_a_fresh_browser(browser, server_url, journey):
    context, tab = fresh_tab(browser, server_url)
    try:
        tab.goto(f"/{journey.page}")
        wait_for_app(tab)
        expect(tab.get_by_role("button", name="Copy a link to this view")).to_be_visible(
            timeout=FIRST_RENDER_MS
        )
        for action, args in journey.actions:
            action(tab, *args)
            wait_for_app(tab)
        params = {k: v[-1] for k, v in parse_qs(urlsplit(tab.url).query).items()}
        assert params == journey.expected, "the address bar holds the three settings"
        link = copied_link(
            tab, f"links-{journey.page}-copy" if journey.page in ("build_and_train", "data") else None
        )
        assert urlsplit(link).path == f"/{journey.page}"
        assert {k: v[-1] for k, v in parse_qs(urlsplit(link).query).items()} == journey.expected
        before = view(tab, journey)
        screenshot(tab, f"links-{journey.page}-set", max_height=720)
    finally:
        context.close()

    context, tab = fresh_tab(browser, server_url)
    try:
        tab.goto(link)
        wait_for_app(tab)
        after = view(tab, journey)
        for key in journey.keys:
            assert json.loads(after[key]) == json.loads(before[key]), key
        assert after["chart"] == before["chart"], "the same chart data"
        expect(tab.get_by_test_id("stToast")).to_have_count(0)
        screenshot(tab, f"links-{journey.page}-opened", max_height=720)
    finally:
        context.close()


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda j: j.page)
def test_a_garbage_link_gives_one_notice_and_the_defaults(browser, server_url, journey):
    if journey.first_tab:
        journey = replace(journey, keys=journey.first_tab[0], chart=journey.first_tab[1])
    context, tab = fresh_tab(browser, server_url)
    try:
        tab.goto(f"/{journey.page}")
        wait_for_app(tab)
        defaults = view(tab, journey)
    finally:
        context.close()
    context, tab = fresh_tab(browser, server_url)
    try:
        query = "&".join(f"{k}={v}" for k, v in {**journey.garbage, "foo": "1", "presenter": "1"}.items())
        tab.goto(f"/{journey.page}?{query}")
        wait_for_app(tab)
        toast = tab.get_by_test_id("stToast")
        expect(toast).to_have_count(1)
        expect(toast).to_contain_text(
            f"{len(journey.garbage) + 1} settings of this link were reset to their defaults"
        )
        for name in journey.garbage:
            expect(toast).to_contain_text(name)
        expect(toast).not_to_contain_text("presenter")
        if journey.page == "data":
            screenshot(tab, "links-garbage-notice", max_height=720)
        assert view(tab, journey) == defaults
    finally:
        context.close()


@pytest.fixture
def second_server():
    """Another `streamlit run`, which has never seen the link's session."""
    import subprocess
    import sys
    import time
    import urllib.request

    from conftest import ROOT, free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.25)
    yield url
    process.terminate()
    process.wait(10)


def test_a_deep_link_opens_the_same_view_on_a_fresh_server(browser, server_url, second_server):
    journey = next(j for j in JOURNEYS if j.page == "dimensions")
    context, tab = fresh_tab(browser, server_url)
    try:
        tab.goto(f"/{journey.page}")
        wait_for_app(tab)
        for action, args in journey.actions:
            action(tab, *args)
            wait_for_app(tab)
        link = copied_link(tab)
        before = view(tab, journey)
    finally:
        context.close()
    context, tab = fresh_tab(browser, second_server)
    try:
        tab.goto(second_server + urlsplit(link).path + "?" + urlsplit(link).query)
        wait_for_app(tab)
        assert view(tab, journey) == before
    finally:
        context.close()
