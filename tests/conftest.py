"""Loads the harness (tests/harness.py) for every test."""
pytest_plugins = ["tests.harness"]
