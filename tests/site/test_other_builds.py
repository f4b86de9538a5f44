"""The site built as other people build it, each in a copy of the project (tests/project_copy.py):

- a newcomer on the ordinary MkDocs path, a virtualenv with nothing but `pip install -r
  requirements.txt` and `mkdocs build --strict`, no npm and no drawing: every diagram is a
  picture all the same (the drawings are committed, primer/diagrams.py);
- a fresh clone before any test run: no report, so no marks, and one notice that says so.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from primer import ROOT
from primer.browser import NETWORK_CHANGED, load_again_after_network_change, offline_context
from primer.site import build_site
from primer.site_server import serve_site
from tests.project_copy import copy_project
from tests.site import pages

pytestmark = pytest.mark.browser

PIP_TIMEOUT_S = 600
# The diagram's text where a reader would see it: a Mermaid source line.
MERMAID_SOURCE = re.compile(r"^\s*(flowchart|graph)\s+(LR|RL|TB|TD|BT)\b", re.MULTILINE)
# Each div.mermaid and what its shadow root holds (the build's roots are declarative and open).
DRAWN = """() => [...document.querySelectorAll("div.mermaid")].map(box =>
  box.shadowRoot ? box.shadowRoot.querySelectorAll("svg g").length : -1)"""


def _visit(browser, site_url: str, path: str):
    """A page of a copy's site in a fresh context that reaches nothing else (primer.browser)."""
    def load():
        context = offline_context(browser, site_url)
        page = context.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.failure or ""))
        page.goto(site_url + path, wait_until="load")
        return context, page, failed

    context, page, _ = load_again_after_network_change(
        load, lambda opened: any(NETWORK_CHANGED in failure for failure in opened[2]), lambda opened: opened[0].close())
    return context, page


def _requirements_hash() -> str:
    """The key scripts/lib/venv.sh files an environment built from the pins alone under."""
    pins = [ROOT / "requirements.txt", *sorted((ROOT / "requirements").glob("*.txt"))]
    return hashlib.sha256(b"".join(p.read_bytes() for p in pins)).hexdigest()[:16]


def _environment_from_requirements_txt(tmp_path: Path) -> Path:
    """A virtualenv with nothing in it but `pip install -r requirements.txt`. The one scripts/test
    runs in is exactly that (venv.sh records the pins' hash, with a suffix for any extra
    requirements file), built once per set of pins; anywhere else a fresh one is made."""
    running = Path(sys.prefix)
    if (running / ".requirements.sha256").is_file() and \
            (running / ".requirements.sha256").read_text().strip() == _requirements_hash():
        return running
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # --no-compile: a throwaway environment, used for one build.
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                          "--no-compile", "-r", "requirements.txt"], cwd=ROOT, capture_output=True, text=True,
                         timeout=PIP_TIMEOUT_S)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return venv


@pytest.mark.early  # needs neither site/ nor this run's reports, and may be a long pip install
def test_the_ordinary_mkdocs_path_shows_every_diagram_as_a_picture(browser, tmp_path: Path):
    project = copy_project(tmp_path / "project")  # no node_modules: no npm was run
    venv = _environment_from_requirements_txt(tmp_path)
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PRIMER_BUILT_SITE")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    build = subprocess.run([str(venv / "bin" / "mkdocs"), "build", "--strict"], cwd=project, env=env,
                           capture_output=True, text=True, timeout=300)
    log = build.stdout + build.stderr
    assert build.returncode == 0, log
    assert "(0 drawn now, the rest from diagrams/)" in log, log  # nothing needed drawing here
    site = project / "site"
    with serve_site(site) as url:
        for path in pages.diagram_pages():
            expected = pages.diagrams_in_markdown(path)
            context, page = _visit(browser, url, path)
            try:
                drawn = page.evaluate(DRAWN)
                article = page.locator("article").inner_text()
            finally:
                context.close()
            assert len(drawn) == expected and all(groups > 0 for groups in drawn), \
                f"{path}: {expected} diagram(s) expected as pictures, found {drawn} (svg groups per box)"
            assert not MERMAID_SOURCE.search(article), f"{path}: a diagram shows as its Mermaid text"
            assert "primer-mermaid-loader" not in (site / path / "index.html").read_text(encoding="utf-8")


NOTICE = "This copy of the site was built without a test report"
# A mark drawn from the report (not "not checked here", which says where a statement holds).
MARK = re.compile(r"""<span class=["']?claim-mark claim-mark--(?:verified|failed|unverified)[^>]*>[^<]*""")


def test_a_build_without_a_test_report_says_so_once_and_marks_nothing(browser, tmp_path: Path):
    project = copy_project(tmp_path / "project", with_node_modules=True)
    assert not (project / "reports").exists()
    build_site(project / "site", root=project)
    built = sorted((project / "site").rglob("index.html"))
    assert len(built) >= len(pages.markdown_pages()), built
    for page_file in built:
        text = page_file.read_text(encoding="utf-8")
        name = page_file.relative_to(project / "site")
        assert text.count(NOTICE) == 1, f"{name}: the notice is not there exactly once"
        assert not MARK.search(text), f"{name}: a claim or an example is marked: {MARK.search(text).group(0)}"
    with serve_site(project / "site") as url:
        context, page = _visit(browser, url, "ports/")
        try:
            banner = page.locator(".md-banner")
            assert banner.count() == 1 and banner.is_visible(), "the notice is not shown"
            assert NOTICE in banner.inner_text()
        finally:
            context.close()
