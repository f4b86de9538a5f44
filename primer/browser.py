"""The one browser everything here drives: Debian's Chromium through Playwright (never
`playwright install`, whose download this machine cannot reach). The browser tests, the bench
and the build's diagram drawing (primer/diagrams.py) all start it the same way."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

CHROMIUM = os.environ.get("PRIMER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


# Chromium aborts every request in flight with this error when a network interface comes or
# goes (its NetworkChangeNotifier), as Docker's bridges and veths do all the time. A page load
# it hit is made again, at most NETWORK_CHANGED_LOADS times (the build's diagram drawing, the
# browser tests).
NETWORK_CHANGED = "ERR_NETWORK_CHANGED"
NETWORK_CHANGED_LOADS = 3


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file()


class BrowserUnavailable(RuntimeError):
    """No Chromium, or no Playwright, on this machine; the message says how to get it."""


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright; closed afterwards."""
    if not chromium_available():
        raise BrowserUnavailable(f"{CHROMIUM} not found: apt-get install chromium (scripts/test does so as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserUnavailable("Playwright is not installed: pip install -r requirements.txt") from None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def keep_offline(context: Any, allowed: Callable[[str], bool]) -> None:
    """Let the context's pages reach only URLs `allowed` accepts; abort the rest at once. A page
    that reached for a CDN on a machine with no internet would otherwise hang until a timeout."""
    context.route("**/*", lambda route: route.continue_() if allowed(route.request.url)
                  else route.abort("blockedbyclient"))


def offline_context(browser: Any, site_url: str, **options: Any) -> Any:
    """A fresh browser context (no cache, nothing stored) whose pages reach only `site_url`."""
    context = browser.new_context(**options)
    keep_offline(context, lambda url: url.startswith(site_url))
    return context


def load_again_after_network_change(load: Callable[[], T], changed: Callable[[T], bool],
                                    discard: Callable[[T], None]) -> T:
    """The one retry: `load()` again, at most NETWORK_CHANGED_LOADS times in all, while
    `changed(result)` says Chromium aborted it for a network change; the results not kept are
    `discard`ed. The last result is returned even if it saw a change: the caller reports it."""
    result = load()
    for _ in range(NETWORK_CHANGED_LOADS - 1):
        if not changed(result):
            break
        discard(result)
        result = load()
    return result
