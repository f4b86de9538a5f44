"""The whole doc-example suite three times in a row leaves the engine's networks as it found
them (leaked networks exhaust Docker's address pool after about 30)."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from primer import ROOT
from primer.stacks import PROJECT_LABEL, session_of_project
from tests.reliability.sessions import NONE_LEFT, leftovers, session_env, sweeps_lock

pytestmark = [pytest.mark.docker, pytest.mark.slow]
RUNS = 3


def _networks_outside_other_projects(client, ours: set[str]) -> list[str]:
    """Every network on the engine, except those of Compose projects other than the runs we
    started: other test sessions (the other xdist worker, other people's runs) and other
    people's stacks (`docker compose up` in the repo) come and go on a shared engine meanwhile."""
    names = []
    for network in client.networks.list():
        project = (network.attrs.get("Labels") or {}).get(PROJECT_LABEL)
        if project is None or session_of_project(project) in ours:
            names.append(network.name)
    return sorted(names)


def test_the_example_suite_three_times_leaves_the_network_count_where_it_started(tmp_path, docker_client):
    sessions: set[str] = set()
    before = _networks_outside_other_projects(docker_client, sessions)
    durations = []
    with sweeps_lock(exclusive=False):
        for run in range(RUNS):
            probe = tmp_path / f"run-{run}"
            started = time.monotonic()
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "tests/examples", "-q", "-p", "no:cacheprovider",
                 "-p", "tests.reliability.probe", "-p", "no:tests.claims_report"],  # reports/ untouched
                cwd=ROOT, capture_output=True, text=True, timeout=900,
                env=session_env(PRIMER_PROBE_FILE=str(probe), PRIMER_EXAMPLES_DIR=None))
            durations.append(time.monotonic() - started)
            assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
            sessions.add(probe.read_text().strip())
    after = _networks_outside_other_projects(docker_client, sessions)
    assert len(sessions) == RUNS
    assert len(after) == len(before), f"networks before: {before}\nafter: {after}"  # the count, as asked
    assert after == before
    for session in sessions:
        assert leftovers(docker_client, session) == NONE_LEFT
    print(f"{RUNS} runs of tests/examples: " + ", ".join(f"{d:.0f}s" for d in durations))
