"""Every page of the built site: it loads with no console error and no failed request, makes no
request that leaves 127.0.0.1, axe-core finds no serious or critical accessibility violation
in either colour scheme (named theme exceptions: tests/site/axe.py), and it does not scroll
sideways on a 390 px phone screen (a code block scrolls inside itself, which is fine). The key
pages are also saved as screenshots, light and dark, for a person to look at
(reports/screenshots/).

One load serves all of it, and then the page's other browser tests (loaded_page): a page load
is most of a browser test's cost. This test comes first, on a page nothing has touched, and
puts it back in the light scheme and the desktop window. The dark scheme is reached as a
reader reaches it, with the palette toggle; the page's elements stay the same, so in dark
only the colour rules can change and only they run again. The phone screen comes last,
by narrowing the window, which applies the same CSS as loading at that width. Loading straight
into the dark scheme (a system preference) is test_features.py's.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.site import axe, pages
from tests.site.conftest import SCREENSHOTS_DIR, VIEWPORT
from tests.site.reader import PHONE, sideways_overflow, switch_scheme

pytestmark = pytest.mark.browser

KEY_PAGES = ["", "networking/", "ports/", "assignment-design/"]


def test_every_built_page_is_tested(built_site: Path):
    built = {str(p.parent.relative_to(built_site)) for p in built_site.rglob("index.html")}
    built = {"" if b == "." else f"{b}/" for b in built}
    untested = sorted(built - set(pages.page_urls()))
    assert not untested, f"built pages no browser test visits (tests/site/pages.py): {untested}"


def _screenshot(page, path: str, scheme: str) -> None:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS_DIR / f"{path.strip('/') or 'index'}-{scheme}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000, f"{target} looks empty"


@pytest.mark.parametrize("path", pages.page_urls(), ids=lambda p: p or "index")
def test_page_loads_cleanly_offline_accessibly_in_both_schemes_and_fits_a_phone(loaded_page, path: str):
    page, visit = loaded_page(path)
    failures: list[str] | None = None  # None: the checks stopped half-way
    try:
        found = _check(page, visit, path)
        _put_back(page)
        failures = found
    finally:
        if failures != []:  # a page left half-way, or with problems, is no page to share
            loaded_page.forget(path)
    assert failures == [], f"{path}:\n" + "\n".join(failures or [])


def _check(page, visit, path: str) -> list[str]:
    assert page.locator("h1").first.is_visible(), f"{path}: no visible <h1>"
    assert len(visit.requests) > 1, f"{path}: the page loaded no assets at all? {visit.requests}"
    version, violations = axe.blocking_violations(page)
    failures = [f"light: axe {version}: {v}" for v in violations]
    if path in KEY_PAGES:
        _screenshot(page, path, "light")
    if page.locator("form[data-md-component=palette]").count():  # the 404 page has no header
        switch_scheme(page, "slate")
        version, violations = axe.blocking_violations(page, axe.COLOUR_RULES)
        failures += [f"dark: axe {version}: {v}" for v in violations]
        if path in KEY_PAGES:
            _screenshot(page, path, "dark")
    page.set_viewport_size(PHONE)
    failures += [f"phone: {problem}" for problem in sideways_overflow(page)]
    return failures + visit.problems()


def _put_back(page) -> None:
    """The light scheme and the desktop window again, for the page's next test (its copy
    buttons, its diagrams), which shares this load."""
    page.set_viewport_size(VIEWPORT)
    if page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate":
        switch_scheme(page, "default")
