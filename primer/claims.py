"""Claims: statements on the pages that a test proves on a real engine.

A page marks a statement with an HTML comment just before it (valid Markdown without any
tooling):      <!-- claim: redis-not-reachable-from-host -->
A test proves it:  @pytest.mark.claim("redis-not-reachable-from-host")

This module finds both, checks that they match one to one, reads the report the tests
write (reports/claims.json (primer.reports)) and renders the marks the site shows next to each claim.
"""
from __future__ import annotations

import ast
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import DOCS_DIR, ROOT, TESTS_DIR, reports
from .markers import UNCHECKED, comment, place_inline

CLAIM_COMMENT = re.compile(comment("claim", "id"))
CLAIM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ClaimError(ValueError):
    """A malformed, duplicated or unmatched claim; the message names the file and line."""


@dataclass(frozen=True)
class Location:
    path: Path
    line: int

    def __str__(self) -> str:
        try:
            return f"{self.path.relative_to(ROOT)}:{self.line}"
        except ValueError:
            return f"{self.path}:{self.line}"


# --- claims made by pages ------------------------------------------------------------------

def claims_in_markdown(text: str, path: Path) -> dict[str, Location]:
    found: dict[str, Location] = {}
    for match in CLAIM_COMMENT.finditer(text):
        claim_id = match.group("id")
        where = Location(path, text.count("\n", 0, match.start()) + 1)
        if not CLAIM_ID.match(claim_id):
            raise ClaimError(f"{where}: claim id {claim_id!r} is not kebab-case (a-z, 0-9, single dashes)")
        if claim_id in found:
            raise ClaimError(f"{where}: claim {claim_id!r} is already made at {found[claim_id]}")
        found[claim_id] = where
    return found


def page_claims(docs_dir: Path = DOCS_DIR) -> dict[str, Location]:
    """Every claim id made by a page, with where it is made; ids are unique across the site."""
    claims: dict[str, Location] = {}
    for page in sorted(docs_dir.rglob("*.md")):
        for claim_id, where in claims_in_markdown(page.read_text(encoding="utf-8"), page).items():
            if claim_id in claims:
                raise ClaimError(f"{where}: claim {claim_id!r} is already made at {claims[claim_id]}")
            claims[claim_id] = where
    return claims


# --- claims proved by tests ----------------------------------------------------------------

def _claim_marks(decorators: list[ast.expr]) -> list[tuple[str, int]]:
    """("id", line) for each `pytest.mark.claim("id")` among decorators or a pytestmark value."""
    marks = []
    for node in decorators:
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "claim":
                argument = call.args[0] if len(call.args) == 1 else None
                if not isinstance(argument, ast.Constant) or not isinstance(argument.value, str):
                    raise ClaimError(f"line {call.lineno}: pytest.mark.claim takes one literal claim id")
                marks.append((argument.value, call.lineno))
    return marks


def claims_in_test_file(path: Path) -> dict[str, list[tuple[str, Location]]]:
    """claim id -> [(test node id, location)] for one test file, read without importing it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    found: dict[str, list[tuple[str, Location]]] = {}

    def visit(body: list[ast.stmt], prefix: str, inherited: list[tuple[str, int]]) -> None:
        for node in body:
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
                inherited = inherited + _claim_marks([node.value])
        for node in body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                visit(node.body, f"{prefix}{node.name}::", inherited + _claim_marks(node.decorator_list))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                for claim_id, line in inherited + _claim_marks(node.decorator_list):
                    found.setdefault(claim_id, []).append((f"{rel}::{prefix}{node.name}", Location(path, line)))

    try:
        visit(tree.body, "", [])
    except ClaimError as error:
        raise ClaimError(f"{rel}: {error}") from None
    return found


def tested_claims(tests_dir: Path = TESTS_DIR) -> dict[str, list[tuple[str, Location]]]:
    """claim id -> [(test node id, location)] for every test under tests/."""
    claims: dict[str, list[tuple[str, Location]]] = {}
    for path in sorted(tests_dir.rglob("test_*.py")):
        for claim_id, tests in claims_in_test_file(path).items():
            claims.setdefault(claim_id, []).extend(tests)
    return claims


def consistency_problems(pages: dict[str, Location], tests: dict[str, list]) -> list[str]:
    problems = [f"{where}: claim {claim_id!r} has no test (mark one with @pytest.mark.claim({claim_id!r}))"
                for claim_id, where in sorted(pages.items()) if claim_id not in tests]
    for claim_id, proofs in sorted(tests.items()):
        if claim_id not in pages:
            for node_id, where in proofs:
                problems.append(f"{where}: test {node_id} names claim {claim_id!r}, which no page makes "
                                f"(add <!-- claim: {claim_id} --> before the statement)")
    return problems


def check_consistency(docs_dir: Path = DOCS_DIR, tests_dir: Path = TESTS_DIR) -> None:
    problems = consistency_problems(page_claims(docs_dir), tested_claims(tests_dir))
    if problems:
        raise ClaimError("claims and tests do not match:\n  " + "\n  ".join(problems))


# --- the report ----------------------------------------------------------------------------

@dataclass
class ClaimResult:
    result: str  # "verified", "failed" or "skipped"
    tests: list[str] = field(default_factory=list)
    reason: str = ""  # why skipped or failed
    time: str = ""
    engine: str = ""
    compose: str = ""
    images: dict[str, str] = field(default_factory=dict)  # image -> "official" | "stand-in"


def read_report(path: Path | None = None) -> dict:
    """The last test run's report ({} if none): {"claims": {...}, "examples": {...}, ...}."""
    try:
        report = reports.read(reports.CLAIMS, path)
    except reports.ReportError as error:
        raise ClaimError(str(error)) from None
    if not isinstance(report.get("claims", {}), dict):
        raise ClaimError(f"{path or reports.CLAIMS.path}: expected an object with a 'claims' object; "
                         "delete it or re-run the tests")
    return report


# --- marks on the pages --------------------------------------------------------------------

_MARK_TEXT = {"verified": "✓ verified", "failed": "✗ failed", "skipped": "not verified", None: "not verified yet"}
_UNCHECKED_TEXT = "not checked here"
STAND_IN_TEXT = "✓ on a stand-in"
# Between a mark's word and its details when they are read as one (a screen reader, no CSS);
# the tooltip leaves it out.


def _images_phrase(images: dict[str, str], *, named: bool = True) -> str:
    stand_ins = sorted(image for image, kind in images.items() if kind == "stand-in")
    if not images:
        return ""
    if not stand_ins:
        return "official images"
    return "stand-in images (" + ", ".join(stand_ins) + ")" if named else "stand-in images"


def mark_html(entry: dict | None, *, subject: str = "claim", claim_id: str = "") -> str:
    """The small mark of one claim (or one example) from its report entry, or "not verified yet".

    It shows a word or two; the details (when, on which engine, with which images, or why it
    failed) sit in the mark itself, for screen readers, and show as a tooltip on hover and on
    keyboard focus (`tabindex`: a title attribute reaches neither). A claim's mark carries
    `id="claim-<id>"`, which the proven page links to. Its details say only whether the
    images were stand-ins: the example's own mark names them, once (a page of fifty marks
    that each listed four images outgrew the page budget)."""
    entry = entry or {}
    result = entry.get("result")
    text = _MARK_TEXT.get(result, "not verified yet")
    details = []
    stand_in_for = entry.get("stand_in_for") or {}
    if result == "verified" and stand_in_for:
        # The statement is about an official image, and this run had only its stand-in.
        text = STAND_IN_TEXT
        details += [f"checked on a stand-in for {image}, built from {built_from}"
                    for image, built_from in stand_in_for.items()]
    if entry.get("reason"):
        details.append(("not verified: " if result == "skipped" else "") + entry["reason"])
    if entry.get("time"):
        details.append(f"checked {entry['time'][:10]}")
    if entry.get("engine"):
        details.append(f"engine {entry['engine']}")
    if entry.get("images") and not (claim_id and stand_in_for and result == "verified"):  # said just above
        details.append(_images_phrase(entry["images"], named=not claim_id))
    if not entry:
        details.append(f"this {subject} is newer than the last test run")
    css = {"verified": "verified", "failed": "failed"}.get(result or "", "unverified")
    named = f' id="claim-{claim_id}"' if claim_id else ""
    return (f'<span class="claim-mark claim-mark--{css}"{named} tabindex="0">{html.escape(text)}'
            f'<span class="claim-mark__details">{html.escape(" · ".join(details))}</span></span>')


def render_claim_marks(markdown: str, report: dict) -> str:
    """Replace each claim comment by its mark, placed inside the paragraph or list item it precedes.
    Without a report, no marks at all: the site says once that it carries none
    (overrides/main.html), rather than "not verified yet" before every sentence."""
    if not report:
        return strip_claim_comments(markdown)
    claims = report.get("claims", {})
    return place_inline(markdown, "claim", lambda claim_id: mark_html(claims.get(claim_id), claim_id=claim_id))


def strip_claim_comments(markdown: str) -> str:
    return place_inline(markdown, "claim", lambda claim_id: "")


def unchecked_mark_html(reason: str) -> str:
    """The mark of a statement this site cannot check: where it holds, and why not here."""
    return (f'<span class="claim-mark claim-mark--elsewhere" data-unchecked="{reason}" tabindex="0">'
            f'{_UNCHECKED_TEXT}<span class="claim-mark__details">{html.escape(UNCHECKED[reason])}</span></span>')


def render_unchecked_marks(markdown: str) -> str:
    return place_inline(markdown, "unchecked", unchecked_mark_html)


_EXAMPLE_FENCE = re.compile(r'^(?P<indent>[ \t]*)(?P<fence>```|~~~)[^\n]*title="examples/(?P<slug>[a-z0-9-]+)/',
                            re.MULTILINE)


def render_example_marks(markdown: str, report: dict, page_src_uri: str = "index.md") -> str:
    """Above the first titled block of each example on a page: the example's mark and its zip."""
    from .bundles import bundle_link  # here: claims stays importable without the examples model

    examples = report.get("examples", {})
    seen: set[str] = set()

    def before_fence(match: re.Match) -> str:
        slug = match.group("slug")
        if slug in seen:
            return match.group(0)
        seen.add(slug)
        indent = match.group("indent")
        mark = mark_html(examples.get(slug), subject="example") + " " if report else ""
        link = bundle_link(slug, page_src_uri)
        return (f'{indent}<p class="example-mark" markdown="span">Example <code>{slug}</code>: {mark}'
                f'[Download the folder ({slug}.zip)]({link}){{ .example-download }}</p>\n\n'
                f"{match.group(0)}")

    return _EXAMPLE_FENCE.sub(before_fence, markdown)
