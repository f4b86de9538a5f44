"""The one browser everything here drives: Debian's Chromium through Playwright (never
`playwright install`, whose download this machine cannot reach). The browser tests, the bench
and the build's diagram drawing (primer/diagrams.py) all start it the same way."""
from __future__ import annotations

import os
from pathlib import Path

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
