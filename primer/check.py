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
        if rest:  # a marker inside a line (a table row): the statement is that line
            found.append(Statement(claim_id, page.stem, _plain(rest.strip("| ").replace(" | ", ": "))))
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


def _failures(junit: Path) -> dict[str, str]:
    """Test node id -> the first lines of what it saw, for each test that failed or was skipped."""
    seen: dict[str, str] = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        module = case.get("classname", "").replace(".", "/")
        node_id = f"{module}.py::{case.get('name')}"
        for outcome in ("failure", "error", "skipped"):
            element = case.find(outcome)
            if element is not None:
                message = (element.get("message") or element.text or outcome).strip()
                seen[node_id] = f"{outcome}: " + " ".join(message.split())[:400]
                break
    return seen


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
    with tempfile.TemporaryDirectory(prefix="primer-check-") as scratch:
        junit = Path(scratch) / "junit.xml"
        env = {**os.environ, "PRIMER_REPORTS_DIR": scratch}
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n",
                               os.environ.get("PRIMER_WORKERS", "auto"), "--dist", "loadfile",
                               f"--junitxml={junit}", "-o", "junit_family=xunit1", *node_ids],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        if not junit.is_file():
            print(proc.stdout[-3000:] + proc.stderr[-3000:], file=sys.stderr)
            return proc.returncode or 1
        seen = _failures(junit)
    failed = 0
    for page in dict.fromkeys(s.page for s in chosen):
        print(f"{page}:")
        for statement in (s for s in chosen if s.page == page):
            problems = [seen[node] for node, _ in tests.get(statement.claim, []) if node in seen]
            if problems or statement.claim not in tests:
                failed += 1
                print(f"  ✗ {statement.text}")
                print(f"      seen instead: {problems[0] if problems else 'no test proves this claim'}")
            else:
                print(f"  ✓ {statement.text}")
    print(f"{len(chosen) - failed} of {len(chosen)} statements hold on this machine's Docker engine.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
