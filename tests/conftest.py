"""Loads the harness (tests/harness.py) and the claims report writer for every test."""
pytest_plugins = ["tests.harness", "tests.claims_report"]
