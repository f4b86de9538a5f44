"""The claim marks for keyboard users on a phone: a mark's details show when the mark takes
keyboard focus, as they do on hover, and stay on the screen. (That no page scrolls sideways
on a phone is checked in test_pages.py, on the load that serves every check of a page.)"""
from __future__ import annotations

import pytest

from tests.site.reader import PHONE

pytestmark = pytest.mark.browser


def test_a_mark_shows_its_details_on_keyboard_focus(open_page):
    page, visit = open_page("ports/", viewport=PHONE)
    mark = page.locator(".claim-mark[id^=claim-]").first
    details = mark.locator(".claim-mark__details")
    assert mark.get_attribute("tabindex") == "0", "a keyboard cannot reach the mark"
    assert details.bounding_box()["width"] <= 1, "the details show before anyone asked for them"
    mark.focus()
    box = details.bounding_box()
    assert box["width"] > 50 and box["height"] > 5, f"focus does not show the details: {box}"
    assert box["x"] + box["width"] <= PHONE["width"] + 1, f"the details run off the screen: {box}"
    assert "engine" in details.inner_text() or "newer than the last test run" in details.inner_text()
    assert not visit.problems(), "\n".join(visit.problems())
