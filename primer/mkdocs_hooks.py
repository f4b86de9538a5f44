"""MkDocs hooks: thin adapters over the primer package; each raises on bad input.

The logic lives in plain modules (primer.claims, primer.includes) so that it survives a
move to a generator that runs no MkDocs hooks.
"""
from __future__ import annotations

import logging
import mimetypes
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.exceptions import PluginError  # noqa: E402

from mkdocs.structure.files import File  # noqa: E402

from primer import ROOT, bench, bundles, captures, claims, diagrams, includes, topology, unused_css  # noqa: E402
from primer.examples import InvalidExample  # noqa: E402

# A pinned local Mermaid (npm ci): with it defined, Material never fetches one from a CDN.
# Its ES-module build: a page loads the core and then only the chunks its diagrams need
# (a flowchart: about a quarter of the 3.5 MB single-file build).
MERMAID_DIST = ROOT / "node_modules" / "mermaid" / "dist"
MERMAID_JS = MERMAID_DIST / "mermaid.esm.min.mjs"
MERMAID_URL = "assets/javascripts/mermaid/"
# Browsers run a module only if it is served as JavaScript; `mkdocs serve` guesses types with
# mimetypes, which knows .mjs only where the system's mime.types lists it.
mimetypes.add_type("text/javascript", ".mjs")

log = logging.getLogger("mkdocs.hooks.primer")
_included: set[str] = set()
_markdown_of: dict[str, str] = {}  # built page -> docs/ file, to name it in an error
_report: dict = {}
_captures: dict = {}


# Fail early when a page's claim has no test or a test names a claim no page makes;
# then load the last test report (none: every mark says "not verified yet").
def on_pre_build(config, **kwargs):
    _included.clear()
    try:
        claims.check_consistency()
        _report.clear()
        _report.update(claims.read_report())
        _captures.clear()
        _captures.update(captures.read_captures())
    except (claims.ClaimError, captures.CaptureError) as error:
        raise PluginError(str(error)) from None


# Serve the local Mermaid with the site (mkdocs serve included), and each example's folder as a zip.
def on_files(files, config, **kwargs):
    for slug, content in bundles.example_zips().items():
        files.append(File.generated(config, bundles.bundle_uri(slug), content=content))
    if MERMAID_JS.is_file():
        for module in [MERMAID_JS, *sorted((MERMAID_DIST / "chunks" / "mermaid.esm.min").glob("*.mjs"))]:
            uri = MERMAID_URL + module.relative_to(MERMAID_DIST).as_posix()
            files.append(File.generated(config, uri, abs_src_path=str(module)))
    return files


# Draw topology diagrams from compose files, record included example files, draw the marks.
def on_page_markdown(markdown, page, config, files, **kwargs):
    try:
        markdown = topology.render_topologies(markdown)
    except InvalidExample as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
    _markdown_of[page.file.abs_dest_path] = Path(page.file.abs_src_path).relative_to(ROOT).as_posix()
    if "```mermaid" in markdown:
        if MERMAID_JS.is_file():
            page.meta["mermaid"] = True  # overrides/main.html loads Mermaid on this page only
        else:  # no local Mermaid: show the diagram's text rather than let the theme use a CDN
            markdown = markdown.replace("```mermaid", "```text")
    _included.update(includes.included_files(markdown))
    markdown = bench.render_results(markdown)
    markdown = captures.render_outputs(markdown, _captures)
    markdown = claims.render_example_marks(markdown, _report, page.file.src_uri)
    return claims.render_claim_marks(markdown, _report)


# Every file in examples/ must be shown by some page: the site is where learners copy from.
def on_post_build(config, **kwargs):
    missing = includes.unshown_example_files(_included)
    if missing:
        raise PluginError("example files included by no page (add a --8<-- include): " + ", ".join(missing))
    try:
        drawn = diagrams.prerender(Path(config.site_dir), markdown_of=_markdown_of)
    except diagrams.DiagramError as error:
        raise PluginError(str(error)) from None
    if drawn.left_to_reader:
        log.info("%d diagram(s) left for the reader's browser to draw: %s", drawn.diagrams, drawn.left_to_reader)
    elif drawn.diagrams:
        log.info("%d diagram(s) on %d page(s) drawn into the pages (%d drawn now, the rest from the cache)",
                 drawn.diagrams, drawn.pages, drawn.drawn_now)
    try:
        sizes = unused_css.prune_theme_stylesheets(Path(config.site_dir), config.theme.dirs)
    except unused_css.UnusedCssError as error:
        raise PluginError(str(error)) from None
    for path, (before, after) in sizes.items():
        log.info("%s: %.1f KB -> %.1f KB (rules no page can use dropped)", path, before / 1000, after / 1000)
