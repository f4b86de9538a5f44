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
                          text=True, timeout=check.RUN_TIMEOUT_S + 180, env={**os.environ, "PRIMER_WORKERS": "2"})
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


def test_every_case_of_a_claims_tests_must_run_and_pass(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite>'
        '<testcase classname="tests.examples.test_ports" name="test_a">'
        '<failure message="AssertionError: expected PONG, got Connection refused">trace</failure></testcase>'
        '<testcase classname="tests.examples.test_ports" name="test_b"/>'
        '<testcase classname="tests.examples.test_db" name="test_c[postgres]"/>'
        '<testcase classname="tests.examples.test_db" name="test_c[redis]"><skipped message="no image"/></testcase>'
        '<testcase classname="tests.examples.test_db.TestThing" name="test_d"/>'
        '</testsuite></testsuites>')
    seen = check.outcomes(junit)
    assert seen["tests/examples/test_ports.py::test_a"] == ["failure: AssertionError: expected PONG, got Connection refused"]
    assert seen["tests/examples/test_db.py::test_c"] == ["passed", "skipped: no image"]
    assert seen["tests/examples/test_db.py::TestThing::test_d"] == ["passed"]
    assert check.verdict(["tests/examples/test_ports.py::test_b"], seen) is None
    assert check.verdict(["tests/examples/test_ports.py::test_b", "tests/examples/test_ports.py::test_a"],
                         seen).startswith("failure: AssertionError")
    assert check.verdict(["tests/examples/test_db.py::test_c"], seen) == "skipped: no image"  # one case of two
    assert check.verdict(["tests/examples/test_ports.py::test_z"], seen) == "tests/examples/test_ports.py::test_z did not run"
    assert check.verdict([], seen) == "no test proves this claim"
