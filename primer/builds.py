"""`docker build` as a page tells the learner to type it, its BuildKit progress read back.

With `--progress=plain` BuildKit prints each step of the Dockerfile and then either
`#N CACHED` (the layer was reused) or `#N DONE` (the step ran), and how many bytes of build
context it received. Those are the facts the build lessons are about, so they are parsed here
rather than guessed from timings.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

BUILD_TIMEOUT_S = 600
_STEP = re.compile(r"^#(?P<id>\d+) \[(?:(?P<stage>[\w.-]+) )?\d+/\d+\] (?P<instruction>.+)$", re.MULTILINE)
_CACHED = re.compile(r"^#(?P<id>\d+) CACHED$", re.MULTILINE)
_CONTEXT_STEP = re.compile(r"^#(?P<id>\d+) \[internal\] load build context$", re.MULTILINE)
_TRANSFERRED = r"^#{id} transferring context: (?P<size>[\d.]+)(?P<unit>[kMG]?B)"
_UNITS = {"B": 1, "kB": 1000, "MB": 1000**2, "GB": 1000**3}


class BuildError(RuntimeError):
    """`docker build` failed; the message has the command and BuildKit's output."""


@dataclass
class Build:
    command: list[str]
    output: str  # BuildKit's plain progress
    steps: dict[tuple[str, str], bool] = field(default_factory=dict)  # (stage, "RUN pip ...") -> CACHED?
    context_bytes: int | None = None  # the build context BuildKit received

    def cached(self, instruction: str, stage: str | None = None) -> bool:
        """Whether the one step whose instruction starts with `instruction` (in `stage`, when
        several stages have such a step) was reused."""
        matches = [step for step in self.steps
                   if step[1].startswith(instruction) and stage in (None, step[0])]
        if len(matches) != 1:
            raise LookupError(f"{len(matches)} steps start with {instruction!r}; the steps: {list(self.steps)}")
        return self.steps[matches[0]]


def parse_progress(output: str) -> tuple[dict[tuple[str, str], bool], int | None]:
    by_id = {match["id"]: (match["stage"] or "", match["instruction"].strip()) for match in _STEP.finditer(output)}
    cached = {match["id"] for match in _CACHED.finditer(output)}
    steps = {instruction: step_id in cached for step_id, instruction in by_id.items()}
    sizes = [float(m["size"]) * _UNITS[m["unit"]]
             for step in _CONTEXT_STEP.finditer(output)  # not `load .dockerignore`, which says the same words
             for m in re.finditer(_TRANSFERRED.format(id=step["id"]), output, re.MULTILINE)]
    return steps, int(sizes[-1]) if sizes else None


def docker_build(context: Path, tag: str, *, dockerfile: str | None = None, target: str | None = None,
                 build_args: dict[str, str] | None = None, labels: dict[str, str] | None = None) -> Build:
    command = ["docker", "build", "--progress=plain", "--tag", tag,
               *(["--file", str(context / dockerfile)] if dockerfile else []),
               *(["--target", target] if target else []),
               *[arg for key, value in (build_args or {}).items() for arg in ("--build-arg", f"{key}={value}")],
               *[arg for key, value in (labels or {}).items() for arg in ("--label", f"{key}={value}")],
               str(context)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
                          env={**os.environ, "DOCKER_BUILDKIT": "1"})
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise BuildError(f"`{' '.join(command)}` failed (exit {proc.returncode}):\n{output[-4000:]}")
    steps, context_bytes = parse_progress(output)
    return Build(command, output, steps, context_bytes)
