"""Diagrams drawn when the site is built, instead of in every reader's browser.

A page with a diagram would load Mermaid, about 870 KB of JavaScript, to turn a few lines of
text into a picture on each visit. After a build, each built page's `<pre class="mermaid">`
blocks are replaced by SVGs drawn by the theme itself (its own Mermaid set-up, in headless
Chromium), inside a declarative shadow root as the theme puts them: the page then loads no
Mermaid at all. The theme draws with CSS variables, so one SVG follows both colour schemes.

- The drawings are committed build outputs (diagrams/ at the top of the repository), one file
  per diagram, named by a hash of its text and of the Mermaid (package-lock.json) and theme
  versions. A build whose diagrams did not change needs no Chromium and no npm: the ordinary
  `pip install -r requirements.txt && mkdocs build --strict` shows every diagram as a picture.
- A new or changed diagram is drawn where Chromium, Playwright and the pinned Mermaid
  (`npm ci`) are at hand (scripts/test provides them) and its file is written to diagrams/,
  to be committed; drawings no page uses any more are removed by a full build. Where it cannot
  be drawn, the build warns, naming the page and the command that draws it: a strict build
  fails.
- A diagram Mermaid cannot parse fails the build, naming the page and the diagram.

Declarative shadow roots are made by the HTML parser, on a full page load: this relies on the
theme's `navigation.instant` staying off (it swaps pages in through a parser that ignores them).
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import ROOT
from .browser import (
    CHROMIUM,
    NETWORK_CHANGED,
    NETWORK_CHANGED_LOADS,
    chromium,
    chromium_available,
    keep_offline,
    load_again_after_network_change,
)

DRAWINGS_DIR = ROOT / "diagrams"
PACKAGE_LOCK = ROOT / "package-lock.json"
# A pinned local Mermaid (npm ci): the theme draws with it here; with it defined, the theme
# never fetches one from a CDN. Its ES-module build: a page loads the core and then only the
# chunks its diagrams need (a flowchart: about a quarter of the 3.5 MB single-file build).
MERMAID_DIST = ROOT / "node_modules" / "mermaid" / "dist"
MERMAID_JS = MERMAID_DIST / "mermaid.esm.min.mjs"
DRAW_COMMAND = "scripts/test (or mkdocs build where Chromium and `npm ci`'s Mermaid are installed)"
# A diagram block as it leaves the minify plugin, quoted or not.
_BLOCK = re.compile(r"""<pre class=["']?mermaid["']?><code>(?P<source>.*?)</code></pre>""", re.DOTALL)
# overrides/main.html's module that loads Mermaid on a page with a diagram.
_LOADER = re.compile(r"""<script\b[^>]*\bid=["']?primer-mermaid-loader\b[^>]*>.*?</script>\s*""", re.DOTALL)
# The theme hands Mermaid's SVG to a closed shadow root; drawn here, it is opened to be read.
# A diagram Mermaid cannot parse makes the theme's render() reject: recorded, to fail at once.
_WATCH_THE_THEME = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, {...init, mode: "open"}); };
window.__diagramErrors = [];
addEventListener("unhandledrejection", event => window.__diagramErrors.push(String(event.reason && event.reason.message || event.reason)));
addEventListener("error", event => window.__diagramErrors.push(String(event.message)));
"""
_DRAWN_OR_FAILED = """n => {
  if (window.__diagramErrors.length) return true;
  const boxes = [...document.querySelectorAll("div.mermaid")];
  return boxes.length >= n && boxes.every(b => b.shadowRoot && b.shadowRoot.querySelector("svg"));
}"""
DRAW_TIMEOUT_MS = 20_000
_MERMAID_ERROR = re.compile(r"Syntax error in text|Parse error on line", re.IGNORECASE)


# Mermaid's bookkeeping for interactivity and animation, which a drawn page does not use.
_DATA_ATTRIBUTE = re.compile(r'\sdata-[\w-]+="[^"]*"')
_MARKER = re.compile(r'<marker\b[^>]*\bid="([^"]+)"[^>]*>.*?</marker>', re.DOTALL)
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
# Bumped whenever slim() changes, so that the cache holds no drawing slimmed the old way.
SLIM_VERSION = 2


class DiagramError(Exception):
    """A diagram that cannot be drawn; the message names the page and the diagram."""


class _NetworkChanged(Exception):
    """Chromium aborted a request of the page: a network interface came or went."""



def sources(page_html: str) -> list[str]:
    """Each diagram's text, as the theme reads it (the block's textContent)."""
    return [html.unescape(re.sub(r"<[^>]+>", "", m.group("source"))) for m in _BLOCK.finditer(page_html)]


def with_svgs(page_html: str, svgs: list[str]) -> str:
    """The page with its diagram blocks replaced by drawn SVGs (in order) and no Mermaid loader."""
    drawn = iter(svgs)
    page_html = _BLOCK.sub(lambda m: f'<div class=mermaid><template shadowrootmode=open>{next(drawn)}'
                                     "</template></div>", page_html)
    return _LOADER.sub("", page_html)


def slim(svg: str) -> str:
    """Mermaid's SVG without what draws nothing: arrowhead markers no line uses, rules of its
    stylesheet for classes it does not contain (primer/unused_css.py) and data-* bookkeeping;
    about half its bytes. Coordinates keep every decimal: rounded even to a thousandth of a
    pixel, a label whose baseline sat on a pixel's edge moved by a whole pixel."""
    from .unused_css import SiteVocabulary, prune_stylesheet

    svg = _DATA_ATTRIBUTE.sub("", svg)
    svg = _MARKER.sub(lambda m: m.group(0) if f"url(#{m.group(1)})" in svg else "", svg)
    own = SiteVocabulary()
    own.add_html(_STYLE.sub("", svg))
    return _STYLE.sub(lambda m: f"<style>{prune_stylesheet(m.group(1), own, source='a Mermaid SVG')}</style>", svg)


def _versions(lock: Path = PACKAGE_LOCK) -> str:
    """What a drawing depends on besides its text. Mermaid's version comes from the committed
    lock file, not node_modules/, so that a machine without npm finds the same drawings."""
    from material import __version__ as material_version
    try:
        mermaid = json.loads(lock.read_text(encoding="utf-8"))["packages"]["node_modules/mermaid"]["version"]
    except (OSError, ValueError, KeyError) as error:
        raise DiagramError(f"{lock}: no Mermaid version to key the drawings by ({error!r})") from None
    return f"mermaid {mermaid}; mkdocs-material {material_version}; slim {SLIM_VERSION}"


@dataclass
class Drawings:
    """The committed drawings, one SVG per diagram text (and versions), written whole or not at all."""
    directory: Path = DRAWINGS_DIR
    versions: str = field(default_factory=_versions)

    def name(self, source: str) -> str:
        return hashlib.sha256(f"{self.versions}\n{source}".encode()).hexdigest() + ".svg"

    def get(self, source: str) -> str | None:
        path = self.directory / self.name(source)
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def put(self, source: str, svg: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.directory, delete=False,
                                         suffix=".tmp") as temporary:
            temporary.write(svg)
        os.replace(temporary.name, self.directory / self.name(source))

    def remove_unused(self, used: set[str]) -> list[str]:
        """Delete the drawings whose diagram no page has any more; their names."""
        gone = sorted(path.name for path in self.directory.glob("*.svg") if path.name not in used)
        for name in gone:
            (self.directory / name).unlink(missing_ok=True)
        return gone


def _page_name(site_dir: Path, path: str, markdown_of: dict[str, str]) -> str:
    return markdown_of.get(path) or Path(path).relative_to(site_dir).as_posix()


def draw_page(page, url: str, name: str, page_sources: list[str]) -> list[str]:
    """The theme's SVGs for one page's diagrams, in a page of a context set up by watch_the_theme;
    DiagramError if it cannot draw them. A load that
    Chromium aborted for a network change (it does so whenever an interface comes or goes, as
    Docker's do) raises _NetworkChanged, to be made again."""
    from playwright.sync_api import Error as PlaywrightError

    network_changes: list[str] = []

    def note_network_change(request) -> None:
        if NETWORK_CHANGED in (request.failure or ""):
            network_changes.append(request.url)

    page.on("requestfailed", note_network_change)
    try:
        page.goto(url, wait_until="load", timeout=DRAW_TIMEOUT_MS)
        page.wait_for_function(_DRAWN_OR_FAILED, arg=len(page_sources), timeout=DRAW_TIMEOUT_MS)
        errors = page.evaluate("window.__diagramErrors")
    except PlaywrightError as error:
        if network_changes:
            raise _NetworkChanged(network_changes[0]) from None
        raise DiagramError(f"{name}: the theme did not draw its {len(page_sources)} diagram(s) within "
                           f"{DRAW_TIMEOUT_MS / 1000:.0f} s: {error.message.splitlines()[0]}") from None
    if network_changes:
        raise _NetworkChanged(network_changes[0])
    if errors:
        raise DiagramError(f"{name}: Mermaid cannot draw a diagram on this page: {errors[0].strip()}")
    svgs = page.eval_on_selector_all("div.mermaid", "boxes => boxes.map(b => b.shadowRoot.innerHTML)")
    for source, svg in zip(page_sources, svgs, strict=False):  # the theme may draw more than the page's own
        if found := _MERMAID_ERROR.search(svg):
            first_line = source.strip().splitlines()[0] if source.strip() else "(empty)"
            raise DiagramError(f"{name}: Mermaid cannot draw the diagram that starts {first_line!r}: {found.group(0)}")
    return [slim(svg) for svg in svgs[:len(page_sources)]]


def watch_the_theme(context, site_url: str) -> None:
    """Open the theme's shadow roots and record Mermaid's errors in every page of `context`;
    let its pages reach only the site (one that reached for a CDN would hang an offline build)."""
    context.add_init_script(_WATCH_THE_THEME)
    keep_offline(context, lambda url: url.startswith(site_url))


def draw_in_fresh_contexts(browser, site_url: str, url: str, name: str, page_sources: list[str]) -> list[str]:
    """draw_page in a context of its own, made again (primer.browser's one retry) when Chromium
    aborted the load for a network change."""
    def load() -> list[str] | _NetworkChanged:
        context = browser.new_context()
        watch_the_theme(context, site_url)
        try:
            return draw_page(context.new_page(), url, name, page_sources)
        except _NetworkChanged as change:
            return change
        finally:
            context.close()

    drawn = load_again_after_network_change(load, lambda result: isinstance(result, _NetworkChanged),
                                            lambda result: None)
    if isinstance(drawn, _NetworkChanged):
        raise DiagramError(f"{name}: Chromium aborted the page {NETWORK_CHANGED_LOADS} times for a network "
                           f"change ({drawn})")
    return drawn


def _draw_in_browser(site_dir: Path, pages: dict[str, list[str]], markdown_of: dict[str, str]) -> dict[str, list[str]]:
    """{page path: its diagrams' sources} -> {page path: their SVGs}, drawn by the theme."""
    from .site_server import serve_site

    drawn = {}
    with serve_site(site_dir) as site_url, chromium() as browser:
        for path, page_sources in pages.items():
            url = site_url + Path(path).relative_to(site_dir).as_posix().removesuffix("index.html")
            name = _page_name(site_dir, path, markdown_of)
            drawn[path] = draw_in_fresh_contexts(browser, site_url, url, name, page_sources)
    return drawn


@dataclass
class Outcome:
    pages: int = 0
    diagrams: int = 0
    drawn_now: int = 0
    undrawn: list[str] = field(default_factory=list)  # per page: which diagrams have no drawing, and why
    removed: list[str] = field(default_factory=list)  # drawings no page uses any more


def why_it_cannot_draw() -> str:
    """"" where this machine can draw a diagram; else what it lacks, and how to get it."""
    if not MERMAID_JS.is_file():
        return "the pinned Mermaid is not installed (npm ci)"
    if not chromium_available():
        return f"there is no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements.txt)"
    return ""


_TO_DRAW = re.compile(r"""<pre class=["']?mermaid["']?>""")


def as_source_text(page_html: str) -> str:
    """The page with its diagrams left as their text: without a local Mermaid, a `mermaid`
    block would make the theme fetch one from a CDN."""
    return _LOADER.sub("", _TO_DRAW.sub("<pre>", page_html))


def prerender(site_dir: Path, drawings: Drawings | None = None, markdown_of: dict[str, str] | None = None,
              *, remove_unused: bool = True) -> Outcome:
    """Put every built page's drawings into it, drawing the new ones where this machine can (see
    the module's docstring). `markdown_of` maps a built page's path to the Markdown file it came
    from, for messages. With `remove_unused` (a full build), drawings no page uses are deleted."""
    drawings = drawings or Drawings()
    markdown_of = markdown_of or {}
    pages = {}
    for built in sorted(site_dir.rglob("*.html")):
        text = built.read_text(encoding="utf-8")
        if found := sources(text):
            pages[str(built)] = (text, found)
    outcome = Outcome(pages=len(pages), diagrams=sum(len(found) for _, found in pages.values()))
    missing = {path: found for path, (_, found) in pages.items() if any(drawings.get(s) is None for s in found)}
    if missing and not (reason := why_it_cannot_draw()):
        for path, svgs in _draw_in_browser(site_dir, missing, markdown_of).items():
            for source, svg in zip(missing[path], svgs, strict=True):
                drawings.put(source, svg)
                outcome.drawn_now += 1
    elif missing:
        for path, found in missing.items():
            new = [source for source in found if drawings.get(source) is None]
            first = (new[0].strip().splitlines() or ["(empty)"])[0]
            outcome.undrawn.append(
                f"{_page_name(site_dir, path, markdown_of)}: {len(new)} diagram(s) without a drawing in "
                f"diagrams/ (new or changed; the first starts {first!r}), and {reason}. Draw them with "
                f"{DRAW_COMMAND}, then commit the new files in diagrams/")
    for path, (text, found) in pages.items():
        svgs = [drawn for source in found if (drawn := drawings.get(source)) is not None]
        if len(svgs) == len(found):
            Path(path).write_text(with_svgs(text, svgs), encoding="utf-8")
        elif not MERMAID_JS.is_file():
            Path(path).write_text(as_source_text(text), encoding="utf-8")
        # else: the local Mermaid stays on the page, and the reader's browser draws it
    if remove_unused and not outcome.undrawn:
        used = {drawings.name(source) for _, found in pages.values() for source in found}
        outcome.removed = drawings.remove_unused(used)
    return outcome
