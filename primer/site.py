"""Building the site: the one launcher of `mkdocs build`, for the test command, the browser
tests and the bench alike."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from . import ROOT

BUILD_TIMEOUT_S = 300
SITE_DIR = ROOT / "site"


class SiteBuildError(RuntimeError):
    """`mkdocs build --strict` failed; the message carries its output."""


def build_site(site_dir: Path = SITE_DIR, *, root: Path = ROOT, strict: bool = True,
               timeout: float = BUILD_TIMEOUT_S, env: dict[str, str] | None = None) -> str:
    """Build the site of `root` (its mkdocs.yml) into `site_dir`; its log, or SiteBuildError."""
    command = [sys.executable, "-m", "mkdocs", "build", *(["--strict"] if strict else []),
               "--site-dir", str(site_dir)]
    # NO_MKDOCS_2_WARNING: Material's banner about MkDocs 2.0, printed on every build.
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    try:
        proc = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout,
                              env=environment, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SiteBuildError(f"`mkdocs build` in {root} did not end within {timeout:g} s") from None
    log = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        raise SiteBuildError(f"`{' '.join(command[2:])}` failed in {root} (exit {proc.returncode}):\n{log}")
    return log
