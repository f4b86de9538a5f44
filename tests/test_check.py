"""scripts/check: a page's claims on the reader's engine, one line each, the site's reports untouched."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from primer import REPORTS_DIR, ROOT, check
from primer.claims import claims_in_markdown

pytestmark = pytest.mark.docker


def test_check_ports_prints_one_line_per_claim_and_leaves_the_reports_alone():
    page = ROOT / "docs" / "ports.md"
    claims = claims_in_markdown(page.read_text(encoding="utf-8"), page)
    report = REPORTS_DIR / "claims.json"
    before = report.stat().st_mtime_ns if report.exists() else None
    proc = subprocess.run([sys.executable, "-m", "primer.check", "ports"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "PRIMER_WORKERS": "2"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "ports:" and lines[-1] == f"{len(claims)} of {len(claims)} statements hold on this machine's Docker engine."
    assert len([line for line in lines if line.startswith("  ✓ ")]) == len(claims), proc.stdout
    assert (report.stat().st_mtime_ns if report.exists() else None) == before, "scripts/check rewrote the site's report"


def test_check_says_plainly_when_no_engine_answers(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "primer.check", "ports"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert proc.returncode == check.NO_ENGINE_EXIT
    assert proc.stderr.startswith(f"No Docker engine answers at unix://{tmp_path}/none.sock."), proc.stderr


def test_check_names_the_pages_it_knows_when_given_another(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "primer.check", "no-such-page"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0 and "no page 'no-such-page' with claims (pages: " in proc.stderr, proc.stderr


def test_a_failed_test_is_reported_with_what_it_saw(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuites><testsuite><testcase classname="tests.examples.test_ports" name="test_a">'
                     '<failure message="AssertionError: expected PONG, got Connection refused">trace</failure>'
                     '</testcase><testcase classname="tests.examples.test_ports" name="test_b"/></testsuite></testsuites>')
    assert check._failures(junit) == {
        "tests/examples/test_ports.py::test_a": "failure: AssertionError: expected PONG, got Connection refused"}
