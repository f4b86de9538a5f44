"""Every page of the built site, in both colour schemes: it loads with no console error and no
failed request, makes no request that leaves 127.0.0.1, and axe-core finds no serious or
critical accessibility violation (named theme exceptions: tests/site/axe.py).

One load serves both checks: a page load is most of a browser test's cost.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.site import axe, pages

pytestmark = pytest.mark.browser


def test_every_built_page_is_tested(built_site: Path):
    built = {str(p.parent.relative_to(built_site)) for p in built_site.rglob("index.html")}
    built = {"" if b == "." else f"{b}/" for b in built}
    untested = sorted(built - set(pages.page_urls()))
    assert not untested, f"built pages no browser test visits (tests/site/pages.py): {untested}"


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("path", pages.page_urls(), ids=lambda p: p or "index")
def test_page_loads_cleanly_offline_and_accessibly(open_page, path: str, color_scheme: str):
    page, visit = open_page(path, color_scheme=color_scheme)
    assert page.locator("h1").first.is_visible(), f"{path}: no visible <h1>"
    assert len(visit.requests) > 1, f"{path}: the page loaded no assets at all? {visit.requests}"
    version, violations = axe.blocking_violations(page)
    failures = visit.problems() + [f"axe {version}: {v}" for v in violations]
    assert not failures, f"{path} ({color_scheme}):\n" + "\n".join(failures)
