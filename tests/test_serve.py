"""`scripts/serve`, as a maintainer uses it: the site live, rebuilt when a page or an example
file it includes changes. Run in a copy of the project (tests/project_copy.py), whose files
the test may edit."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

from primer.stacks import free_port
from tests.project_copy import copy_project

START_TIMEOUT_S = 120  # a first start may build .venv (scripts/lib/venv.sh), then the site
REBUILD_TIMEOUT_S = 30


def _page(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.read().decode()
    except OSError:
        return None


def _wait_for(url: str, text: str, timeout: float, serve: subprocess.Popen, log: Path) -> float:
    """Seconds until the page at `url` holds `text`; fails with serve's log after `timeout`."""
    started = time.monotonic()
    while text not in (_page(url) or ""):
        if serve.poll() is not None or time.monotonic() - started > timeout:
            raise AssertionError(f"{url} did not show {text!r} within {timeout} s "
                                 f"(scripts/serve {'exited ' + str(serve.returncode) if serve.poll() is not None else 'runs'}):\n"
                                 + log.read_text()[-3000:])
        time.sleep(0.2)
    return time.monotonic() - started


def test_scripts_serve_rebuilds_the_page_when_an_example_file_changes(tmp_path):
    project = copy_project(tmp_path / "project", with_node_modules=True)
    port = free_port()
    log = tmp_path / "serve.log"
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PRIMER_BUILT_SITE")}
    env["PRIMER_ADDR"] = f"127.0.0.1:{port}"
    with open(log, "w") as output:
        serve = subprocess.Popen(["bash", "scripts/serve"], cwd=project, env=env, stdin=subprocess.DEVNULL,
                                 stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/ports/"
        _wait_for(url, "publish-vs-expose", START_TIMEOUT_S, serve, log)
        example = project / "examples" / "publish-vs-expose" / "docker-compose.yml"
        token = f"edited-{uuid.uuid4().hex[:8]}"
        example.write_text(example.read_text(encoding="utf-8") + f"# {token}\n", encoding="utf-8")
        _wait_for(url, token, REBUILD_TIMEOUT_S, serve, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait(timeout=30)
