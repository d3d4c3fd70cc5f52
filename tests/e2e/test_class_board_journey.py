"""A lecture with the class board: a lecturer opens a room, a phone joins from the link and draws a 7."""

from __future__ import annotations

import re

import pytest
from browser_helpers import draw_a_seven, screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_a_phone_joins_the_board_and_its_drawing_appears_with_the_answer(browser, server_url):
    lecturer = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=server_url)
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=server_url)
    try:
        board = lecturer.new_page()
        board.goto("/class_board")
        wait_for_app(board)
        board.get_by_role("button", name="Open a room").click()
        expect(board.get_by_text("Scan to join")).to_be_visible()
        expect(board.get_by_text("Waiting for the first drawing")).to_be_visible()
        link = board.get_by_test_id("stCode").first.inner_text().strip()
        code = re.fullmatch(r"http://[\d.]+:\d+/join\?room=([A-Z]{4})", link)[1]
        expect(board.get_by_text(code, exact=True)).to_be_visible()
        qr = board.get_by_test_id("stImage").locator("img")
        expect(qr).to_be_visible()
        assert qr.evaluate("img => img.naturalWidth") >= 200
        screenshot(board, "class-board-open")

        student = phone.new_page()
        # The link as the board shows it, on this server (the board shows this machine's LAN address).
        student.goto(f"{server_url}/join{link[link.index('?') :]}")
        wait_for_app(student)
        expect(student.get_by_test_id("stTextInputField")).to_have_value(code)
        expect(student.get_by_text("Which digit will you draw?")).to_be_visible()
        student.get_by_test_id("stButtonGroup").get_by_text("7", exact=True).click()
        draw_a_seven(student)
        expect(student.get_by_text("Ready: press Send.")).to_be_visible()
        student.get_by_role("button", name="Send").click()
        sent = student.get_by_text(re.compile(r"Sent\. The network read a \d \(probability"))
        expect(sent).to_be_visible()
        screenshot(student, "class-board-phone-sent")
        said = re.search(r"read a (\d)", sent.inner_text())[1]
        assert said == "7", sent.inner_text()
        canvas_box = student.locator("canvas.upper-canvas").bounding_box()
        assert canvas_box["x"] >= 0 and canvas_box["x"] + canvas_box["width"] <= PHONE["width"]

        expect(board.get_by_role("heading", name="1 drawing")).to_be_visible(timeout=10_000)
        expect(board.get_by_text("✓ 7")).to_be_visible()
        expect(board.get_by_text("1 of 1 read right (100%)")).to_be_visible()
        screenshot(board, "class-board-live")

        # A second drawing, 2 s later (the limit): a 7 said to be a 1, so the network is wrong about it.
        student.wait_for_timeout(2_100)
        student.get_by_test_id("stButtonGroup").get_by_text("1", exact=True).click()
        draw_a_seven(student)
        expect(student.get_by_text("Ready: press Send.")).to_be_visible()
        student.get_by_role("button", name="Send").click()
        expect(student.get_by_text(re.compile(r"not the 1 you meant"))).to_be_visible()
        expect(board.get_by_role("heading", name="2 drawings")).to_be_visible(timeout=10_000)
        expect(board.get_by_text("1 of 2 read right (50%)")).to_be_visible()
        board.get_by_role("button", name=re.compile(r"^\d+%$")).click()
        wait_for_app(board)
        expect(board.get_by_role("heading", name="Inside the network")).to_be_visible()
        expect(board.get_by_role("radio", name="Your digit")).to_be_checked()
        expect(board.get_by_text(re.compile(r"class board drawing 2: meant 1, read 7"))).to_be_visible()
        expect(board.get_by_text("Sum of the 784 products")).to_be_visible(timeout=90_000)
        screenshot(board, "class-board-opened-in-inside-the-network")
        board.go_back()
        wait_for_app(board)
        expect(board.get_by_role("heading", name="2 drawings")).to_be_visible()

        board.get_by_role("button", name="Clear the board").click()
        expect(board.get_by_role("heading", name="0 drawings")).to_be_visible()

        student.goto("/join?room=QQQQ")
        wait_for_app(student)
        expect(student.get_by_text("There is no room QQQQ on this server")).to_be_visible()
        screenshot(student, "class-board-phone-unknown-room")
    except Exception:
        for context, name in ((lecturer, "board"), (phone, "phone")):
            for number, tab in enumerate(context.pages):
                screenshot(tab, f"FAILED-class-board-{name}-{number}")
        raise
    finally:
        lecturer.close()
        phone.close()
