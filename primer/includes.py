"""Which example files the pages include, so that none is left unshown."""
from __future__ import annotations

import re
from pathlib import Path

from . import EXAMPLES_DIR, ROOT

# `--8<-- "examples/x/y.yml"`, optionally with a `:section` or `:lines` suffix
_SNIPPET = re.compile(r'--8<--\s+"(examples/[^":]+)(?::[^"]*)?"')
# Generated or local-only files a page does not need to show.
_NOT_SHOWN = {"__pycache__", ".pytest_cache"}
# The bind-mount tests write `test-<uuid>.txt` into the mounted folder for a moment (a host
# file appearing in the container is the lesson); a build or bundle at that moment skips it.
_TRANSIENT = "test-*.txt"


def is_shown(path: Path) -> bool:
    return not (_NOT_SHOWN & set(path.parts)) and not path.match(_TRANSIENT)


def included_files(markdown: str) -> set[str]:
    return {match.group(1) for match in _SNIPPET.finditer(markdown)}


def example_files() -> set[str]:
    files = set()
    for path in EXAMPLES_DIR.rglob("*"):
        if path.is_file() and is_shown(path):
            files.add(path.relative_to(ROOT).as_posix())
    return files


def unshown_example_files(included: set[str]) -> list[str]:
    return sorted(example_files() - included)
