"""The slow reliability test (the example suite three times, about 3 minutes) runs only when
selected with `-m slow`: it would more than triple a warm `scripts/test`."""
import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="slow (about 3 minutes): run it with `scripts/test -m slow`")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)
