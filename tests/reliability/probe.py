"""A pytest plugin the reliability tests load into the sessions they start (`-p tests.reliability.probe`).

It writes the session's id (the `<session>` in `primer-t-<session>-...`) to the file named by
PRIMER_PROBE_FILE as soon as the session starts, so the outer test can find exactly that
session's containers, networks and volumes, even after the session was killed with -9.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.hookimpl(trylast=True)  # after the harness has picked the session id
def pytest_sessionstart(session: pytest.Session) -> None:
    target = os.environ.get("PRIMER_PROBE_FILE")
    if target and not hasattr(session.config, "workerinput"):
        Path(target).write_text(os.environ["PRIMER_TEST_SESSION"])
