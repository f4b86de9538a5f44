"""`scripts/check [page]`: a page's statements, checked on the reader's own Docker engine.

    python -m primer.check ports        # the claims of docs/ports.md
    python -m primer.check              # the claims of every page

Each claim of the page is run by the tests that prove it (pytest, on this machine's engine),
and printed as one line: ✓ and the statement, or ✗, the statement, and what the test saw
instead. Its reports go to a folder of their own, so the site's are left as they are.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import DOCS_DIR, ROOT
from .claims import claims_in_markdown, tested_claims
from .engine import engine_answers

NO_ENGINE_EXIT = 2
RUN_TIMEOUT_S = 1800  # every claim of every page, on a slow machine, with room to spare
SENTENCE_WIDTH = 220


@dataclass(frozen=True)
class Statement:
    claim: str
    page: str
    text: str  # the paragraph the claim marks, on one line


def statements(page: Path) -> list[Statement]:
    text = page.read_text(encoding="utf-8")
    found = []
    all_lines = text.splitlines()
    for claim_id, where in claims_in_markdown(text, page).items():
        own_line = all_lines[where.line - 1]
        rest = re.sub(r"<!--.*?-->", "", own_line).strip()
        if rest:  # a marker inside a line (a table row, a list item): the statement is that line
            item = [rest.strip("| ").lstrip(": ").removeprefix("- ").removeprefix("* ").replace(" | ", ": ")]
            if not own_line.lstrip().startswith("|"):  # not a table row: the rest of its paragraph too
                indent = len(own_line) - len(own_line.lstrip())
                for line in all_lines[where.line:]:
                    if not line.strip() or len(line) - len(line.lstrip()) < max(indent, 1) or line.lstrip()[:2] in ("- ", "* "):
                        break
                    item.append(line.strip())
            found.append(Statement(claim_id, page.stem, _plain(" ".join(item))))
            continue
        paragraph = []
        for line in all_lines[where.line:]:  # the paragraph after the marker's own line
            if not line.strip() or line.lstrip().startswith("<!--"):
                break
            paragraph.append(line.strip())
        found.append(Statement(claim_id, page.stem, _plain(" ".join(paragraph))))
    return found


def _plain(markdown: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)  # links: their words
    text = " ".join(re.sub(r"<(https?://[^>]+)>", r"\1", text).split())
    return text if len(text) <= SENTENCE_WIDTH else text[:SENTENCE_WIDTH - 1].rstrip() + "…"


def pages(name: str | None) -> list[Path]:
    every = sorted(p for p in DOCS_DIR.glob("*.md") if claims_in_markdown(p.read_text(encoding="utf-8"), p))
    if name is None:
        return every
    wanted = DOCS_DIR / f"{name.removesuffix('.md').removeprefix('docs/')}.md"
    if wanted not in every:
        known = ", ".join(p.stem for p in every)
        raise SystemExit(f"error: no page {name!r} with claims (pages: {known})")
    return [wanted]


def _node_id(case: ElementTree.Element) -> str:
    """The claim registry's node id of a junit testcase: `path.py::[Class::]test`, without the
    parameters, which the registry does not list (`test_x[postgres]` is `test_x`'s)."""
    parts = case.get("classname", "").split(".")
    module = [p for p in parts if not p[:1].isupper()]
    classes = [p for p in parts if p[:1].isupper()]
    return "::".join(["/".join(module) + ".py", *classes, case.get("name", "").split("[", 1)[0]])


def outcomes(junit: Path) -> dict[str, list[str]]:
    """Node id -> what each of its test cases did: "passed", or the outcome and the first words
    of what it saw ("failure: AssertionError: ...")."""
    seen: dict[str, list[str]] = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        result = "passed"
        for outcome in ("failure", "error", "skipped"):
            element = case.find(outcome)
            if element is not None:
                message = (element.get("message") or element.text or outcome).strip()
                result = f"{outcome}: " + " ".join(message.split())[:400]
                break
        seen.setdefault(_node_id(case), []).append(result)
    return seen


def verdict(tests: list[str], seen: dict[str, list[str]]) -> str | None:
    """None when the claim holds (every one of its tests ran and passed); else what was seen."""
    if not tests:
        return "no test proves this claim"
    for node in tests:
        results = seen.get(node)
        if not results:
            return f"{node} did not run"
        problems = [r for r in results if r != "passed"]
        if problems:
            return problems[0]
    return None


def _run_pytest(node_ids: list[str], junit: Path, scratch: str) -> tuple[int, str]:
    """pytest on these tests, its reports kept in `scratch`; the whole run (xdist workers, the
    stacks' Compose commands) stopped if it outlasts RUN_TIMEOUT_S."""
    env = {**os.environ, "PRIMER_REPORTS_DIR": scratch}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n",
               os.environ.get("PRIMER_WORKERS", "auto"), "--dist", "loadfile", f"--junitxml={junit}",
               "-o", "junit_family=xunit1", *node_ids]
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, start_new_session=True) as run:
        try:
            output, _ = run.communicate(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGTERM)  # the harness tears its stacks down on SIGTERM
            try:
                output, _ = run.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
                output, _ = run.communicate()
            output += f"\nscripts/check: stopped after {RUN_TIMEOUT_S} s"
        return run.returncode, output


def main(argv: Sequence[str]) -> int:
    name = argv[0] if argv else None
    chosen = [s for page in pages(name) for s in statements(page)]
    if not engine_answers(timeout=5):
        where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        print(f"No Docker engine answers at {where}.\n"
              "Start Docker (Docker Desktop, or `sudo systemctl start docker` on Linux) and run this again.",
              file=sys.stderr)
        return NO_ENGINE_EXIT
    tests = tested_claims()
    node_ids = sorted({node for s in chosen for node, _ in tests.get(s.claim, [])})
    seen: dict[str, list[str]] = {}
    if node_ids:  # none at all: pytest would run the whole suite
        with tempfile.TemporaryDirectory(prefix="primer-check-") as scratch:
            junit = Path(scratch) / "junit.xml"
            code, output = _run_pytest(node_ids, junit, scratch)
            if not junit.is_file():
                print(output[-6000:], file=sys.stderr)
                return code or 1
            seen = outcomes(junit)
    failed = 0
    for page in dict.fromkeys(s.page for s in chosen):
        print(f"{page}:")
        for statement in (s for s in chosen if s.page == page):
            problem = verdict([node for node, _ in tests.get(statement.claim, [])], seen)
            if problem:
                failed += 1
                print(f"  ✗ {statement.text}")
                print(f"      seen instead: {problem}")
            else:
                print(f"  ✓ {statement.text}")
    print(f"{len(chosen) - failed} of {len(chosen)} statements hold on this machine's Docker engine.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
