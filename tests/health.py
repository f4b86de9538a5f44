"""Docker's record of a container's healthchecks (`State.Health` in `docker inspect`), read the
way the tests of the healthcheck sentences compare it: how long Docker paused between checks.

Docker arms its timer for the next check when the last one has finished, so a pause runs from
one check's end to the next one's start, whatever each check took. It keeps the record of the
last five checks only, across restarts too."""
from __future__ import annotations

from datetime import datetime, timezone
from itertools import pairwise
from statistics import median

KEPT_CHECKS = 5


def parse_time(value: str) -> datetime:
    """Docker's RFC 3339 timestamps carry nanoseconds; Python keeps microseconds."""
    stamp, _, fraction = value.rstrip("Z").partition(".")
    fraction = (fraction.split("+")[0].split("-")[0] + "000000")[:6]
    return datetime.fromisoformat(f"{stamp}.{fraction}").replace(tzinfo=timezone.utc)


def seconds_between(earlier: str, later: str) -> float:
    return (parse_time(later) - parse_time(earlier)).total_seconds()


def this_start(started_at: str, log: list[dict]) -> list[dict]:
    """The checks since the container last started, up to the first that passed."""
    checks = []
    for check in (entry for entry in log if parse_time(entry["Start"]) >= parse_time(started_at)):
        checks.append(check)
        if check["ExitCode"] == 0:
            break
    return checks


def pauses_while_starting(started_at: str, log: list[dict]) -> list[float]:
    """The pauses before each check until one passed: from the start to the first check while
    the record still holds it, then from each check's end to the next one's start."""
    checks = this_start(started_at, log)
    pauses = [seconds_between(a["End"], b["Start"]) for a, b in pairwise(checks)]
    if checks and len(log) < KEPT_CHECKS:
        pauses.insert(0, seconds_between(started_at, checks[0]["Start"]))
    return pauses


def assert_about_every_second(pauses: list[float]) -> None:
    assert pauses and min(pauses) >= 0.9 and median(pauses) < 1.6, f"not about one second between checks: {pauses}"


def pause_after(log: list[dict], check: dict) -> float | None:
    """The pause from `check` (a passing one) to the next check, once that has run; None before."""
    assert check["Start"] in [entry["Start"] for entry in log], f"the record no longer holds the check of {check['Start']}: {log}"
    following = [entry for entry in log if parse_time(entry["Start"]) > parse_time(check["Start"])]
    return seconds_between(check["End"], following[0]["Start"]) if following else None


def assert_about_ten_seconds(pause: float) -> None:
    assert 9.9 <= pause < 11.5, f"{pause:.1f} s from a passing check to the next, not about 10 s"

