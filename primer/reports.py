"""The reports a run leaves in reports/, each with one writer, one reader and a format number.

| report | written by | read by |
|---|---|---|
| `claims.json` | every pytest run (tests/claims_report.py) | the site's marks (primer.claims) |
| `captures.json` | tests that run a command a page shows (primer.stacks) | "What you will see" blocks (primer.captures) |
| `images.json` | `python -m primer.images` | the pytest header, the harness, the claims report |
| `bench.json` | `scripts/bench` | the page "How fast are the checks" (primer.bench_page) |

Each file is one JSON object whose `format` says which shape it has. Writes are atomic (a
build that reads meanwhile sees the old file or the new one, never half of one); `updating()`
also holds a lock, for reports that several processes add to at once. A report of another
format, as an older checkout wrote it, reads as none: the next run writes it anew. One that is
not JSON is an error naming the file and the fix.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import REPORTS_DIR


@dataclass(frozen=True)
class Report:
    name: str
    format: int
    written_by: str

    @property
    def path(self) -> Path:
        return REPORTS_DIR / self.name


CLAIMS = Report("claims.json", 2, "scripts/test")
CAPTURES = Report("captures.json", 2, "scripts/test")
IMAGES = Report("images.json", 2, "python -m primer.images (scripts/test runs it)")
BENCH = Report("bench.json", 2, "scripts/bench")


class ReportError(ValueError):
    """A report that cannot be read; the message names the file and what to do."""


def read(report: Report, path: Path | None = None, *, any_format: bool = False) -> dict[str, Any]:
    """The report's object ({} when there is none, or, unless `any_format`, only one of another
    format)."""
    path = path or report.path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as error:
        raise ReportError(f"{path}: not valid JSON ({error}); delete it, or run {report.written_by} again") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: expected a JSON object; delete it, or run {report.written_by} again")
    return data if any_format or data.get("format") == report.format else {}


def write(report: Report, data: dict[str, Any], path: Path | None = None) -> None:
    """Write the report whole, stamped with its format, or not at all."""
    path = path or report.path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                     suffix=".tmp", delete=False) as temporary:
        json.dump({"format": report.format, **data}, temporary, indent=2)
    os.replace(temporary.name, path)


@contextlib.contextmanager
def updating(report: Report, path: Path | None = None) -> Iterator[dict[str, Any]]:
    """Read, let the caller change, write back: under a lock, so that concurrent writers (xdist
    workers, sessions) each add to the report instead of overwriting one another."""
    path = path or report.path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = read(report, path)
        data.pop("format", None)
        yield data
        write(report, data, path)
