"""Docker's record of a container's healthchecks (`State.Health` in `docker inspect`), read the
way the tests of the healthcheck sentences compare it: when each check ran."""
from __future__ import annotations

from datetime import datetime, timezone
from itertools import pairwise


def parse_time(value: str) -> datetime:
    """Docker's RFC 3339 timestamps carry nanoseconds; Python keeps microseconds."""
    stamp, _, fraction = value.rstrip("Z").partition(".")
    fraction = (fraction.split("+")[0].split("-")[0] + "000000")[:6]
    return datetime.fromisoformat(f"{stamp}.{fraction}").replace(tzinfo=timezone.utc)


def seconds_between(earlier: str, later: str) -> float:
    return (parse_time(later) - parse_time(earlier)).total_seconds()


KEPT_CHECKS = 5  # Docker keeps the record of the last five checks only


def gaps_since_the_start(started_at: str, log: list[dict]) -> list[float]:
    """Seconds between one check and the next, counted from the container's start while the
    record still holds the first check."""
    starts = [check["Start"] for check in log]
    if len(starts) < KEPT_CHECKS:
        starts = [started_at, *starts]
    return [seconds_between(a, b) for a, b in pairwise(starts)]
