"""axe-core for the browser tests: every page in both colour schemes has no serious or critical
violation (tests/site/test_pages.py), apart from the named theme exceptions below.

axe-core comes bundled in the pinned PyPI package axe-playwright-python (its axe.min.js), so
the check needs no npm and no network. We inject it ourselves and read the raw results.
"""
from __future__ import annotations

from axe_playwright_python.base import AXE_FILE_PATH

BLOCKING_IMPACTS = {"serious", "critical"}

# Rules the theme itself owns (Material's templates, not our pages), each with why.
# An entry names the rule and the CSS selectors of the only nodes it may excuse.
THEME_EXCEPTIONS: dict[str, tuple[str, ...]] = {
    # Material's search overlay (partials/search.html) is a role="dialog" with no name; an
    # override of the whole partial could add aria-label="Search", at the price of copying a
    # theme template that then drifts from the theme.
    "aria-dialog-name": (".md-search",),
}

_AXE_SOURCE = AXE_FILE_PATH.read_text(encoding="utf-8")


# The rules whose outcome depends on colours: all a change of colour scheme can change, since
# the page's elements stay the same.
COLOUR_RULES = ("color-contrast", "link-in-text-block")


def run_axe(page, rules: tuple[str, ...] = ()) -> dict:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(_AXE_SOURCE)
    only = f", runOnly: {{type: 'rule', values: {list(rules)!r}}}" if rules else ""
    return page.evaluate(f"axe.run(document, {{resultTypes: ['violations']{only}}})")


def _excused(rule: str, node: dict) -> bool:
    return any(" ".join(map(str, node["target"])).startswith(sel) for sel in THEME_EXCEPTIONS.get(rule, ()))


def blocking_violations(page, rules: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """axe's version, and one line per serious or critical violation not excused above
    (of these rules only, when named)."""
    results = run_axe(page, rules)
    blocking = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        for node in violation["nodes"]:
            if not _excused(violation["id"], node):
                blocking.append(f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                                f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}\n"
                                f"    {node.get('failureSummary', '')}")
    return results["testEngine"]["version"], blocking
