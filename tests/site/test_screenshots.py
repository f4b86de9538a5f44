"""Screenshots of the key pages, light and dark, for a person to look at: reports/screenshots/."""
from __future__ import annotations

import pytest

from tests.site.conftest import SCREENSHOTS_DIR

pytestmark = pytest.mark.browser

KEY_PAGES = ["", "networking/", "ports/", "assignment-design/"]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("path", KEY_PAGES, ids=lambda p: p.strip("/") or "index")
def test_key_page_screenshot(open_page, path: str, color_scheme: str):
    page, visit = open_page(path, color_scheme=color_scheme, viewport={"width": 1280, "height": 900})
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS_DIR / f"{path.strip('/') or 'index'}-{color_scheme}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000, f"{target} looks empty"
    assert not visit.problems(), "\n".join(visit.problems())
