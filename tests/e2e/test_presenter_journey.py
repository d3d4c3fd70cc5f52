"""Presenter view and the two themes, measured in the browser at a projector's 1280 x 720.

Font sizes are read from plotly's rendered SVG, contrast from the computed styles (colour,
opacity of every ancestor, and the backgrounds behind the text), the way a contrast checker
reads a page.
"""

from __future__ import annotations

import re
import time

import pytest
from browser_helpers import SCREENSHOTS, screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1280, "height": 720}
PAGES = [
    "",
    "data",
    "pixels_as_vectors",
    "dimensions",
    "build_and_train",
    "loss_surface",
    "predictions",
    "inside_the_network",
    "what_it_learned",
    "sklearn_tuning",
]
DEVELOPER_ITEMS = ("Rerun", "Clear cache", "Deploy", "Settings", "Developer")
MIN_CHART_FONT_PX = 18
MIN_CONTRAST = 4.5
CHECKED = ("caption", "tick", "axis title", "legend", "primary button")  # must reach MIN_CONTRAST

# The text of a page and its contrast: the text colour with the opacity of it and its ancestors,
# over the backgrounds of its ancestors composed from the page's canvas upwards.
CONTRAST_JS = """
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/) || c.match(/color\\(srgb ([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].replace(/\\//, ' ').split(/[\\s,]+/).filter(Boolean).map(Number);
    const scale = c.startsWith('color(') ? 255 : 1;
    return [p[0] * scale, p[1] * scale, p[2] * scale, p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(e);
    let bg = [255, 255, 255, 1];
    for (const e of chain.reverse()) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) bg = over(c, bg);
    }
    return bg;
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  };
  const kind = (el) => {
    if (el.closest('[data-testid=stCaptionContainer]')) return 'caption';
    if (el.closest('[data-testid^=stBaseButton-primary]')) return 'primary button';
    if (el.closest('.xtick, .ytick, .cbaxis')) return 'tick';
    if (el.closest('.g-xtitle, .g-ytitle, .g-x2title, .g-y2title, .cbtitle')) return 'axis title';
    if (el.closest('.legendtext, .legend')) return 'legend';
    if (el.closest('.stPlotlyChart')) return 'chart text';
    return 'text';
  };
  const out = [];
  for (const el of document.querySelectorAll('[data-testid=stMain] *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
    if (el.closest('.textpoint, .hoverlayer, .annotation-text-g')) continue;  // on coloured cells
    const isSvg = el instanceof SVGElement;
    const colour = parse(isSvg ? style.fill : style.color);
    if (!colour) continue;
    const alpha = colour[3] * opacity(el) * (isSvg ? parseFloat(style.fillOpacity) : 1);
    if (alpha < 0.05) continue;  // invisible on purpose (click targets)
    const bg = background(el);
    const fg = over([colour[0], colour[1], colour[2], alpha], bg);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    out.push({kind: kind(el), text: el.textContent.trim().slice(0, 40), contrast: (l1 + 0.05) / (l2 + 0.05),
              size: parseFloat(style.fontSize)});
  }
  return out;
}
"""


@pytest.fixture
def projector(browser, server_url):
    """A fresh 1280 x 720 tab; ``projector("dark")`` emulates a system set to dark."""
    contexts = []

    def _open(color_scheme: str = "light"):
        context = browser.new_context(viewport=PROJECTOR, base_url=server_url, color_scheme=color_scheme)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        return tab

    yield _open
    for context in contexts:
        context.close()


def open_page(tab, page: str, query: str = "presenter=true") -> None:
    tab.goto(f"/{page}?{query}" if query else f"/{page}")
    expect(tab.locator("h1").first).to_be_visible(timeout=120_000)
    # The status widget shows only after a moment of running: the script state says it at once.
    expect(tab.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=180_000
    )
    wait_for_app(tab)
    tab.wait_for_timeout(1000)  # charts finish drawing after the script run ends


def first_screen(tab, name: str) -> None:
    """What the room sees: the 1280 x 720 window, unscrolled."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def sidebar_width(tab) -> float:
    return tab.get_by_test_id("stSidebar").bounding_box()["width"]


def chart_font_sizes(tab) -> dict[str, list[float]]:
    """Font sizes of the drawn charts' text, once plotly has drawn at least one chart's ticks."""
    # The script can finish before plotly has laid out its SVG: measuring then finds no text at all.
    tab.wait_for_function(
        "() => [...document.querySelectorAll('.stPlotlyChart .xtick text')]"
        ".some((e) => e.getBoundingClientRect().width > 0)",
        timeout=60_000,
    )
    return tab.evaluate(
        """() => {
          const sizes = (selector) => [...document.querySelectorAll(selector)]
            .filter((e) => e.getBoundingClientRect().width > 0)
            .map((e) => parseFloat(getComputedStyle(e).fontSize));
          return {ticks: sizes('.stPlotlyChart .xtick text, .stPlotlyChart .ytick text'),
                  legend: sizes('.stPlotlyChart .legendtext'),
                  titles: sizes('.stPlotlyChart .gtitle, .stPlotlyChart .g-xtitle text, .stPlotlyChart .g-ytitle text')};
        }"""
    )


def test_presenter_view_folds_the_sidebar_hides_developer_items_and_enlarges_chart_text(projector):
    tab = projector()
    open_page(tab, "build_and_train", query="")
    assert sidebar_width(tab) > 200, "the sidebar is open in the normal view at 1280 px"
    # Turning presenter view on puts it in the link and folds the sidebar on the same visit.
    tab.get_by_test_id("stMain").get_by_text("Presenter view").click()
    expect(tab).to_have_url(re.compile(r"presenter=true"))
    tab.wait_for_function(
        "() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().width < 1"
    )

    # A page link keeps presenter view: the toggle is drawn on every page, so the link keeps it.
    open_page(tab, "")
    tab.get_by_test_id("stMain").get_by_role("link", name="The data").click()
    expect(tab).to_have_url(re.compile(r"/data\?presenter=true"))
    expect(tab.locator("h1").first).to_have_text("The data")
    expect(tab.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=120_000
    )
    assert sidebar_width(tab) < 1
    tab.get_by_test_id("stMainMenu").click()
    menu = tab.get_by_test_id("stMainMenuPopover")
    expect(menu).to_be_visible()
    expect(menu.get_by_text("Print")).to_be_visible()  # the menu is open and has its viewer items
    for item in DEVELOPER_ITEMS:
        expect(menu.get_by_text(item, exact=True)).to_have_count(0)
    tab.keyboard.press("Escape")
    expect(tab.get_by_test_id("stAppDeployButton")).to_have_count(0)

    sizes = chart_font_sizes(tab)
    assert sizes["ticks"] and sizes["legend"] and sizes["titles"], sizes
    for name, values in sizes.items():
        assert min(values) >= MIN_CHART_FONT_PX, (name, sorted(values)[:5])
    screenshot(tab, "presenter-data")


def test_normal_view_keeps_smaller_chart_text(projector):
    tab = projector()
    open_page(tab, "data", query="")
    sizes = chart_font_sizes(tab)
    assert sizes["ticks"] and max(sizes["ticks"]) < MIN_CHART_FONT_PX


def test_build_and_train_shows_train_and_its_live_charts_on_the_first_screen(projector):
    tab = projector()
    # A seed no other journey trains: a live training, not a replay that ends before it is measured;
    # 30 epochs, so it is still running when measured (the first network's 5 take 3-4 s now, and the
    # page's rerun as a run ends detaches the elements being measured).
    open_page(tab, "build_and_train", "presenter=true&train_seed=5151&train_epochs=30")
    train = tab.get_by_role("button", name="Train", exact=True)
    train.click()
    # The live curves; the network diagram, folded away with the settings, is not shown.
    charts = tab.get_by_test_id("stMain").locator(".stPlotlyChart:visible")
    expect(charts.nth(1)).to_be_visible(timeout=180_000)  # per-batch and per-epoch curves
    tab.wait_for_timeout(1000)
    scrolled = tab.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop")
    assert scrolled == 0
    first_screen(tab, "presenter-build-and-train-measured")
    # A whole-page rerun (the run's end, the diagram's initial weights arriving from a worker) redraws
    # the elements for a moment: measure once all three are on the page.
    deadline = time.monotonic() + 15
    while True:
        boxes = [train.bounding_box()] + [charts.nth(i).bounding_box() for i in range(2)]
        if all(boxes) or time.monotonic() > deadline:
            break
        tab.wait_for_timeout(250)
    for box in boxes:
        assert box is not None, boxes
        assert box["x"] >= 0 and box["y"] >= 0, box
        assert box["x"] + box["width"] <= PROJECTOR["width"], box
        assert box["y"] + box["height"] <= PROJECTOR["height"], box
    first_screen(tab, "presenter-build-and-train")
    tab.get_by_role("button", name="Stop").click()  # the shared server's training slot, for the next journeys
    expect(tab.get_by_text(re.compile(r"^Stopped")).first).to_be_visible(timeout=60_000)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_contrast_of_captions_and_chart_text_on_every_page(projector, scheme):
    tab = projector(scheme)
    failures, worst_other, seen = [], [], set()
    for page in PAGES:
        open_page(tab, page, query="")
        background = tab.evaluate("() => getComputedStyle(document.querySelector('.stApp')).backgroundColor")
        assert (background == "rgb(255, 255, 255)") == (scheme == "light"), background
        texts = tab.evaluate(CONTRAST_JS)
        seen |= {t["kind"] for t in texts}
        for t in texts:
            if t["kind"] in CHECKED and t["contrast"] < MIN_CONTRAST:
                failures.append((page, t))
            elif t["contrast"] < MIN_CONTRAST:
                worst_other.append((page, t))
        screenshot(tab, f"{scheme}-{page or 'home'}")
    hidden_on_purpose = [other for other in worst_other if other[1]["contrast"] < 1.01]  # slider min/max
    print(
        "hidden:",
        len(hidden_on_purpose),
        "other text under 4.5:1:",
        [o for o in worst_other if o[1]["contrast"] >= 1.01],
    )
    assert {"text", *CHECKED} <= seen, seen
    assert not failures, failures[:10]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page or "home")
def test_every_page_in_presenter_view_and_dark_theme(projector, page):
    """Screenshots for a person to look at: each page's first screen and whole length."""
    tab = projector("dark")
    open_page(tab, page)
    expect(tab.get_by_test_id("stException")).to_have_count(0)
    assert sidebar_width(tab) < 1
    first_screen(tab, f"presenter-dark-{page or 'home'}")
    screenshot(tab, f"presenter-dark-{page or 'home'}-full")
