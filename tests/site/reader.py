"""What a reader does on a page, shared by the browser tests: the theme's controls, found once."""
from __future__ import annotations

COPY_BUTTON = "button[data-md-type=copy], button.md-clipboard"  # Material 9.7+, then older
_PALETTE_TOGGLE = "form[data-md-component=palette] label:visible"


def switch_scheme(page, scheme: str) -> None:
    """Click the header's palette toggle; wait until the page is in `scheme` ("slate", "default")."""
    page.locator(_PALETTE_TOGGLE).click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === {scheme!r}")
