"""MkDocs hooks: thin adapters over the primer package; each raises on bad input.

The logic lives in plain modules (primer.claims, primer.includes) so that it survives a
move to a generator that runs no MkDocs hooks.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.exceptions import PluginError  # noqa: E402

from primer import claims, includes  # noqa: E402

_included: set[str] = set()
_report: dict = {}


# Fail early when a page's claim has no test or a test names a claim no page makes;
# then load the last test report (none: every mark says "not verified yet").
def on_pre_build(config, **kwargs):
    _included.clear()
    try:
        claims.check_consistency()
        _report.clear()
        _report.update(claims.read_report())
    except claims.ClaimError as error:
        raise PluginError(str(error)) from None


# Record which example files each page includes, and draw the claim and example marks.
def on_page_markdown(markdown, page, config, files, **kwargs):
    _included.update(includes.included_files(markdown))
    markdown = claims.render_example_marks(markdown, _report)
    return claims.render_claim_marks(markdown, _report)


# Every file in examples/ must be shown by some page: the site is where learners copy from.
def on_post_build(config, **kwargs):
    missing = includes.unshown_example_files(_included)
    if missing:
        raise PluginError("example files included by no page (add a --8<-- include): " + ", ".join(missing))
