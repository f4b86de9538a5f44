"""The primer's model of itself: its examples, the images they need, its claims.

Plain modules, importable by the MkDocs hooks, the tests and the scripts alike,
so that none of them carries its own reader of compose files.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "examples"
DOCS_DIR = ROOT / "docs"
TESTS_DIR = ROOT / "tests"
REPORTS_DIR = ROOT / "reports"
COMPOSE_FILE_NAME = "docker-compose.yml"
