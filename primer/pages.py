"""The site's pages as the build makes them: which URL each Markdown file becomes, and what a
built page holds. Read by the browser tests and the bench alike."""
from __future__ import annotations

import re
from pathlib import Path

from . import DOCS_DIR

# Pages the site serves that no Markdown file makes.
EXTRA_PAGES = ["404.html"]

# A diagram in built HTML, quoted or not (the minify plugin drops needless quotes): Mermaid's
# text for the reader's browser to draw, or the drawing the build made (primer/diagrams.py).
_MERMAID_BLOCK = re.compile(r"""<(?:pre|div) class=["']?mermaid\b""")


def url_of(markdown: Path) -> str:
    """The site-relative URL MkDocs gives a page (use_directory_urls: true)."""
    rel = markdown.relative_to(DOCS_DIR).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in {"index", "README"}:
        parts = parts[:-1]
    return "".join(f"{p}/" for p in parts)


def markdown_pages() -> list[Path]:
    return sorted(DOCS_DIR.rglob("*.md"))


def page_urls() -> list[str]:
    return [url_of(p) for p in markdown_pages()] + EXTRA_PAGES


def mermaid_blocks(html: str) -> int:
    """How many diagrams a built page shows, drawn by the build or left to the browser."""
    return len(_MERMAID_BLOCK.findall(html))
