"""What the browser tests visit, worked out from docs/ when pytest collects (no build needed).

Every Markdown page becomes one URL (`ports.md` -> `ports/`, `index.md` -> ``), so a new page
is tested without touching the tests; `test_every_built_page_is_tested` checks the built site
has no page this list misses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pymdownx.snippets import SnippetPreprocessor

from primer import ROOT, diagrams
from primer.pages import EXTRA_PAGES, markdown_pages, mermaid_blocks, page_urls, url_of  # noqa: F401 (re-exported)
from primer.topology import TOPOLOGY_COMMENT

_FENCE = re.compile(
    r'^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[^\n]*?title="(?P<title>[^"]+)"[^\n]*\n'
    r'(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$',
    re.MULTILINE | re.DOTALL)
_SNIPPET = re.compile(r'^[ \t]*-{1,}8<-{1,}[ \t]+"(?P<target>[^"]+)"[ \t]*$')
_MERMAID = re.compile(r"^[ \t]*(`{3,}|~{3,})mermaid\b", re.MULTILINE)


def diagram_pages() -> list[str]:
    """Pages that draw a Mermaid diagram: a mermaid fence, or a topology comment the build
    turns into one (primer.topology)."""
    return [url_of(p) for p in markdown_pages()
            if _MERMAID.search(text := p.read_text(encoding="utf-8")) or TOPOLOGY_COMMENT.search(text)]


def diagrams_in_markdown(url: str) -> int:
    """How many diagrams the page at `url` draws, read from its Markdown: each mermaid fence,
    and each topology comment (one diagram each)."""
    page = next(p for p in markdown_pages() if url_of(p) == url)
    text = page.read_text(encoding="utf-8")
    return len(_MERMAID.findall(text)) + len(TOPOLOGY_COMMENT.findall(text))


def undrawn_mermaid_blocks(html: str) -> int:
    """How many of them the reader's browser must still draw (with Mermaid's JavaScript)."""
    return len(diagrams.sources(html))


@dataclass(frozen=True)
class WholeFileInclude:
    """A titled code block on a page whose body is the whole of one example file."""
    page: str  # site-relative URL
    path: str  # repository-relative path, also the block's title
    nth: int  # which of the page's blocks with this title it is (0-based)

    @property
    def file(self) -> Path:
        return ROOT / self.path


def whole_file_includes() -> list[WholeFileInclude]:
    found = []
    for markdown in markdown_pages():
        seen: dict[str, int] = {}
        for fence in _FENCE.finditer(markdown.read_text(encoding="utf-8")):
            title = fence["title"]
            nth = seen.get(title, 0)
            seen[title] = nth + 1
            lines = [line for line in fence["body"].splitlines() if line.strip()]
            snippet = _SNIPPET.match(lines[0]) if len(lines) == 1 else None
            if snippet and snippet["target"] == title and (ROOT / title).is_file():
                found.append(WholeFileInclude(url_of(markdown), title, nth))
    return found


def shown_text(file: Path) -> str:
    """The text of an example file as a whole-file include shows it.

    The one change pymdownx.snippets makes: it drops the lines that mark named sections
    (`# --8<-- [start:ports]`), which exist for partial includes. Its own pattern decides.
    """
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    marker = SnippetPreprocessor.RE_SNIPPET_SECTION
    return "".join(line for line in lines
                   if not ("8<-" in line and (m := marker.match(line.rstrip("\r\n"))) and not m["escape"]))
