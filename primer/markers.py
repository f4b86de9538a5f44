"""Page markers: one syntax, one lexer, one dispatcher.

A page marks what the build fills in with an HTML comment, valid Markdown without any tooling:

    <!-- KIND: ARGUMENT -->

| kind | argument | what the build does | module |
|---|---|---|---|
| `claim` | a claim id | the mark of the test that proves the statement after it | primer.claims |
| `output` | a capture key | the fenced block after it becomes the output a test captured | primer.captures |
| `topology` | an example's slug | a diagram drawn from that example's compose file | primer.topology |
| `bench` | `results` | the last benchmark's table | primer.bench_page |

Each kind's own pattern is built from `comment()`, the one template, with the context it needs
around it (the line it stands on, the block after it). `lex` reads every marker of a page and
refuses a kind it does not know, naming the file and line, so a typo never vanishes silently;
`render` hands the page to each kind's renderer, in one fixed order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

KINDS = ("claim", "output", "topology", "bench")
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
        found.append(Marker(kind, argument, line))
    return found


def render(markdown: str, *, source: str, page_src_uri: str, report: dict[str, Any],
           captures: dict[str, Any]) -> str:
    """The page with every marker filled in. Order matters: a topology becomes a diagram before
    the claims are placed; example marks go above an example's first block before the claim
    marks go inside their paragraphs."""
    from . import bench_page, claims, topology
    from . import captures as captured_output

    lex(markdown, source)
    markdown = topology.render_topologies(markdown)
    markdown = bench_page.render_results(markdown)
    markdown = captured_output.render_outputs(markdown, captures)
    markdown = claims.render_example_marks(markdown, report, page_src_uri)
    return claims.render_claim_marks(markdown, report)
