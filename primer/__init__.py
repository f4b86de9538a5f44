"""The primer's model of itself: its examples, the images they need, its claims.

Plain modules, importable by the MkDocs hooks, the tests and the scripts alike,
so that none of them carries its own reader of compose files.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# PRIMER_EXAMPLES_DIR: tests of the tooling itself (tests/reliability/) point the harness at
# their own fixture stacks, kept out of examples/ so that no page has to show them.
EXAMPLES_DIR = Path(os.environ.get("PRIMER_EXAMPLES_DIR") or ROOT / "examples").resolve()
DOCS_DIR = ROOT / "docs"
TESTS_DIR = ROOT / "tests"
# PRIMER_REPORTS_DIR: `scripts/check` records its run apart, leaving the site's reports alone.
REPORTS_DIR = Path(os.environ.get("PRIMER_REPORTS_DIR") or ROOT / "reports").resolve()
COMPOSE_FILE_NAME = "docker-compose.yml"
