"""Plain `docker` commands, typed as a page shows them, for the tests that do not go through
Compose (`docker run`, `tag`, `push`, `ps -a`...). What they create carries the label that
`docker_names` gives (tests/harness.py), so that it is removed after the test."""
from __future__ import annotations

import subprocess


def docker(*args: str, input_text: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, input=input_text)


def run_output(image: str, *args: str) -> str:
    """`docker run --rm IMAGE ARGS`, which must succeed: what it printed."""
    proc = docker("run", "--rm", image, *args, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def label_args(labels: dict[str, str]) -> list[str]:
    return [arg for key, value in labels.items() for arg in ("--label", f"{key}={value}")]
