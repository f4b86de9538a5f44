"""What a reader does on a page, shared by the browser tests: the theme's controls, found once."""
from __future__ import annotations

COPY_BUTTON = "button[data-md-type=copy], button.md-clipboard"  # Material 9.7+, then older
_PALETTE_TOGGLE = "form[data-md-component=palette] label:visible"


def switch_scheme(page, scheme: str) -> None:
    """Click the header's palette toggle; wait until the page is in `scheme` ("slate", "default")."""
    page.locator(_PALETTE_TOGGLE).click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === {scheme!r}")


PHONE = {"width": 390, "height": 844}
# What stands out of the page's width, outside the blocks that scroll by themselves.
_TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => el.closest("pre, code, .highlight, .md-typeset__scrollwrap, .mermaid, .md-search");
  return [...document.querySelectorAll("article *")]
    .filter(el => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
    .slice(0, 5)
    .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}: right edge at ${Math.round(el.getBoundingClientRect().right)} px`);
}"""


def sideways_overflow(page) -> list[str]:
    """Empty when the page is no wider than its window; else how wide, and what stands out."""
    width, scroll_width = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollWidth]")
    if scroll_width <= width:
        return []
    return [f"{scroll_width} px wide on a {width} px screen: {page.evaluate(_TOO_WIDE)}"]
