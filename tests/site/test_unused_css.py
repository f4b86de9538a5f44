"""The theme's stylesheets, pruned of the rules no page can use (primer/unused_css.py), draw the
site pixel for pixel as the whole stylesheets do: in both schemes, on a phone and a desktop, and
in the states that only scripts create (search results, the copy dialog, the open drawer, the
back-to-top button, highlighted search terms), whose classes no built page carries.

Each state is drawn twice in one page: as built, then with the theme's pristine stylesheets
swapped in for the pruned ones. Chromium does not rasterise a page quite the same way twice:
text antialiasing, or one row of a long page, varies by a few levels (at most 12 of 255 seen,
on under 0.01 % of the pixels). So no pixel may differ by more than NOISE_CEILING in any colour
channel, and at most NOISE_SHARE of them by more than NOISE_FLOOR; a rule gone missing moves or
recolours whole shapes, by far more. Where they differ, both are saved in
reports/screenshots/unused-css/ to compare.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import base64

import material
import pytest

from tests.site.conftest import SCREENSHOTS_DIR
from tests.site.reader import COPY_BUTTON

pytestmark = pytest.mark.browser

NOISE_FLOOR, NOISE_CEILING, NOISE_SHARE = 8, 32, 0.001
# Decodes two PNGs on canvases: [pixels that differ by more than the floor, the largest
# difference, all pixels].
_COMPARE = """async ([first, second, noise]) => {
  const decode = png => new Promise(done => { const image = new Image(); image.onload = () => done(image);
                                               image.src = "data:image/png;base64," + png; });
  const [a, b] = await Promise.all([decode(first), decode(second)]);
  if (a.width !== b.width || a.height !== b.height) return [a.width * a.height, 255, a.width * a.height];
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
  return [differing, largest, p.length / 4];
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


def _click_copy(page) -> None:
    """The first code block's copy button; the dialog it opens leaves after 2 s, so the second
    draw clicks again to call it back."""
    page.locator(".md-typeset pre").first.locator(COPY_BUTTON).first.click()
    page.locator(".md-dialog--active").wait_for()


def _copy_first_code_block(page) -> None:
    block = page.locator(".md-typeset pre").first
    block.scroll_into_view_if_needed()
    block.hover()
    _click_copy(page)


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


# (name, path, colour scheme, viewport, what a reader does, whole page or the viewport,
#  what brings a passing state back for the second draw).
# Few, because each is drawn twice: together they cover the layout on a desktop and a phone,
# both schemes, code, admonitions, tables, and every state only a script creates.
STATES: list[tuple[str, str, str, dict, Callable, bool, Callable]] = [
    ("compose-dark-highlighted", "compose/?h=volume", "dark", DESKTOP, _nothing, True, _nothing),
    ("commands-phone", "commands/", "light", PHONE, _nothing, True, _nothing),
    ("back-to-top-and-copy-dialog", "compose/", "light", DESKTOP, _scroll_then_copy, False, _click_copy),
    ("search-results", "", "light", DESKTOP, _search, False, _nothing),
    ("search-results-phone-dark", "", "dark", PHONE, _search, False, _nothing),
    ("drawer-phone", "ports/", "light", PHONE, _open_drawer, False, _nothing),
]


# Puts the theme's whole stylesheet after each pruned one (same place in the cascade), and
# drops the pruned one once the whole one has loaded.
_SWAP_TO_WHOLE = """names => Promise.all([...document.querySelectorAll("link[rel=stylesheet]")]
  .filter(link => names.includes(new URL(link.href).pathname.split("/").pop()))
  .map(link => new Promise((done, failed) => {
    const whole = link.cloneNode();
    whole.href = link.href + "?whole";
    whole.onload = () => { link.remove(); done(whole.href); };
    whole.onerror = () => failed(new Error("could not load " + whole.href));
    link.after(whole);
  })))"""
_NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def _theme_stylesheets(built_site: Path) -> dict[str, tuple[Path, Path]]:
    """{name: (the built copy, the theme's pristine file)} for each of the theme's stylesheets."""
    found = {built.name: (built, THEME_STYLESHEETS / built.name)
             for built in (built_site / "assets" / "stylesheets").glob("*.css")
             if (THEME_STYLESHEETS / built.name).is_file()}
    assert found, f"no built stylesheet is one of the theme's ({THEME_STYLESHEETS})"
    return found


def _draw_both(open_page, built_site: Path, state) -> tuple[bytes, bytes]:
    """The state drawn with the pruned stylesheets, then, in the same page, with the whole ones:
    a page's scripts and a reader's actions run once (what leaves on a timer is called back)."""
    _, path, scheme, viewport, act, full_page, bring_back = state
    whole = {name: pristine.read_bytes() for name, (_, pristine) in _theme_stylesheets(built_site).items()}
    page, visit = open_page(None, color_scheme=scheme, viewport=viewport,
                            permissions=["clipboard-read", "clipboard-write"], reduced_motion="reduce")
    page.route(lambda url: url.endswith(".css?whole"), lambda route: route.fulfill(
        body=whole[route.request.url.removesuffix("?whole").rsplit("/", 1)[-1]], content_type="text/css"))
    page.goto(path, wait_until="load")
    # The palette set on load starts the theme's colour transitions (0.25 s), which Playwright's
    # animations="disabled" does not finish on ::placeholder: the same for both draws, so fair.
    page.add_style_tag(content="*, *::before, *::after, *::placeholder { transition: none !important; }")
    visit.settle(page)
    act(page)
    visit.settle(page)
    pruned = page.screenshot(full_page=full_page, animations="disabled")
    swapped = page.evaluate(_SWAP_TO_WHOLE, sorted(whole))
    assert len(swapped) == len(whole), f"only {swapped} of the theme's {sorted(whole)} were swapped in"
    page.evaluate(_NEXT_FRAMES)
    bring_back(page)
    drawn_whole = page.screenshot(full_page=full_page, animations="disabled")
    assert not visit.problems(), "\n".join(visit.problems())
    return pruned, drawn_whole


def test_the_pruned_stylesheets_are_smaller(built_site: Path):
    for name, (built, pristine) in _theme_stylesheets(built_site).items():
        assert built.stat().st_size < 0.9 * pristine.stat().st_size, f"{name} was not pruned"


def _difference(open_page, first: bytes, second: bytes) -> str:
    """What is more than Chromium's noise between two screenshots, in words ("" if nothing)."""
    if first == second:
        return ""
    page, _ = open_page(None)
    encoded = [base64.b64encode(png).decode() for png in (first, second)]
    differing, largest, pixels = page.evaluate(_COMPARE, [*encoded, NOISE_FLOOR])
    if largest <= NOISE_CEILING and differing <= NOISE_SHARE * pixels:
        return ""
    return f"{differing} of {pixels} pixels differ by more than {NOISE_FLOOR}, at most by {largest}"


@pytest.mark.parametrize("state", STATES, ids=[s[0] for s in STATES])
def test_pruned_theme_css_draws_the_page_exactly_as_the_whole_theme(open_page, built_site: Path, state):
    pruned, whole = _draw_both(open_page, built_site, state)
    difference = _difference(open_page, pruned, whole)
    if difference:
        folder = SCREENSHOTS_DIR / "unused-css"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{state[0]}-pruned.png").write_bytes(pruned)
        (folder / f"{state[0]}-whole.png").write_bytes(whole)
        pytest.fail(f"{state[0]} ({state[1] or 'home'}, {state[2]}): the pruned theme CSS draws it "
                    f"differently ({difference}); "
                    f"compare {folder}/{state[0]}-pruned.png and -whole.png")
