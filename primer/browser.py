"""The one browser everything here drives: Debian's Chromium through Playwright (never
`playwright install`, whose download this machine cannot reach). The browser tests, the bench
and the build's diagram drawing (primer/diagrams.py) all start it the same way."""
from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("PRIMER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file()
