"""The benchmark's results on the page "How fast are the checks": the `<!-- bench: results -->`
marker becomes the last `scripts/bench` run's tables (reports/bench.json). Apart from the
benchmark itself (primer/bench.py), so that building a page never loads it."""
from __future__ import annotations

import re
from pathlib import Path

from . import reports
from .markers import comment

BENCH_REPORT = reports.BENCH.path
# Bumped when the report's shape changes: the site then asks for a new run instead of failing
# on a report an older scripts/bench wrote.
BENCH_FORMAT = reports.BENCH.format
TARGETS = {
    "cycle_vs_floor": 1.10,
    "cycle_vs_testcontainers": 0.85,
    "slowest_down_s": 1.0,
    "parallel_vs_serial": 0.65,
    "cold_provisioning_s": 240,
    "first_load_kb": 300,
}


def table(report: dict) -> str:
    out = ["| example | ours (s) | floor (s) | testcontainers (s) | ours / floor | ours / testcontainers | slowest down (s) |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for row in report.get("examples", []):
        out.append(f"| {row['example']} | {row['ours_s']:.2f} | {row['floor_s']:.2f} | {row['testcontainers_s']:.2f} "
                   f"| {row['ours_vs_floor']:.2f} | {row['ours_vs_testcontainers']:.2f} | {row['slowest_down_s']:.2f} |")
    s = report.get("summary", {})
    out += ["", "| measure | value | target |", "|---|---:|---:|"]
    for key, label, unit in [
        ("median_ours_vs_floor", "our cycle / raw floor (median)", "cycle_vs_floor"),
        ("median_ours_vs_testcontainers", "our cycle / testcontainers (median)", "cycle_vs_testcontainers"),
        ("slowest_down_s", "slowest teardown, any example (s)", "slowest_down_s"),
        ("parallel_vs_serial", "warm suite, parallel / one worker", "parallel_vs_serial"),
        ("cold_provisioning_s", "cold provisioning (s)", "cold_provisioning_s"),
        ("first_load_kb", "first load of the home page, no search index (KB raw)", "first_load_kb"),
        ("heaviest_text_page_kb", "heaviest page without a diagram, first load (KB raw)", "first_load_kb"),
        ("heaviest_diagram_page_kb", "heaviest page with a diagram, first load (KB raw)", "first_load_kb"),
    ]:
        if key in s:
            out.append(f"| {label} | {s[key]:.2f} | ≤ {TARGETS[unit]} |")
    for key, label in [("serial_s", "warm example suite, one worker (s)"), ("parallel_s", "warm example suite, parallel (s)"),
                       ("mkdocs_build_s", "mkdocs build of the full site (s)")]:
        if key in s:
            out.append(f"| {label} | {s[key]:.2f} | |")
    pages = report.get("site", {}).get("pages", {})
    if pages:
        out += ["", "| page (empty cache) | requests | KB raw | KB gzip | KB raw with search |",
                "|---|---:|---:|---:|---:|"]
        for path, w in pages.items():
            out.append(f"| {path}{' (diagram)' if w['diagram'] else ''} | {w['requests']} | {w['raw_kb']:.0f} "
                       f"| {w['gzip_kb']:.0f} | {w['with_search_raw_kb']:.0f} |")
    return "\n".join(out)


BENCH_COMMENT = re.compile(r"^" + comment("bench", "what", "results") + r"[ \t]*$", re.MULTILINE)


def render_results(markdown: str, path: Path = BENCH_REPORT) -> str:
    """`<!-- bench: results -->` becomes the last run's table, or says that none exists yet."""
    if not BENCH_COMMENT.search(markdown):
        return markdown
    report = read_bench(path)
    if not report.get("summary"):
        text = ("No benchmark has been run on this copy of the site yet: run `scripts/bench`, "
                "then rebuild the site.")
    elif report.get("format") != BENCH_FORMAT:
        text = (f"The last report ({path.name}, {str(report.get('time', 'undated'))[:10]}) was written by an "
                "older `scripts/bench` and is not shown: run `scripts/bench` again, then rebuild the site.")
    else:
        text = (f"Measured on {report['time'][:10]} on {report['cpus']} CPU cores, Docker engine "
                f"{report['engine']}, Compose {report['compose']}, {report['runs']} runs per example "
                f"and tool.\n\n{table(report)}")
    return BENCH_COMMENT.sub(lambda _: text, markdown)


def read_bench(path: Path = BENCH_REPORT) -> dict:
    """The last report, whatever its format: an older one is named on the page, not shown."""
    try:
        return reports.read(reports.BENCH, path, any_format=True)
    except reports.ReportError:
        return {}
