"""Fixtures for the browser tests: one fresh strict build per test session, served on 127.0.0.1.

- `built_site`: `mkdocs build --strict` into the session's temp dir. Under xdist the first
  worker builds under a file lock and the others reuse that build (or its error). Under
  scripts/test, the site it has just built strictly from this run's reports, which is the
  site it leaves for readers (PRIMER_BUILT_SITE).
- `site_url`: a `http.server` on 127.0.0.1 with a port the kernel picks, one per worker.
- `browser`: Debian's Chromium through Playwright (never `playwright install`), one per worker.
- `open_page`: a fresh browser context per test that records every request, console error,
  page error and failed request, and aborts anything not addressed to our server, so a page
  that reaches for a CDN fails the test instead of hanging an offline machine;
- `loaded_page`: the same, but each page loaded once per worker and shared by its tests, across
  files (LoadedPages).
"""
from __future__ import annotations

import fcntl
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from primer import REPORTS_DIR
from primer.browser import (NETWORK_CHANGED, BrowserUnavailable, chromium, keep_offline,
                            load_again_after_network_change)
from primer.site import SiteBuildError, build_site
from primer.site_server import serve_site
from tests.scheduling import FIRST_OF_A_PAGE

QUIET_S = 0.2  # a page counts as loaded when no request has been in flight for this long
SETTLE_TIMEOUT_S = 10
SCREENSHOTS_DIR = REPORTS_DIR / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
# Chromium aborts a page's requests when a network interface comes or goes (primer/browser.py),
# and the Docker tests running beside these make and remove them all the time. Such a page
# load is made again (_Browsing.open); a test that fails with one seen later is run again
# (pytest-rerunfailures, matching NetworkChangedDuringTest only). A failure with no network change is never retried.
NETWORK_CHANGED_RERUNS = 2
_network_changes: list[str] = []


class NetworkChangedDuringTest(Exception):
    """A browser test failed while Chromium reported a network change (not the site's fault)."""


def pytest_collection_modifyitems(config, items):
    # A page's own checks before its other tests, which share the load (tests/scheduling.py).
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST_OF_A_PAGE))
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=NETWORK_CHANGED_RERUNS,
                                              only_rerun=["NetworkChangedDuringTest"]))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    seen_before = len(_network_changes)
    try:
        return (yield)
    except Exception as error:
        if item.get_closest_marker("browser") and len(_network_changes) > seen_before:
            raise NetworkChangedDuringTest(
                f"Chromium reported {NETWORK_CHANGED} during this test "
                f"({', '.join(_network_changes[seen_before:][:3])}): run again") from error
        raise
# Schemes that never leave the machine: inline data and objects the page made itself.
_LOCAL_SCHEMES = {"data", "blob", "about"}


# --- the site ---------------------------------------------------------------------------

def _shared_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory all xdist workers of this session share (the session's basetemp)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prebuilt = os.environ.get("PRIMER_BUILT_SITE")  # primer.checks has just built it, strictly
    if prebuilt:
        if not (Path(prebuilt) / "index.html").is_file():
            pytest.fail(f"PRIMER_BUILT_SITE={prebuilt} holds no built site (no index.html)", pytrace=False)
        return Path(prebuilt)
    shared = _shared_tmp(tmp_path_factory)
    site, failed = shared / "site", shared / "site.build-error"
    with open(shared / "site.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (site / "index.html").is_file() and not failed.exists():
            try:
                build_site(site)
            except SiteBuildError as error:
                failed.write_text(str(error))
        fcntl.flock(lock, fcntl.LOCK_UN)
    if failed.exists():
        pytest.fail(f"the site cannot be tested:\n{failed.read_text()}", pytrace=False)
    return site


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    with serve_site(built_site) as url:
        yield url


# --- the browser ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    try:
        with chromium() as browser:
            yield browser
    except BrowserUnavailable as error:
        pytest.fail(str(error), pytrace=False)


@dataclass
class Visit:
    """Everything one browser context saw; `problems()` is what a clean page must not have."""
    origin: str
    requests: list[str] = field(default_factory=list)
    off_site: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    in_flight: int = 0
    last_activity: float = field(default_factory=time.monotonic)

    def settle(self, page, quiet_s: float = QUIET_S, timeout_s: float = SETTLE_TIMEOUT_S) -> None:
        """Wait until no request has been in flight for `quiet_s`: Playwright's networkidle, with
        a shorter window (its 500 ms cost more than the page load itself)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.in_flight <= 0 and time.monotonic() - self.last_activity >= quiet_s:
                return
            page.wait_for_timeout(50)  # lets Playwright deliver the events that update us

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in _LOCAL_SCHEMES or f"{parts.scheme}://{parts.netloc}" == self.origin

    def saw_network_change(self) -> bool:
        return any(NETWORK_CHANGED in failure for failure in self.failed)

    def problems(self) -> list[str]:
        return ([f"request left 127.0.0.1: {u}" for u in self.off_site]
                + [f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"failed request: {m}" for m in self.failed])


class _Browsing:
    """Opens pages, each in a fresh browser context that records what it saw; closes them all."""

    def __init__(self, browser, site_url: str):
        self.browser, self.site_url = browser, site_url
        self.origin = site_url.rstrip("/")
        self.contexts: list = []

    def open(self, path: str | None = "", **options) -> tuple:
        """Load `path` in a fresh context. A load Chromium aborted for a network change is made
        again in a new one, at most NETWORK_CHANGED_LOADS times: far cheaper than rerunning the
        whole test, which stays the remedy for a change later in a test (measured: 1-3 test
        reruns per full run with this, 3-6 without)."""
        return load_again_after_network_change(lambda: self._open_once(path, **options),
                                               lambda opened: opened[1].saw_network_change(), self.discard)

    def discard(self, opened: tuple) -> None:
        """Close the context of an `open` result now, not at the end."""
        self.contexts.remove(opened[0].context)
        opened[0].context.close()

    def _open_once(self, path: str | None, *, color_scheme: str = "light", permissions: list[str] | None = None,
                   **context_options) -> tuple:
        context_options.setdefault("viewport", VIEWPORT)
        context = self.browser.new_context(base_url=self.site_url, color_scheme=color_scheme,
                                           permissions=permissions or [], **context_options)
        self.contexts.append(context)
        visit = Visit(self.origin)

        def activity(delta: int):
            visit.in_flight += delta
            visit.last_activity = time.monotonic()

        def on_request(request):
            activity(+1)
            visit.requests.append(request.url)
            if not visit.is_local(request.url):
                visit.off_site.append(request.url)

        def on_response(response):
            if response.status >= 400:
                visit.failed.append(f"{response.status} {response.url}")

        context.on("request", on_request)
        context.on("response", on_response)
        context.on("requestfinished", lambda r: activity(-1))
        def on_request_failed(request):
            activity(-1)
            visit.failed.append(f"{request.failure} {request.url}")
            if NETWORK_CHANGED in (request.failure or ""):
                _network_changes.append(request.url)

        context.on("requestfailed", on_request_failed)
        keep_offline(context, visit.is_local)  # never wait on the network we do not have
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and visit.console_errors.append(
            f"{m.text} ({m.location.get('url')}:{m.location.get('lineNumber')})"))
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
        page.set_default_timeout(15_000)
        if path is not None:
            page.goto(path, wait_until="load")
            visit.settle(page)
        return page, visit

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def open_page(browser, site_url: str) -> Iterator[Callable[..., tuple]]:
    """Factory: `page, visit = open_page("ports/", color_scheme="dark")`: loaded and settled, in a
    browser context of its own (nothing stored by an earlier test).

    After a later navigation in the same page, call `visit.settle(page)` before asserting.
    """
    browsing = _Browsing(browser, site_url)
    try:
        yield browsing.open
    finally:
        browsing.close()


class LoadedPages:
    """`page, visit = loaded_page("ports/")`: the page loaded once (light scheme, clipboard
    allowed) and shared by the tests that ask for it, across test files, since a load is most of
    a browser test's cost; the scheduler sends a page's tests to one worker, one after another
    (tests/scheduling.py). For tests that read the page, or act on it and put it back as they
    found it; anything that navigates, types or stores a setting takes `open_page`. A test that
    cannot put it back calls `forget(path)`, and the next one gets a fresh load."""

    KEPT = 1  # a worker runs a page's tests one after another, then moves on to another page

    def __init__(self, browsing: _Browsing):
        self.browsing = browsing
        self.loaded: dict[str, tuple] = {}

    def __call__(self, path: str = "") -> tuple:
        if path in self.loaded and self.loaded[path][1].saw_network_change():  # a rerun gets a clean load
            self.forget(path)
        if path not in self.loaded:
            while len(self.loaded) >= self.KEPT:
                self.forget(next(iter(self.loaded)))
            self.loaded[path] = self.browsing.open(path, permissions=["clipboard-read", "clipboard-write"])
        return self.loaded[path]

    def forget(self, path: str) -> None:
        opened = self.loaded.pop(path, None)
        if opened:
            self.browsing.discard(opened)


@pytest.fixture(scope="session")
def loaded_page(browser, site_url: str) -> Iterator[LoadedPages]:
    browsing = _Browsing(browser, site_url)
    try:
        yield LoadedPages(browsing)
    finally:
        browsing.close()
