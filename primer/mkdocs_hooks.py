"""MkDocs hooks: thin adapters over the primer package; each raises on bad input."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.exceptions import PluginError  # noqa: E402

from primer import includes  # noqa: E402

_included: set[str] = set()


# Start each build with an empty record of included example files.
def on_pre_build(config, **kwargs):
    _included.clear()


# Record which example files each page includes.
def on_page_markdown(markdown, page, config, files, **kwargs):
    _included.update(includes.included_files(markdown))
    return markdown


# Every file in examples/ must be shown by some page: the site is where learners copy from.
def on_post_build(config, **kwargs):
    missing = includes.unshown_example_files(_included)
    if missing:
        raise PluginError("example files included by no page (add a --8<-- include): " + ", ".join(missing))
