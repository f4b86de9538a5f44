"""The site on a phone, and its marks for keyboard users: no page scrolls sideways on a 390 px
screen (a code block scrolls inside itself, which is fine), and a mark's details show when the
mark takes keyboard focus, as they do on hover."""
from __future__ import annotations

import pytest

from tests.site import pages

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# What stands out of the page's width, outside the blocks that scroll by themselves.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => el.closest("pre, code, .highlight, .md-typeset__scrollwrap, .mermaid, .md-search");
  return [...document.querySelectorAll("article *")]
    .filter(el => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
    .slice(0, 5)
    .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}: right edge at ${Math.round(el.getBoundingClientRect().right)} px`);
}"""


@pytest.mark.parametrize("path", [p for p in pages.page_urls() if not p.endswith(".html")], ids=lambda p: p or "index")
def test_no_page_scrolls_sideways_on_a_phone(open_page, path: str):
    page, visit = open_page(path, viewport=PHONE)
    width, scroll_width = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollWidth]")
    assert scroll_width <= width, f"{path or 'index'} is {scroll_width} px wide on a {width} px screen: {page.evaluate(TOO_WIDE)}"
    assert not visit.problems(), "\n".join(visit.problems())


def test_a_mark_shows_its_details_on_keyboard_focus(open_page):
    page, visit = open_page("ports/", viewport=PHONE)
    mark = page.locator(".claim-mark[data-claim]").first
    details = mark.locator(".claim-mark__details")
    assert mark.get_attribute("tabindex") == "0", "a keyboard cannot reach the mark"
    assert details.bounding_box()["width"] <= 1, "the details show before anyone asked for them"
    mark.focus()
    box = details.bounding_box()
    assert box["width"] > 50 and box["height"] > 5, f"focus does not show the details: {box}"
    assert box["x"] + box["width"] <= PHONE["width"] + 1, f"the details run off the screen: {box}"
    assert "engine" in details.inner_text() or "newer than the last test run" in details.inner_text()
    assert not visit.problems(), "\n".join(visit.problems())
