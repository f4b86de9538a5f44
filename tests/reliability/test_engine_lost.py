"""The engine going away in the middle of a run: the run stops at once with one line that says
so, and the next run, on the engine started again, passes and leaves nothing behind.

Played on a private engine (tests/reliability/private_engine.py), since killing the main one
would fail every other test of this run."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from primer.engine import ENGINE_LOST_EXIT
from primer.stacks import wait_until
from tests.reliability.private_engine import private_engine_for_a_test
from tests.reliability.sessions import NONE_LEFT, leftovers, run_session, scenario, start_session

pytestmark = pytest.mark.docker

STOPS_WITHIN_S = 60
LOST_LINE = "error: the Docker engine stopped answering during the run"


@pytest.fixture
def engine():
    with private_engine_for_a_test("debian:bookworm-slim") as engine:
        yield engine


def processes_of_session(sid: int) -> list[int]:
    """Pids still alive in the session (process group leader `sid`) a run was started in."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # field 6 of stat: the session id
            alive.append(int(stat.parent.name))
    return alive


def test_a_run_whose_engine_dies_stops_with_one_line_and_the_next_run_is_green(tmp_path, engine):
    on_private = {"DOCKER_HOST": engine.host}
    # Two workers, as scripts/test runs: one holds a stack up, the other has more to do after it.
    run = start_session(tmp_path, "-n", "2", scenario("test_up_then_hold"), scenario("test_up_only"),
                        scenario("test_engine_answers"), slug="engine-lost", env=on_private, name="killed")
    try:
        session_id = wait_until(lambda: run.id, timeout=60, message="the run to start")
        wait_until(lambda: (run.markers / "up").exists(), timeout=90, message="the stack to be up")
        engine.kill()
        killed_at = time.monotonic()
        code, output = run.finish(timeout=STOPS_WITHIN_S + 30)
        took = time.monotonic() - killed_at
    finally:
        run.kill()
    assert code == ENGINE_LOST_EXIT, output
    assert took < STOPS_WITHIN_S, f"the run went on for {took:.0f} s after the engine died:\n{output}"
    assert output.count(LOST_LINE) == 1, output
    assert f"({engine.host}, no answer for" in output, output
    assert "Cannot connect to the Docker daemon" not in output, output  # no page per test
    # A killed process takes a moment to be gone.
    wait_until(lambda: not processes_of_session(run.process.pid), timeout=10,
               message="the run's workers and their children to be gone")

    engine.start()  # as the next scripts/test would
    code, output, next_id = run_session(tmp_path, scenario("test_up_only"), slug="engine-lost",
                                        env=on_private, name="next")
    assert code == 0, output
    client = engine.client()
    try:
        assert leftovers(client, session_id) == NONE_LEFT, output  # swept by the next run
        assert leftovers(client, next_id) == NONE_LEFT, output
    finally:
        client.close()
