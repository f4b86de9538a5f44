"""The claim registry: how claims are found on pages and in tests, how a mismatch is reported,
how marks are drawn. That the site's own pages and tests match is the build's gate
(primer/mkdocs_hooks.py: on_pre_build), which every scripts/test runs strictly."""
from pathlib import Path

import pytest

from primer import claims


def test_a_duplicated_claim_id_names_both_places(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("<!-- claim: same-id -->\nOne.\n\n<!-- claim: same-id -->\nTwo.\n")
    with pytest.raises(claims.ClaimError, match=r"page.md:4: claim 'same-id' is already made at .*page.md:1"):
        claims.page_claims(tmp_path)


def test_a_claim_id_that_is_not_kebab_case_is_refused(tmp_path: Path):
    (tmp_path / "page.md").write_text("Text.\n<!-- claim: Not_Kebab -->\nStatement.\n")
    with pytest.raises(claims.ClaimError, match=r"page.md:2: claim id 'Not_Kebab' is not kebab-case"):
        claims.page_claims(tmp_path)


VERIFIED = {"claims": {"a-b": {"result": "verified", "time": "2026-11-24T10:00:00+0000",
                               "engine": "20.10.24", "images": {"redis:7": "stand-in"}}}}


def test_a_verified_claim_mark_lands_inside_its_paragraph():
    html = claims.render_claim_marks("<!-- claim: a-b -->\nRedis answers.\n", VERIFIED)
    assert html.startswith('<span class="claim-mark claim-mark--verified"')
    assert html.endswith("</span> Redis answers.\n")
    assert ('>✓ verified<span class="claim-mark__details">'
            "checked 2026-11-24 · engine 20.10.24 · ") in html
    assert "stand-in images</span></span>" in html  # which ones: the example's own mark names them


def test_a_claim_before_a_list_item_is_marked_inside_the_item():
    html = claims.render_claim_marks("- first\n<!-- claim: a-b -->\n- second\n", VERIFIED)
    assert html.splitlines()[1].startswith('- <span class="claim-mark')
    assert html.splitlines()[1].endswith("</span> second")


def test_without_a_report_no_claim_is_marked():
    markdown = "Intro.\n\n<!-- claim: a-b -->\nRedis answers.\n\n- one\n<!-- claim: c-d -->\n- two\n"
    assert claims.render_claim_marks(markdown, {}) == "Intro.\n\nRedis answers.\n\n- one\n- two\n"


def test_with_a_report_a_claim_it_lacks_is_not_verified_yet():
    html = claims.render_claim_marks("<!-- claim: e-f -->\nRedis answers.\n", VERIFIED)
    assert "claim-mark--unverified" in html and "not verified yet" in html


def test_a_claim_skipped_for_a_missing_image_says_so():
    report = {"claims": {"a-b": {"result": "skipped", "reason": "image unavailable offline: mongo:7 (no stand-in)"}}}
    html = claims.render_claim_marks("<!-- claim: a-b -->\nMongo answers.\n", report)
    assert "not verified: image unavailable offline: mongo:7" in html


def test_a_test_naming_a_claim_no_page_makes_is_reported_with_its_location(tmp_path: Path):
    test_file = tmp_path / "test_x.py"
    test_file.write_text('import pytest\n\n@pytest.mark.claim("ghost-claim")\ndef test_x():\n    pass\n')
    problems = claims.consistency_problems({}, claims.tested_claims(tmp_path))
    assert problems == [f"{test_file}:3: test {test_file}::test_x names claim 'ghost-claim', which no page "
                        "makes (add <!-- claim: ghost-claim --> before the statement)"]


def test_a_claim_about_an_official_image_run_on_its_stand_in_never_reads_verified():
    from primer.claims import mark_html

    html = mark_html({"result": "verified", "time": "2026-12-01T10:00:00", "engine": "28.5.2",
                      "stand_in_for": {"postgres:15": "debian bookworm package postgresql-15"}}, claim_id="x")
    word = html.split("<span class=\"claim-mark__details\">")[0].rsplit(">", 1)[1]  # what the reader sees
    assert word == "✓ on a stand-in", html
    assert "checked on a stand-in for postgres:15, built from debian bookworm package postgresql-15" in html
