"""Helpers of the reliability tests: start a pytest session of our own on a scenario, find what
that session left on the engine.

A started session is a real, separate test session: it picks its own session id, holds its own
lock file and runs the harness's sweeps, exactly like a user's `pytest` would.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker

from primer import ROOT
from primer.stacks import PROJECT_LABEL, PROJECT_PREFIX, lock_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
SESSION_TIMEOUT_S = 180
# What an outer pytest (or one of its xdist workers) puts in the environment; a session we start
# must not inherit it, or it would take itself for a worker of the outer session.
_INHERITED = ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID",
              "PRIMER_TEST_SESSION", "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS")


@dataclass
class Session:
    """One pytest session started by a reliability test."""
    process: subprocess.Popen
    probe: Path  # the session id appears here once the session has started
    markers: Path  # marker files the scenario writes (see scenarios/scenario_stacks.py)

    @property
    def id(self) -> str | None:
        if not self.probe.exists():
            return None
        return self.probe.read_text().strip() or None

    def finish(self, timeout: float = SESSION_TIMEOUT_S) -> tuple[int, str]:
        output, _ = self.process.communicate(timeout=timeout)
        return self.process.returncode, output

    def kill(self) -> None:
        """Kill the whole process group if still running (a test's cleanup), and close the pipe."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, 9)
        if self.process.stdout and not self.process.stdout.closed:
            self.process.communicate(timeout=60)


def session_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _INHERITED}
    env["PRIMER_EXAMPLES_DIR"] = str(FIXTURES)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def start_session(tmp_path: Path, *pytest_args: str, slug: str = "", up_timeout: float = 60,
                  env: dict[str, str | None] | None = None, name: str = "session",
                  claims_report: bool = False) -> Session:
    """Start `python -m pytest <args>` in a new process group; stdout and stderr are one stream.

    Scenario sessions prove no claim: they do not touch reports/claims.json unless asked to."""
    folder = tmp_path / name
    folder.mkdir()
    probe = folder / "session-id"
    overrides = {"PRIMER_PROBE_FILE": str(probe), "PRIMER_SCENARIO_SLUG": slug,
                 "PRIMER_SCENARIO_UP_TIMEOUT": str(up_timeout), "PRIMER_SCENARIO_DIR": str(folder),
                 **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.reliability.probe",
         "-rA", "--color=no", *([] if claims_report else ["-p", "no:tests.claims_report"]), *pytest_args],
        cwd=ROOT, env=session_env(**overrides), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    return Session(process, probe, folder)


def scenario(test_name: str) -> str:
    return f"{SCENARIOS / 'scenario_stacks.py'}::{test_name}"


def run_session(tmp_path: Path, *pytest_args: str, timeout: float = SESSION_TIMEOUT_S, **kwargs) -> tuple[int, str, str | None]:
    """Run a session to its end: (exit code, output, session id)."""
    session = start_session(tmp_path, *pytest_args, **kwargs)
    try:
        code, output = session.finish(timeout)
    finally:
        session.kill()
    return code, output, session.id


def leftovers(client: docker.DockerClient, session_id: str) -> dict[str, list[str]]:
    """Containers, networks and volumes of any project of one session, by kind."""
    prefix = f"{PROJECT_PREFIX}{session_id}-"

    def ours(labels: dict | None) -> bool:
        return (labels or {}).get(PROJECT_LABEL, "").startswith(prefix)

    return {
        # sparse: no inspect per container, which fails when another session removes one meanwhile
        "containers": [c.attrs["Names"][0].lstrip("/") for c in client.containers.list(
            all=True, sparse=True, filters={"label": PROJECT_LABEL}) if ours(c.attrs.get("Labels"))],
        "networks": [n.name for n in client.networks.list(filters={"label": PROJECT_LABEL}) if ours(n.attrs.get("Labels"))],
        "volumes": [v.name for v in client.volumes.list(filters={"label": PROJECT_LABEL}) if ours(v.attrs.get("Labels"))],
    }


NONE_LEFT = {"containers": [], "networks": [], "volumes": []}


@contextlib.contextmanager
def sweeps_lock(*, exclusive: bool) -> Iterator[None]:
    """Every reliability test that starts a session (whose start and end run the sweep) holds this
    shared; the kill -9 test holds it exclusive, so no sweep of ours removes its leftovers before it
    has looked at them. Other people's sessions on the same engine are not covered."""
    with open(lock_path("reliability", "sweeps"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
