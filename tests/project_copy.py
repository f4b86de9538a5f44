"""A copy of the project for tests that build the site as somebody else would: a fresh
clone with no test report, or a machine with no npm.

Real copies, not links: primer/ finds the project's root from its own path, and a build
writes drawings into diagrams/, so a link would let the copy's build change the real one."""
from __future__ import annotations

import shutil
from pathlib import Path

from primer import ROOT

# What a clone holds and a build reads; not .venv, node_modules, reports/ or site/.
PARTS = ["docs", "examples", "overrides", "primer", "scripts", "tests", "diagrams", "mkdocs.yml",
         "package.json", "package-lock.json", "requirements.txt", "requirements", "docker-compose.yml"]


def copy_project(destination: Path, *, with_node_modules: bool = False) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=ignore, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, destination / part)
    if with_node_modules and (ROOT / "node_modules").exists():
        (destination / "node_modules").symlink_to((ROOT / "node_modules").resolve())
    return destination
