"""AppTest: each page's "Skip to ..." link names a widget that is really on that page."""

import json

import pytest

from ui.accessibility import MAIN_ACTIONS


@pytest.mark.parametrize("page", sorted(MAIN_ACTIONS))
def test_the_skip_link_points_at_the_pages_main_action(open_page, page):
    app = open_page(f"app_pages/{page}.py")
    links = [c for c in app.get("bidi_component") if c.proto.component_name == "mnist_skip_link"]
    assert len(links) == 1
    target, label = MAIN_ACTIONS[page]
    assert json.loads(links[0].proto.json) == {"target": target, "label": label}
    keyed = {getattr(element, "key", None) for element in app.main}
    widget_keys = {w.key for kind in ("button", "button_group") for w in getattr(app, kind)}
    assert target in widget_keys | keyed, f"{page} has no widget {target}"


def test_a_page_without_a_main_action_has_no_skip_link(open_page):
    app = open_page("app_pages/data.py")
    assert not [c for c in app.get("bidi_component") if c.proto.component_name == "mnist_skip_link"]
