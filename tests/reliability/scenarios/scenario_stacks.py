"""Scenarios that bring up one fixture stack through the harness; see tests/reliability/."""
import os
import time
import urllib.request
from pathlib import Path

import pytest

from primer.stacks import wait_until

pytestmark = pytest.mark.docker

SLUG = os.environ.get("PRIMER_SCENARIO_SLUG", "")
UP_TIMEOUT = float(os.environ.get("PRIMER_SCENARIO_UP_TIMEOUT", "60"))
MARKERS = Path(os.environ.get("PRIMER_SCENARIO_DIR", "."))


def test_up_then_fail(compose_project):
    compose_project(SLUG, timeout=UP_TIMEOUT)
    raise AssertionError("deliberate failure after up")


def test_up_only(compose_project):
    """Passes when `up` works; used where `up` must fail and the error is the point."""
    compose_project(SLUG, timeout=UP_TIMEOUT)


def test_up_then_hold(compose_project):
    """Brings the stack up, says so with a marker file, then waits to be signalled or killed."""
    project = compose_project(SLUG, timeout=UP_TIMEOUT)
    (MARKERS / "up").write_text(project.name)
    wait_until(lambda: (MARKERS / "release").exists(), timeout=120, interval=0.2,
               message="the outer test to release the stack")


def test_own_the_fixed_port(compose_project):
    """Holds the fixed port for a while and checks that every answer comes from our container."""
    project = compose_project(SLUG, timeout=UP_TIMEOUT)
    own_id = project.container("web").id[:12]
    started = time.time()
    answers = set()

    def ask():
        answers.add(urllib.request.urlopen("http://127.0.0.1:18765/id", timeout=3).read().decode().strip())
        return time.time() - started > 2  # keep asking for two seconds

    wait_until(ask, timeout=30, message="answers on 127.0.0.1:18765 for two seconds")
    ended = time.time()
    (MARKERS / f"{project.name}.interval").write_text(f"{started} {ended}")
    assert answers == {own_id}, f"port 18765 answered for {answers}, our container is {own_id}"


def test_engine_answers(docker_client):
    assert docker_client.ping()


def test_nothing():
    """A session with nothing to do: its start-of-session sweep is what runs."""
