"""Page markers: one syntax, one lexer, one dispatcher.

A page marks what the build fills in with an HTML comment, valid Markdown without any tooling:

    <!-- KIND: ARGUMENT -->

| kind | argument | what the build does | module |
|---|---|---|---|
| `claim` | a claim id | the mark of the test that proves the statement after it | primer.claims |
| `output` | a capture key | the fenced block after it becomes the output a test captured | primer.captures |
| `topology` | an example's slug | a diagram drawn from that example's compose file | primer.topology |
| `bench` | `results` | the last benchmark's table | primer.bench_page |
| `proven` | `all` | every claim with its result, and counts per page | primer.proven |
| `unchecked` | a reason (UNCHECKED) | a mark saying the statement after it holds elsewhere, and is not checked here | primer.claims |

Each kind's own pattern is built from `comment()`, the one template, with the context it needs
around it (the line it stands on, the block after it). `lex` reads every marker of a page and
refuses a kind it does not know, naming the file and line, so a typo never vanishes silently;
`render` hands the page to each kind's renderer, in one fixed order.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("claim", "output", "topology", "bench", "proven", "unchecked")
# Where a statement marked `unchecked` holds, and why this site's tests cannot check it.
UNCHECKED = {
    "docker-desktop": "it holds on Docker Desktop (macOS, Windows), and this site's tests run on Linux",
    "older-engine": "it describes engines older than Docker Engine 28, which this site's tests run on",
    "second-machine": "it needs a second machine on your network, and this site's tests run on one",
    "engine-restart": "it needs the Docker engine itself restarted, which the tests share and do not restart",
    "other-cpu": "it depends on the processor, and this site's tests run on one whose features they cannot change",
    "windows": "it holds on Windows, and this site's tests run on Linux",
    "internet-registry": "it needs a registry on the internet (Docker Hub), which this site's tests do not reach",
    "compose-v1": "it describes Compose v1 (docker-compose), which is no longer maintained and which this site's tests do not run",
}
_ANY = re.compile(r"<!--\s*(?P<kind>[a-z][a-z-]*):\s*(?P<argument>[^\s>]*)\s*-->")
_ARGUMENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def comment(kind: str, group: str, argument: str = r"[^\s>]*") -> str:
    """The regex of one marker of `kind`, its argument captured as `group`."""
    return rf"<!--\s*{kind}:\s*(?P<{group}>{argument})\s*-->"


class MarkerError(ValueError):
    """A marker the build cannot read; the message names the file and line."""


@dataclass(frozen=True)
class Marker:
    kind: str
    argument: str
    line: int


def lex(markdown: str, source: str = "page") -> list[Marker]:
    """Every marker of a page, in order. A comment of the marker's shape with an unknown kind,
    or an argument that is not kebab-case, is an error."""
    found = []
    for match in _ANY.finditer(markdown):
        line = markdown.count("\n", 0, match.start()) + 1
        kind, argument = match.group("kind"), match.group("argument")
        if kind not in KINDS:
            raise MarkerError(f"{source}:{line}: unknown marker <!-- {kind}: ... --> (the kinds: {', '.join(KINDS)})")
        if not _ARGUMENT.match(argument):
            raise MarkerError(f"{source}:{line}: the {kind} marker's argument {argument!r} is not kebab-case "
                              "(a-z, 0-9, single dashes)")
        if kind == "unchecked" and argument not in UNCHECKED:
            raise MarkerError(f"{source}:{line}: unknown reason {argument!r} for an unchecked statement "
                              f"(the reasons: {', '.join(UNCHECKED)}; add one to primer/markers.py:UNCHECKED)")
        found.append(Marker(kind, argument, line))
    return found


_OWN_LINE = r"^(?P<indent>[ \t]*){comment}[ \t]*\n(?P<next>[ \t]*)(?P<marker>(?:[-*+]|\d+\.)[ \t]+)?"
_BLOCK_START = re.compile(r"^[ \t]*(#|!!!|\?\?\?|\||```|~~~|===|<)")


def place_inline(markdown: str, kind: str, mark_for: Callable[[str], str]) -> str:
    """Replace each marker of `kind` by `mark_for(argument)`, placed inside the paragraph or list
    item it precedes (a mark of "" removes the marker and leaves the text as it was)."""
    own_line = re.compile(_OWN_LINE.format(comment=comment(kind, "argument")), re.MULTILINE)

    def on_own_line(match: re.Match) -> str:
        mark = mark_for(match.group("argument"))
        if not mark:
            return f"{match.group('next')}{match.group('marker') or ''}"
        if match.group("marker"):
            return f"{match.group('next')}{match.group('marker')}{mark} "
        rest = markdown[match.end():].split("\n", 1)[0]
        if not rest.strip() or _BLOCK_START.match(rest):
            return f"{match.group('indent')}{mark}\n\n{match.group('next')}"
        return f"{match.group('indent')}{mark} {match.group('next')}"

    markdown = own_line.sub(on_own_line, markdown)
    return re.sub(comment(kind, "argument"), lambda m: mark_for(m.group("argument")), markdown)


def render(markdown: str, *, source: str, page_src_uri: str, report: dict[str, Any],
           captures: dict[str, Any], page_path: Path | None = None) -> str:
    """The page with every marker filled in. Order matters: a topology becomes a diagram before
    the claims are placed; example marks go above an example's first block before the claim
    marks go inside their paragraphs."""
    from . import DOCS_DIR, bench_page, claims, proven, topology
    from . import captures as captured_output

    lex(markdown, source)
    markdown = topology.render_topologies(markdown)
    markdown = bench_page.render_results(markdown)
    markdown = proven.render_proven(markdown, report, page_path or DOCS_DIR / page_src_uri)
    markdown = captured_output.render_outputs(markdown, captures)
    markdown = claims.render_example_marks(markdown, report, page_src_uri)
    markdown = claims.render_unchecked_marks(markdown)
    return claims.render_claim_marks(markdown, report)
