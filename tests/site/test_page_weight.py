"""No page of the built site asks a reader's browser for more than PAGE_BUDGET_KB on a first
visit: its HTML and every stylesheet, script and icon it links (the search index, fetched by
the search box's worker once the page is up, apart). The bench measures the same in Chromium
(scripts/bench, "What a page weighs" on how-fast.md); this keeps each change within budget.

The budget holds because the build draws diagrams itself instead of shipping Mermaid
(primer/diagrams.py) and drops the theme's unused CSS (primer/unused_css.py). A page that
outgrows it is usually a page that shows too much code at once: split it.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.site import pages

PAGE_BUDGET_KB = 300
_LINKED = re.compile(r"""<(?:link\b[^>]*\brel=["']?(?:stylesheet|icon)\b[^>]*\bhref|script\b[^>]*\bsrc)=["']?([^"'\s>]+)""")


def first_load(built_site: Path, path: str) -> dict[str, int]:
    """{site path: bytes} of the page and everything it links, read from the built files."""
    page_file = built_site / (path if path.endswith(".html") else path + "index.html")
    html = page_file.read_text(encoding="utf-8")
    loads = {path or "index.html": len(html.encode())}
    for link in _LINKED.findall(html):
        target = urlsplit(urljoin("/" + path, link))
        if target.netloc:  # another site: test_pages fails a page that reaches for one
            continue
        asset = built_site / target.path.lstrip("/")
        assert asset.is_file(), f"{path or 'index'}: links {link}, which the build did not make"
        loads[target.path] = asset.stat().st_size
    return loads


@pytest.mark.parametrize("path", pages.page_urls(), ids=lambda p: p or "index")
def test_a_first_visit_stays_within_the_page_budget(built_site: Path, path: str):
    loads = first_load(built_site, path)
    total_kb = sum(loads.values()) / 1000
    heaviest = ", ".join(f"{name} {size / 1000:.1f} KB" for name, size in sorted(loads.items(), key=lambda i: -i[1])[:4])
    assert total_kb <= PAGE_BUDGET_KB, (f"{path or 'index'}: a first visit loads {total_kb:.1f} KB, over the "
                                        f"{PAGE_BUDGET_KB} KB budget ({heaviest})")
