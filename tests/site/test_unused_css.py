"""The theme's stylesheets, pruned of the rules no page can use (primer/unused_css.py), draw the
site pixel for pixel as the whole stylesheets do: in both schemes, on a phone and a desktop, and
in the states that only scripts create (search results, the copy dialog, the open drawer, the
back-to-top button, highlighted search terms), whose classes no built page carries.

Each state is drawn twice in one browser: once as built, once with the theme's pristine
stylesheets served in place of the pruned ones. No pixel may differ by more than NOISE in any
colour channel (Chromium's text antialiasing varies by a level or two between two draws of the
same page; a rule gone missing moves or recolours whole shapes). Where they differ, both are
saved in reports/screenshots/unused-css/ to compare.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import base64

import material
import pytest

from tests.site.conftest import SCREENSHOTS_DIR

pytestmark = pytest.mark.browser

NOISE = 8
# Decodes two PNGs on canvases: [pixels that differ by more than NOISE, the largest difference].
_COMPARE = """async ([first, second, noise]) => {
  const decode = png => new Promise(done => { const image = new Image(); image.onload = () => done(image);
                                               image.src = "data:image/png;base64," + png; });
  const [a, b] = await Promise.all([decode(first), decode(second)]);
  if (a.width !== b.width || a.height !== b.height) return [a.width * a.height, 255];
  const pixels = image => { const canvas = document.createElement("canvas");
    canvas.width = image.width; canvas.height = image.height;
    const context = canvas.getContext("2d"); context.drawImage(image, 0, 0);
    return context.getImageData(0, 0, image.width, image.height).data; };
  const p = pixels(a), q = pixels(b);
  let differing = 0, largest = 0;
  for (let i = 0; i < p.length; i += 4) {
    const d = Math.max(Math.abs(p[i] - q[i]), Math.abs(p[i + 1] - q[i + 1]), Math.abs(p[i + 2] - q[i + 2]));
    if (d > noise) differing++;
    largest = Math.max(largest, d);
  }
  return [differing, largest];
}"""
THEME_STYLESHEETS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _search(page, query: str = "volume") -> None:
    query_box = page.locator("input[data-md-component=search-query]")
    if not query_box.is_visible():  # on a phone, behind the header's search button
        page.locator(".md-header label[for=__search]").click()
    query_box.focus()
    # A query typed while the search worker still loads its index is never answered.
    page.wait_for_function("!document.querySelector('.md-search-result__meta').textContent.includes('Initializing')")
    page.keyboard.type(query)
    page.locator(".md-search-result__item").first.wait_for()


def _copy_first_code_block(page) -> None:
    block = page.locator(".md-typeset pre").first
    block.scroll_into_view_if_needed()
    block.hover()
    block.locator("button.md-code__button, button.md-clipboard").first.click()
    page.locator(".md-dialog--active").wait_for()


def _open_drawer(page) -> None:
    page.locator("label[for=__drawer]:visible").first.click()
    page.locator(".md-sidebar--primary").first.wait_for(state="visible")


def _scroll_down_then_up(page) -> None:
    """The header shows the section title, and navigation.top shows its button on the way up."""
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(200)
    page.mouse.wheel(0, -400)
    page.locator(".md-top:not([hidden])").wait_for()


def _nothing(page) -> None:
    pass


def _scroll_then_copy(page) -> None:
    _scroll_down_then_up(page)
    _copy_first_code_block(page)


# (name, path, colour scheme, viewport, what a reader does, whole page or the viewport).
# Few, because each is drawn twice: together they cover the layout on a desktop and a phone,
# both schemes, code, admonitions, tables, and every state only a script creates.
STATES: list[tuple[str, str, str, dict, Callable, bool]] = [
    ("compose-dark-highlighted", "compose/?h=volume", "dark", DESKTOP, _nothing, True),
    ("commands-phone", "commands/", "light", PHONE, _nothing, True),
    ("back-to-top-and-copy-dialog", "compose/", "light", DESKTOP, _scroll_then_copy, False),
    ("search-results", "", "light", DESKTOP, _search, False),
    ("search-results-phone-dark", "", "dark", PHONE, _search, False),
    ("drawer-phone", "ports/", "light", PHONE, _open_drawer, False),
]


def _serve_pristine_theme_css(page, built_site: Path) -> list[str]:
    pristine = {built.name: (THEME_STYLESHEETS / built.name).read_bytes()
                for built in (built_site / "assets" / "stylesheets").glob("*.css")
                if (THEME_STYLESHEETS / built.name).is_file()}

    def serve(route):
        route.fulfill(body=pristine[route.request.url.rsplit("/", 1)[-1]], content_type="text/css")

    for name in pristine:
        page.route(f"**/assets/stylesheets/{name}", serve)
    return sorted(pristine)


def _draw(open_page, built_site: Path, state, pristine: bool) -> bytes:
    _, path, scheme, viewport, act, full_page = state
    page, visit = open_page(None, color_scheme=scheme, viewport=viewport,
                            permissions=["clipboard-read", "clipboard-write"], reduced_motion="reduce")
    if pristine:
        assert _serve_pristine_theme_css(page, built_site), f"no built stylesheet is one of the theme's ({THEME_STYLESHEETS})"
    page.goto(path, wait_until="load")
    # The palette set on load starts the theme's colour transitions (0.25 s), which Playwright's
    # animations="disabled" does not finish on ::placeholder: the same for both draws, so fair.
    page.add_style_tag(content="*, *::before, *::after, *::placeholder { transition: none !important; }")
    visit.settle(page)
    act(page)
    visit.settle(page)
    assert not visit.problems(), "\n".join(visit.problems())
    return page.screenshot(full_page=full_page, animations="disabled")


def test_the_pruned_stylesheets_are_smaller(built_site: Path):
    for built in (built_site / "assets" / "stylesheets").glob("*.css"):
        pristine = THEME_STYLESHEETS / built.name
        if pristine.is_file():
            assert built.stat().st_size < 0.9 * pristine.stat().st_size, f"{built.name} was not pruned"


def _differing_pixels(open_page, first: bytes, second: bytes) -> tuple[int, int]:
    if first == second:
        return 0, 0
    page, _ = open_page(None)
    encoded = [base64.b64encode(png).decode() for png in (first, second)]
    return tuple(page.evaluate(_COMPARE, [*encoded, NOISE]))


@pytest.mark.parametrize("state", STATES, ids=[s[0] for s in STATES])
def test_pruned_theme_css_draws_the_page_exactly_as_the_whole_theme(open_page, built_site: Path, state):
    pruned = _draw(open_page, built_site, state, pristine=False)
    whole = _draw(open_page, built_site, state, pristine=True)
    differing, largest = _differing_pixels(open_page, pruned, whole)
    if differing:
        folder = SCREENSHOTS_DIR / "unused-css"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{state[0]}-pruned.png").write_bytes(pruned)
        (folder / f"{state[0]}-whole.png").write_bytes(whole)
        pytest.fail(f"{state[0]} ({state[1] or 'home'}, {state[2]}): the pruned theme CSS draws it "
                    f"differently ({differing} pixels differ by more than {NOISE}, at most by {largest}); "
                    f"compare {folder}/{state[0]}-pruned.png and -whole.png")
