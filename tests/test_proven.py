"""primer/proven.py: the page that lists every claim with what the last run found."""
from pathlib import Path

from primer.proven import render_proven

MARKER = "# Proven\n\n<!-- proven: all -->\n"


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "guide").mkdir(parents=True)
    (docs / "ports.md").write_text("<!-- claim: a-b -->\nRedis answers.\n\n<!-- claim: c-d -->\nWeb answers.\n"
                                   "\n<!-- unchecked: docker-desktop -->\nOn a Mac it differs.\n")
    (docs / "guide" / "data.md").write_text("<!-- claim: e-f -->\nData stays.\n")
    (docs / "proven.md").write_text(MARKER)
    return docs


REPORT = {"time": "2026-12-01T10:00:00+0000", "engine": "28.5.2", "containerd": "2.1.9", "buildx": "0.29.1",
          "compose": "2.40.3",
          "claims": {"a-b": {"result": "verified", "time": "2026-12-01T10:00:00+0000", "engine": "28.5.2",
                             "images": {"redis:7": "stand-in"}},
                     "c-d": {"result": "failed", "time": "2026-11-30T09:00:00+0000", "engine": "28.5.1",
                             "images": {"python:3.11-slim": "official"}}}}


def test_every_claim_is_listed_with_its_result_and_linked_to_its_sentence(tmp_path: Path):
    docs = _docs(tmp_path)
    page = render_proven(MARKER, REPORT, docs / "proven.md", docs)
    assert ("Of 3 statements that a test checks, 1 are verified (0 of them, statements about an official image, "
            "on its stand-in only), 1 failed and 1 are not verified.") in page
    assert "| [ports](ports.md) | 2 | 1 | 1 | 0 | 1 |" in page
    assert "| [data](guide/data.md) | 1 | 0 | 0 | 1 | 0 |" in page
    # the run's date, engine and stand-ins are said once; a row from another run says its own
    assert "Each statement below was checked in that run, unless it says otherwise." in page
    assert "(redis:7 in this run)" in page
    # ports has both kinds of images, so each of its statements says which; data has none
    assert "- **✓ verified, images: stand-ins** (1): [a-b](ports.md#claim-a-b)" in page
    assert "- **✗ failed (checked 2026-11-30, engine 28.5.1), images: official** (1): [c-d](ports.md#claim-c-d)" in page
    assert "- **not verified yet** (1): [e-f](guide/data.md#claim-e-f)" in page
    assert "Images:" not in page.split("### data")[1].split("###")[0]
    assert page.index("### data") < page.index("[e-f]") < page.index("### ports") < page.index("[a-b]")


def test_without_a_report_the_page_says_it_has_no_results(tmp_path: Path):
    docs = _docs(tmp_path)
    page = render_proven(MARKER, {}, docs / "proven.md", docs)
    assert "No test report came with this build, so there are no results to list here" in page
    assert "| page |" not in page
