"""Benchmarks: our harness against the engine's own floor and a peer (testcontainers).

    scripts/bench [--runs N] [--skip-cold]

Prints a table and writes reports/bench.json; docs/how-fast.md shows the last one.
Not a timed test: numbers vary with the machine, so they are reported, not asserted.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from . import ROOT, reports
from .bench_page import BENCH_FORMAT, BENCH_REPORT, table
from .compose import compose_binary, compose_version
from .examples import Example, list_examples
from .pages import mermaid_blocks, page_urls
from .stacks import PORT_LOCK_TIMEOUT_S, PROJECT_PREFIX, ComposeProject, machine_lock, session, sweep

_SESSION = uuid.uuid4().hex[:8]


def _project_name() -> str:
    """Named like the tests' projects, so the harness's sweep removes what a killed bench left."""
    return f"{PROJECT_PREFIX}{_SESSION}-bench-{uuid.uuid4().hex[:6]}"


@contextlib.contextmanager
def _bench_session(client):
    """Hold a session lock as a test session does; sweep this session's leftovers at the end."""
    with session(_SESSION):
        try:
            yield
        finally:
            removed = sweep(client, also_session=_SESSION)
            print(f"bench sweep removed: {removed}")


T = TypeVar("T")


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


# --- the three cycles, same compose file, same check ---------------------------------------

def _floor_cycle(example: Example) -> dict:
    """What the engine and Compose cost by themselves: up --wait, then down -v. Nothing else."""
    name = _project_name()
    base = [*compose_binary(), "--project-name", name, "-f", str(example.compose_file)]
    try:
        up, _ = _timed(lambda: _run([*base, "up", "-d", "--wait"], example.path))
    finally:
        down, _ = _timed(lambda: _run([*base, "down", "-v"], example.path))
    return {"total": up + down, "down": down}


def _our_cycle(example: Example, client) -> dict:
    """The harness's own path: ComposeProject up (--wait), one exec per service, down."""
    project = ComposeProject(example, _project_name(), client)
    started = time.perf_counter()
    try:
        project.up()
        for service in example.services:
            project.container(service).exec_run(["true"])
    finally:
        down, _ = _timed(project.down)
    return {"total": time.perf_counter() - started, "down": down}


def _testcontainers_cycle(example: Example) -> dict:
    from testcontainers.compose import DockerCompose

    env = {**os.environ, "COMPOSE_PROJECT_NAME": _project_name()}
    old = dict(os.environ)
    os.environ.update(env)
    try:
        stack = DockerCompose(str(example.path), compose_file_name="docker-compose.yml", wait=True)
        started = time.perf_counter()
        try:
            stack.start()
            for service in example.services:
                stack.exec_in_container(["true"], service_name=service)
        finally:
            down, _ = _timed(stack.stop)
        return {"total": time.perf_counter() - started, "down": down}
    finally:
        os.environ.clear()
        os.environ.update(old)


@contextlib.contextmanager
def _host_ports_held(example: Example):
    with contextlib.ExitStack() as stack:
        for port in example.fixed_host_ports():
            stack.enter_context(machine_lock("port", str(port), PORT_LOCK_TIMEOUT_S))
        yield


def _run(cmd: list[str], cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=180)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")


def bench_examples(runs: int, only: list[str] | None = None) -> list[dict]:
    import docker

    client = docker.from_env()
    rows = []
    for example in [e for e in list_examples() if not only or e.slug in only]:
        samples: dict[str, list[dict]] = {"ours": [], "floor": [], "testcontainers": []}
        for _ in range(runs):  # alternate, so drift in the machine hits all three alike
            with _host_ports_held(example):  # as the tests do: "3000:3000" is one at a time
                samples["floor"].append(_floor_cycle(example))
                samples["ours"].append(_our_cycle(example, client))
                samples["testcontainers"].append(_testcontainers_cycle(example))
        median = {k: statistics.median(s["total"] for s in v) for k, v in samples.items()}
        rows.append({
            "example": example.slug,
            "ours_s": median["ours"], "floor_s": median["floor"], "testcontainers_s": median["testcontainers"],
            "ours_vs_floor": median["ours"] / median["floor"],
            "ours_vs_testcontainers": median["ours"] / median["testcontainers"],
            "slowest_down_s": max(s["down"] for s in samples["ours"]),
        })
        print(f"  {example.slug}: ours {median['ours']:.2f}s floor {median['floor']:.2f}s "
              f"testcontainers {median['testcontainers']:.2f}s", flush=True)
    return rows


# --- suite, provisioning, site -------------------------------------------------------------

def _pytest_wall(workers: str) -> float:
    seconds, proc = _timed(lambda: subprocess.run(
        [sys.executable, "-m", "pytest", "tests/examples", "-q", "-p", "no:cacheprovider", "-n", workers,
         "--dist", "loadfile"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800))
    if proc.returncode != 0:
        raise RuntimeError(f"tests/examples failed with -n {workers}:\n{proc.stdout[-3000:]}")
    return seconds


def bench_suite() -> dict:
    serial = _pytest_wall("0")
    parallel = _pytest_wall("auto")
    return {"serial_s": serial, "parallel_s": parallel, "parallel_vs_serial": parallel / serial,
            "workers": os.cpu_count()}


def bench_cold_provisioning() -> dict:
    """Empty engine to every image ready. Removes only stand-in images (labelled), never a user's."""
    from .images import BASE_IMAGE, STAND_INS, inspect_status, needed_images

    removed = []
    for image in [*STAND_INS, BASE_IMAGE]:
        status = inspect_status(image)
        if status and status.kind == "stand-in":
            subprocess.run(["docker", "image", "rm", "--force", image], capture_output=True, check=True)
            removed.append(image)
    seconds, proc = _timed(lambda: subprocess.run([sys.executable, "-m", "primer.images"], cwd=ROOT,
                                                  capture_output=True, text=True, timeout=900))
    if proc.returncode != 0:
        raise RuntimeError(f"provisioning failed:\n{proc.stdout}{proc.stderr}")
    return {"seconds": seconds, "images": needed_images(), "rebuilt": removed}


def _is_search(url: str) -> bool:
    return "/search/search_index.json" in url or "/workers/search." in url


def page_weights(site: Path) -> dict[str, dict]:
    """What a browser with an empty cache really fetches for each page: HTML, CSS, JS (Mermaid's
    chunks included, which only a browser knows it needs), fonts and images, raw and gzipped;
    the search worker and index apart (they load after the page, for the search box)."""
    from .browser import chromium, offline_context
    from .site_server import serve_site

    weights = {}
    with serve_site(site) as site_url, chromium() as browser:
        for path in [p for p in page_urls() if p.endswith("/") or p == ""]:
            context = offline_context(browser, site_url)  # a fresh one each time: an empty cache
            page = context.new_page()
            finished: list = []
            page.on("requestfinished", finished.append)
            page.goto(site_url + path)
            page.wait_for_load_state("networkidle")
            bodies = [(r.url, r.response().body()) for r in finished if r.response()]
            page_bodies = [body for url, body in bodies if not _is_search(url)]
            weights[path or "index"] = {
                "raw_kb": sum(map(len, page_bodies)) / 1000,
                "gzip_kb": sum(len(gzip.compress(body)) for body in page_bodies) / 1000,
                "requests": len(page_bodies),
                "with_search_raw_kb": sum(len(body) for _, body in bodies) / 1000,
                "diagram": mermaid_blocks((site / path / "index.html").read_text(encoding="utf-8")) > 0,
            }
            context.close()
    return weights


def bench_site() -> dict:
    from .site import build_site

    with tempfile.TemporaryDirectory() as site_dir:
        seconds, _ = _timed(lambda: build_site(Path(site_dir)))
        return {"build_s": seconds, "pages": page_weights(Path(site_dir))}


# --- report --------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="alternating runs per example and tool (default 5)")
    parser.add_argument("--skip-cold", action="store_true", help="do not rebuild stand-in images")
    parser.add_argument("--example", action="append", help="bench only this example (repeatable)")
    args = parser.parse_args(argv)

    import docker

    report: dict = {"format": BENCH_FORMAT, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cpus": os.cpu_count(),
                    "engine": docker.from_env().version().get("Version"), "compose": compose_version(),
                    "runs": args.runs}
    print("site ...", flush=True)
    report["site"] = bench_site()
    print("examples (ours / floor / testcontainers) ...", flush=True)
    with _bench_session(docker.from_env()):
        report["examples"] = bench_examples(args.runs, args.example)
    print("suite ...", flush=True)
    report["suite"] = bench_suite()
    if not args.skip_cold:
        print("cold provisioning ...", flush=True)
        report["cold"] = bench_cold_provisioning()
    rows = report["examples"]
    pages = report["site"]["pages"]
    text_pages = [w["raw_kb"] for w in pages.values() if not w["diagram"]]
    diagram_pages = [w["raw_kb"] for w in pages.values() if w["diagram"]]
    report["summary"] = {
        "median_ours_vs_floor": statistics.median(r["ours_vs_floor"] for r in rows),
        "median_ours_vs_testcontainers": statistics.median(r["ours_vs_testcontainers"] for r in rows),
        "slowest_down_s": max(r["slowest_down_s"] for r in rows),
        "parallel_vs_serial": report["suite"]["parallel_vs_serial"],
        "serial_s": report["suite"]["serial_s"], "parallel_s": report["suite"]["parallel_s"],
        "mkdocs_build_s": report["site"]["build_s"],
        **({"first_load_kb": pages["index"]["raw_kb"]} if "index" in pages else {}),
        **({"heaviest_text_page_kb": max(text_pages)} if text_pages else {}),
        **({"heaviest_diagram_page_kb": max(diagram_pages)} if diagram_pages else {}),
        **({"cold_provisioning_s": report["cold"]["seconds"]} if "cold" in report else {}),
    }
    reports.write(reports.BENCH, {key: value for key, value in report.items() if key != "format"})
    print(table(report))
    print(f"\nwritten to {BENCH_REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
