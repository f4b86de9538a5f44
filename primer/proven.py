"""The page "What this site has proven": every claim, linked to its sentence, with what the last
test run found, and counts per page; drawn from the report by the `<!-- proven: all -->` marker.

A mark carries `id="claim-<id>"` (primer.claims), which is what each row links to.
"""
from __future__ import annotations

import re
from pathlib import Path

from . import DOCS_DIR
from .markers import UNCHECKED, comment

PROVEN_COMMENT = re.compile(r"^" + comment("proven", "what", "all") + r"[ \t]*$", re.MULTILINE)
_UNCHECKED_COMMENT = re.compile(comment("unchecked", "reason"))
_RESULT = {"verified": "✓ verified", "failed": "✗ failed", "skipped": "not verified"}


def _result(entry: dict) -> str:
    from .claims import STAND_IN_TEXT

    if entry.get("result") == "verified" and entry.get("stand_in_for"):
        return f"{STAND_IN_TEXT} ({', '.join(entry['stand_in_for'])})"
    return _RESULT.get(entry.get("result", ""), "not verified yet")


def _link(page: Path, here: Path, docs_dir: Path, anchor: str = "") -> str:
    relative = page.relative_to(docs_dir).as_posix()
    depth = len(here.relative_to(docs_dir).parts) - 1
    return "../" * depth + relative + (f"#{anchor}" if anchor else "")


def _images(entry: dict) -> str:
    images = entry.get("images") or {}
    if not images:
        return "none"
    return "stand-ins" if any(kind == "stand-in" for kind in images.values()) else "official"


def _when(entry: dict, report: dict) -> str:
    """Where a claim's own run differs from the report's (a partial run merged in): its date and engine."""
    date, engine = entry.get("time", "")[:10], entry.get("engine", "")
    if (date, engine) == (report.get("time", "")[:10], report.get("engine", "")) or not (date or engine):
        return ""
    return f" (checked {date}, engine {engine})"


def render_proven(markdown: str, report: dict, here: Path, docs_dir: Path = DOCS_DIR) -> str:
    """The marker becomes the tables; without a report, a sentence saying so."""
    if not PROVEN_COMMENT.search(markdown):
        return markdown
    from .claims import page_claims

    if not report:
        text = ("No test report came with this build, so there are no results to list here: "
                "`scripts/test` checks every marked statement and builds the site with the results.")
        return PROVEN_COMMENT.sub(lambda _: text, markdown)
    made = page_claims(docs_dir)
    entries = report.get("claims", {})
    pages: dict[Path, list[str]] = {}
    for claim_id, where in made.items():
        pages.setdefault(where.path, []).append(claim_id)
    results = [entries.get(claim_id, {}).get("result") for claim_id in made]
    on_stand_ins = sum(1 for claim_id in made if entries.get(claim_id, {}).get("result") == "verified"
                       and entries[claim_id].get("stand_in_for"))
    lines = [f"The last test run, on {report.get('time', '?')[:10]}: Docker Engine {report.get('engine', '?')} "
             f"(containerd {report.get('containerd', '?')}, buildx {report.get('buildx', '?')}), "
             f"Compose {report.get('compose', '?')}. Of {len(made)} statements that a test checks, "
             f"{results.count('verified')} are verified ({on_stand_ins} of them, statements about an official image, "
             f"on its stand-in only), {results.count('failed')} failed and "
             f"{len(made) - results.count('verified') - results.count('failed')} are not verified.",
             "", "| page | statements checked | verified | failed | not verified | not checked here |",
             "|---|---:|---:|---:|---:|---:|"]
    for page in sorted(pages, key=lambda p: p.name):
        ids = pages[page]
        outcome = [entries.get(claim_id, {}).get("result") for claim_id in ids]
        unchecked = len(_UNCHECKED_COMMENT.findall(page.read_text(encoding="utf-8")))
        lines.append(f"| [{page.stem}]({_link(page, here, docs_dir)}) | {len(ids)} | {outcome.count('verified')} "
                     f"| {outcome.count('failed')} | {len(ids) - outcome.count('verified') - outcome.count('failed')} "
                     f"| {unchecked} |")
    stand_ins = sorted({image for entry in entries.values() for image, kind in (entry.get("images") or {}).items()
                        if kind == "stand-in"})
    # The date, engine and images are the run's, said once, and a page's images once for the
    # page: a table row that repeated them made this page outgrow its budget. What differs
    # (another run's result, a page with both kinds of images) is said where it differs.
    lines += ["", "Each statement below was checked in that run, unless it says otherwise. Images are "
              "*official*, or *stand-ins*: images built under the official names"
              + (f" ({', '.join(stand_ins)} in this run)" if stand_ins else "") + "."]
    for page in sorted(pages, key=lambda p: p.name):
        ids = sorted(pages[page], key=lambda c: made[c].line)
        kinds = {_images(entries.get(claim_id, {})) for claim_id in ids} - {"none"}
        lines += ["", f"### {page.stem}", ""]
        if len(kinds) == 1:
            lines += [f"Images: {kinds.pop()}.", ""]
        # One line per outcome, listing its statements in page order: a line per statement
        # repeated its outcome 350 times, and the page outgrew its budget.
        groups: dict[str, list[str]] = {}
        for claim_id in ids:
            entry = entries.get(claim_id, {})
            images = f", images: {_images(entry)}" if len(kinds) > 1 else ""
            link = f"[{claim_id}]({_link(page, here, docs_dir, f'claim-{claim_id}')})"
            groups.setdefault(f"{_result(entry)}{_when(entry, report)}{images}", []).append(link)
        lines += [f"- **{outcome}** ({len(links)}): {', '.join(links)}" for outcome, links in groups.items()]
    lines += ["", "Statements marked *not checked here* hold somewhere this site's tests cannot go: "
              + "; ".join(f"*{reason}*: {why}" for reason, why in UNCHECKED.items()) + "."]
    return PROVEN_COMMENT.sub(lambda _: "\n".join(lines), markdown)
