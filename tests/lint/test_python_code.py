"""The project's own Python is linted (ruff) and type-checked (mypy) with the configuration in
pyproject.toml, as part of the test command: a problem fails the run and is listed."""
from __future__ import annotations

import subprocess
import sys

from primer import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing_in_primer_and_tests():
    proc = _run("ruff", "check", "--no-cache", "primer", "tests")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_finds_nothing_in_primer():
    proc = _run("mypy")  # the files and settings: [tool.mypy] in pyproject.toml
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("Success: no issues found"), proc.stdout
