"""The site the test command leaves in site/ is the proven one: every claim's mark on it is the
one this run's report holds, and in CI (a fresh clone, where every mark comes from this run)
each names the engine the run used."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from primer import claims
from tests.harness import in_ci
from tests.site.pages import url_of

MARK = re.compile(r"""<span class=["']?claim-mark claim-mark--(?P<kind>\w+)["']? id=["']?claim-(?P<id>[a-z0-9-]+)["']?[^>]*>"""
                  r"""(?P<text>[^<]*)<span class=["']?claim-mark__details["']?>(?P<details>[^<]*)</span></span>""")
KIND_OF = {"verified": "verified", "failed": "failed"}  # anything else shows as unverified


def _marks(built_site: Path) -> dict[str, tuple[str, str, str]]:
    """claim id -> (page, mark kind, mark text) as the built site shows it."""
    found = {}
    for page in built_site.rglob("*.html"):
        for mark in MARK.finditer(page.read_text(encoding="utf-8")):
            found[mark["id"]] = (page.relative_to(built_site).as_posix(), mark["kind"],
                                 html.unescape(mark["text"] + " · " + mark["details"]))  # the separator is CSS
    return found


def _report_or_skip() -> dict:
    """This run's report; in CI, where the proofs ran just before, its absence is an error."""
    report = claims.read_report()
    if not report:
        if in_ci():
            pytest.fail("CI=true: no reports/claims.json, though the proofs run before the site is built")
        pytest.skip("no test report: the build shows no marks (tests/site/test_other_builds.py covers that build)")
    return report


def test_every_claim_on_the_built_site_shows_what_the_report_holds(built_site: Path):
    report = _report_or_skip()
    shown = _marks(built_site)
    for claim_id, where in claims.page_claims().items():
        expected_page = url_of(where.path) + "index.html"
        assert claim_id in shown, f"{where}: claim {claim_id} has no mark on the built site"
        page, kind, text = shown[claim_id]
        assert page == expected_page, f"{where}: the mark of {claim_id} is on {page}"
        entry = report["claims"].get(claim_id)
        assert kind == KIND_OF.get((entry or {}).get("result"), "unverified"), f"{where}: {claim_id}: {kind} vs {entry}"
        if entry and entry.get("result") == "verified":
            assert f"checked {entry['time'][:10]} · engine {entry['engine']}" in text, f"{where}: {claim_id}: {text!r}"
            for image in entry.get("stand_in_for", {}):  # about an official image, run on its stand-in
                assert text.startswith("✓ on a stand-in") and f"checked on a stand-in for {image}" in text, \
                    f"{where}: {claim_id} reads as verified on {image} itself: {text!r}"


def test_in_ci_every_mark_names_this_runs_engine(built_site: Path, docker_client):
    if not in_ci():
        pytest.skip("outside CI the report may keep older runs' entries (scripts/test -k ... updates some)")
    engine = docker_client.version()["Version"]
    shown = _marks(built_site)
    unproven = {claim_id: text for claim_id, (_, kind, text) in shown.items()
                if kind != "verified" or f"engine {engine}" not in text}
    assert not unproven, f"marks not verified on engine {engine} in this run: {unproven}"
    assert len(shown) == len(claims.page_claims())


def test_the_proven_page_lists_every_claim_with_what_the_report_holds(built_site: Path):
    report = _report_or_skip()
    page = (built_site / "proven" / "index.html").read_text(encoding="utf-8")
    for claim_id, where in claims.page_claims().items():
        link = f"../{url_of(where.path)}#claim-{claim_id}"
        assert re.search(rf"""href=["']?{re.escape(link)}["']?>{re.escape(claim_id)}</a>""", page), \
            f"the proven page does not link {claim_id} to {link}"
    verified = sum(report["claims"].get(claim_id, {}).get("result") == "verified" for claim_id in claims.page_claims())
    assert f"{verified} are verified" in page
