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

from primer import ROOT, bundles, captures, claims, diagrams, includes, markers, unused_css  # noqa: E402
from primer.examples import InvalidExample  # noqa: E402

MERMAID_DIST, MERMAID_JS = diagrams.MERMAID_DIST, diagrams.MERMAID_JS
MERMAID_URL = "assets/javascripts/mermaid/"
# Browsers run a module only if it is served as JavaScript; `mkdocs serve` guesses types with
# mimetypes, which knows .mjs only where the system's mime.types lists it.
mimetypes.add_type("text/javascript", ".mjs")

log = logging.getLogger("mkdocs.hooks.primer")
_included: set[str] = set()
_markdown_of: dict[str, str] = {}  # built page -> docs/ file, to name it in an error
_report: dict = {}
_dirty = False  # `mkdocs serve --dirty` builds only changed pages: no drawing counts as unused then


def on_startup(command, dirty, **kwargs):
    global _dirty
    _dirty = dirty

_captures: dict = {}


# Fail early when a page's claim has no test or a test names a claim no page makes;
# then load the last test report (none: no marks, and one notice on every page that says so).
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
    config.extra["primer_no_report"] = not _report  # overrides/main.html's notice


# Serve the local Mermaid with the site (mkdocs serve included), and each example's folder as a zip.
def on_files(files, config, **kwargs):
    for slug, content in bundles.example_zips().items():
        files.append(File.generated(config, bundles.bundle_uri(slug), content=content))
    if MERMAID_JS.is_file():
        for module in [MERMAID_JS, *sorted((MERMAID_DIST / "chunks" / "mermaid.esm.min").glob("*.mjs"))]:
            uri = MERMAID_URL + module.relative_to(MERMAID_DIST).as_posix()
            files.append(File.generated(config, uri, abs_src_path=str(module)))
    return files


# Fill in the page's markers (primer.markers: claims, captured output, topologies, the bench),
# and record the example files it includes.
def on_page_markdown(markdown, page, config, files, **kwargs):
    source = Path(page.file.abs_src_path).relative_to(ROOT).as_posix()
    _markdown_of[page.file.abs_dest_path] = source
    _included.update(includes.included_files(markdown))
    try:
        markdown = markers.render(markdown, source=source, page_src_uri=page.file.src_uri,
                                  report=_report, captures=_captures, page_path=Path(page.file.abs_src_path))
    except markers.MarkerError as error:
        raise PluginError(str(error)) from None
    except InvalidExample as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
    if "```mermaid" in markdown and MERMAID_JS.is_file():
        # overrides/main.html loads Mermaid on this page only; where the build draws its diagrams
        # (primer/diagrams.py), the loader goes again. Without a local Mermaid an undrawn diagram
        # stays text: the theme must never fetch one from a CDN.
        page.meta["mermaid"] = True
    return markdown


# Every file in examples/ must be shown by some page: the site is where learners copy from.
def on_post_build(config, **kwargs):
    missing = includes.unshown_example_files(_included)
    if missing:
        raise PluginError("example files included by no page (add a --8<-- include): " + ", ".join(missing))
    try:
        drawn = diagrams.prerender(Path(config.site_dir), markdown_of=_markdown_of, remove_unused=not _dirty)
    except diagrams.DiagramError as error:
        raise PluginError(str(error)) from None
    for message in drawn.undrawn:
        log.warning(message)  # a strict build fails here
    if drawn.diagrams and not drawn.undrawn:
        log.info("%d diagram(s) on %d page(s) drawn into the pages (%d drawn now, the rest from diagrams/)",
                 drawn.diagrams, drawn.pages, drawn.drawn_now)
    if drawn.removed:
        log.info("removed %d drawing(s) no page uses any more from diagrams/: %s",
                 len(drawn.removed), ", ".join(drawn.removed))
    try:
        sizes = unused_css.prune_theme_stylesheets(Path(config.site_dir), config.theme.dirs)
    except unused_css.UnusedCssError as error:
        raise PluginError(str(error)) from None
    for path, (before, after) in sizes.items():
        log.info("%s: %.1f KB -> %.1f KB (rules no page can use dropped)", path, before / 1000, after / 1000)
