"""Loads the harness (tests/harness.py) and the claims report writer for every test."""
import os

import pytest

pytest_plugins = ["tests.harness", "tests.claims_report"]


EXAMPLE_TESTS = "tests/examples/"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    """`proof`: the tests whose results and captures the site shows (an example's tests, and
    any test of a claim). primer.checks runs them before it builds the site, the rest after."""
    for item in items:
        if item.nodeid.startswith(EXAMPLE_TESTS) or item.get_closest_marker("claim"):
            item.add_marker(pytest.mark.proof)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    # pytest-rerunfailures 16.7 (tests/site/conftest.py) leaves an xdist worker's socket to the
    # controller open, which warns (ResourceWarning) as the worker exits.
    sock = getattr(getattr(config, "failures_db", None), "sock", None)
    if sock is not None:
        sock.close()


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the exceptions in tests/scheduling.py."""
    if config.getvalue("dist") == "loadfile":
        from tests.scheduling import scheduler
        return scheduler(config, log)
    return None


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: two workers per CPU core. Most of a Docker test is waiting (a container
    starting, a healthcheck's interval), so more workers than cores overlap the waits: on
    2 cores the whole suite took 103 s with 2 workers, 90-96 s with 4, 97 s with 6."""
    return 2 * (os.cpu_count() or 1)
