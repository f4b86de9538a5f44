"""Real terminal output, captured by the tests, shown on the pages under "What you will see".

A test records what a command the page tells the learner to run really printed:

    record_output("ports-redis-cli-from-host", "redis-cli -p 6379 ping", text)

A page marks the block of expected output it states itself:

    <!-- output: ports-redis-cli-from-host -->
    ```text
    $ redis-cli -p 6379 ping
    Could not connect to Redis at 127.0.0.1:6379: Connection refused
    ```

With a report (reports/captures.json) the build shows the captured text instead, with when
and against what engine it was captured; without one the page shows the expected block.
"""
from __future__ import annotations

import html
import re
import time
from pathlib import Path

from . import reports
from .markers import comment

OUTPUT_COMMENT = re.compile(
    r"^(?P<indent>[ \t]*)" + comment("output", "key", "[a-z0-9-]+") + r"[ \t]*\n"
    r"(?P=indent)(?P<fence>```+|~~~+)(?P<info>[^\n]*)\n(?P<body>.*?)\n(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL)


class CaptureError(ValueError):
    """A malformed output marker or report; the message names the file."""


def record_output(key: str, command: str, output: str, *, engine: str = "", images: str = "",
                  path: Path | None = None) -> None:
    """Add one capture to the report; safe for concurrent xdist workers and sessions."""
    entry = {"command": command, "output": output.rstrip("\n"), "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
             "engine": engine, "images": images}
    with reports.updating(reports.CAPTURES, path) as report:
        report["captures"] = dict(sorted({**report.get("captures", {}), key: entry}.items()))


def read_captures(path: Path | None = None) -> dict[str, dict]:
    try:
        captures = reports.read(reports.CAPTURES, path).get("captures", {})
    except reports.ReportError as error:
        raise CaptureError(str(error)) from None
    if not isinstance(captures, dict):
        raise CaptureError(f"{path or reports.CAPTURES.path}: expected an object of captures; "
                           "delete it or re-run the tests")
    return captures


def output_keys(markdown: str) -> list[str]:
    return [m.group("key") for m in OUTPUT_COMMENT.finditer(markdown)]


def render_outputs(markdown: str, captures: dict[str, dict]) -> str:
    """Swap each marked block for its captured output, with a caption saying where it came from."""

    def block(match: re.Match) -> str:
        indent, fence, info = match.group("indent"), match.group("fence"), match.group("info").strip() or "text"
        entry = captures.get(match.group("key"))
        if entry:
            body = f"$ {entry['command']}\n{entry['output']}".rstrip("\n")
            against = f"Docker engine {entry['engine']}" if entry.get("engine") else "a real Docker engine"
            if entry.get("images"):
                against += f", {entry['images']}"
            caption = (f"What you will see: captured by the tests on {entry['time'][:10]} "
                       f"against {against}")
            css = "captured-output"
        else:
            body = match.group("body")
            caption = "What you will see (the output a test run checks; this build carries no capture of it)"
            css = "captured-output captured-output--expected"
        lines = [f'<p class="{css}">{html.escape(caption)}</p>', "", f"{fence}{info}", *body.split("\n"), fence]
        return "\n".join(indent + line if line else line for line in lines)

    return OUTPUT_COMMENT.sub(block, markdown)
