"""Loads the harness (tests/harness.py) and the claims report writer for every test."""
import pytest

pytest_plugins = ["tests.harness", "tests.claims_report"]


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    # pytest-rerunfailures 16.7 (tests/site/conftest.py) leaves an xdist worker's socket to the
    # controller open, which warns (ResourceWarning) as the worker exits.
    sock = getattr(getattr(config, "failures_db", None), "sock", None)
    if sock is not None:
        sock.close()
