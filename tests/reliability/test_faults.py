"""Faults injected into real test sessions: each test starts a pytest session of its own on a
scenario (tests/reliability/scenarios/) and then inspects the engine with the Docker SDK.
After every fault, nothing of that session may be left: no container, network or volume."""
from __future__ import annotations

import os
import re
import signal
import time

import pytest

from primer.stacks import wait_until
from tests.reliability.sessions import NONE_LEFT, leftovers, run_session, scenario, start_session, sweeps_lock

pytestmark = pytest.mark.docker


def test_a_test_failing_after_up_is_torn_down_and_reports_the_service_logs(tmp_path, docker_client):
    with sweeps_lock(exclusive=False):
        code, output, session = run_session(tmp_path, scenario("test_up_then_fail"), slug="fail-after-up")
    assert code == 1, output
    assert "AssertionError: deliberate failure after up" in output
    assert f"logs of primer-t-{session}-fail-after-up-" in output, output
    assert "reliability-log-marker-7f3a" in output, output  # the service's own log line
    assert leftovers(docker_client, session) == NONE_LEFT


def test_a_healthcheck_that_never_passes_ends_at_the_wait_timeout_and_the_stack_is_removed(tmp_path, docker_client):
    started = time.monotonic()
    with sweeps_lock(exclusive=False):
        code, output, session = run_session(tmp_path, scenario("test_up_only"), slug="never-healthy", up_timeout=5)
    took = time.monotonic() - started
    assert code == 1, output
    assert re.search(r"primer-t-\w+-never-healthy-\w+: not ready after 5s: \S+-web-1 is starting: "
                     r"its healthcheck has not passed yet", output), output
    assert "--- service logs ---" in output, output
    assert took < 60, f"the bounded wait took {took:.0f}s"
    assert leftovers(docker_client, session) == NONE_LEFT


def test_up_failing_on_a_missing_image_is_reported_and_leaves_nothing(tmp_path, docker_client):
    with sweeps_lock(exclusive=False):
        code, output, session = run_session(tmp_path, scenario("test_up_only"), slug="no-such-image", up_timeout=30)
    assert code == 1, output
    assert "no-such-image/docker-compose.yml up --detach --quiet-pull` failed" in output, output
    # Offline, Compose names the service whose pull failed, not the image (see the report);
    # with a registry in reach it says "pull access denied for primer-no-such-image".
    assert ("web Error" in output and "registry-1.docker.io" in output and "no such host" in output
            or "pull access denied for primer-no-such-image" in output), output
    assert leftovers(docker_client, session) == NONE_LEFT


@pytest.mark.parametrize("moment", ["during-up", "stack-up"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_in_the_middle_of_a_run_leaves_nothing(tmp_path, docker_client, signum, moment):
    with sweeps_lock(exclusive=False):
        session = start_session(tmp_path, scenario("test_up_then_hold"), slug="slow-healthy")
        try:
            session_id = wait_until(lambda: session.id, timeout=60, message="the session to start")
            if moment == "during-up":  # containers exist, the harness waits for the healthcheck
                wait_until(lambda: leftovers(docker_client, session_id)["containers"], timeout=60,
                           message="the stack's containers to exist")
                assert not (session.markers / "up").exists(), "the stack was already up: no signal during up"
            else:
                wait_until(lambda: (session.markers / "up").exists(), timeout=60, message="the stack to be up")
            assert leftovers(docker_client, session_id)["containers"]
            os.kill(session.process.pid, signum)  # to pytest alone, as `kill` or CI would send it
            code, output = session.finish(timeout=120)
        finally:
            session.kill()
    assert code == 2, output  # pytest's exit code for an interrupted run
    assert "KeyboardInterrupt" in output, output
    assert leftovers(docker_client, session_id) == NONE_LEFT, output


def test_the_next_session_sweeps_what_a_run_killed_with_9_left(tmp_path, docker_client):
    # Exclusive: no other session of ours may sweep between the kill and our look at the engine.
    with sweeps_lock(exclusive=True):
        killed = start_session(tmp_path, scenario("test_up_then_hold"), slug="slow-healthy", name="killed")
        try:
            killed_id = wait_until(lambda: killed.id, timeout=60, message="the session to start")
            wait_until(lambda: (killed.markers / "up").exists(), timeout=60, message="the stack to be up")
            os.kill(killed.process.pid, signal.SIGKILL)
            killed.process.wait(timeout=30)
        finally:
            killed.kill()
        left = leftovers(docker_client, killed_id)
        assert all(left.values()), f"a run killed with -9 should leave its stack behind: {left}"

        code, output, next_id = run_session(tmp_path, scenario("test_nothing"), name="next")
    assert code == 0, output
    assert next_id != killed_id
    assert "harness sweep at session start removed leftovers:" in output, output
    assert leftovers(docker_client, killed_id) == NONE_LEFT, output


def test_two_sessions_at_once_share_a_fixed_host_port_one_after_the_other(tmp_path, docker_client):
    with sweeps_lock(exclusive=False):
        sessions = [start_session(tmp_path, scenario("test_own_the_fixed_port"), slug="fixed-port", name=f"s{i}")
                    for i in (1, 2)]
        try:
            results = [session.finish() for session in sessions]
        finally:
            for session in sessions:
                session.kill()
    for code, output in results:
        assert code == 0, output
    ids = [session.id for session in sessions]
    assert len(set(ids)) == 2, ids
    intervals = sorted(tuple(map(float, path.read_text().split()))
                       for session in sessions for path in session.markers.glob("*.interval"))
    assert len(intervals) == 2, intervals
    (_, first_end), (second_start, _) = intervals
    assert first_end <= second_start, f"both stacks held 127.0.0.1:18765 at once: {intervals}"
    for session_id in ids:
        assert leftovers(docker_client, session_id) == NONE_LEFT
