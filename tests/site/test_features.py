"""What a learner does on the site: search, copy an example, read a diagram, switch colours, use the keyboard."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.site import pages
from tests.site.reader import COPY_BUTTON, switch_scheme

pytestmark = pytest.mark.browser


# --- search -------------------------------------------------------------------------------

# (term, the page that teaches it): the page must be among the first results and open on click.
SEARCHES = [("expose", "ports/")]
TOP_RESULTS = 3


@pytest.mark.parametrize("term, teaching_page", SEARCHES)
def test_search_finds_the_page_that_teaches_a_term(open_page, site_url: str, term: str, teaching_page: str):
    page, visit = open_page("")
    page.locator("input.md-search__input").click()
    page.keyboard.type(term)
    results = page.locator(".md-search-result__item > a.md-search-result__link")
    results.first.wait_for()
    hrefs = [results.nth(i).get_attribute("href") for i in range(min(results.count(), TOP_RESULTS))]
    wanted = [i for i, href in enumerate(hrefs) if href.split("?")[0] == site_url + teaching_page]
    assert wanted, f"searching {term!r}: {teaching_page} is not among the first {TOP_RESULTS} results {hrefs}"
    results.nth(wanted[0]).click()
    page.wait_for_url(re.compile(re.escape(site_url + teaching_page)))
    visit.settle(page)
    assert page.locator("article mark", has_text=re.compile(term, re.IGNORECASE)).count() > 0, \
        f"{page.url}: the search term is not highlighted on the page it opened"
    assert not visit.problems(), "\n".join(visit.problems())


# --- copy buttons ---------------------------------------------------------------------------

@pytest.mark.parametrize("include", pages.whole_file_includes(), ids=lambda i: f"{i.page or 'index'}:{i.path}")
def test_the_copy_button_copies_the_example_file(loaded_page, include: pages.WholeFileInclude):
    """What the learner pastes is the file in examples/, with two differences the theme and the
    include make, both harmless for Compose: Material trims trailing whitespace (the final
    newline), and pymdownx.snippets drops `# --8<-- [start:name]` section-marker lines."""
    page, visit = loaded_page(include.page)
    blocks = page.locator(".highlight", has=page.locator(".filename", has_text=re.compile(
        rf"^\s*{re.escape(include.path)}\s*$")))
    assert blocks.count() > include.nth, f"{include.page}: no code block titled {include.path}"
    block = blocks.nth(include.nth)
    # A block inside a collapsed <details> is copied after opening it.
    block.evaluate("el => { for (let d = el.closest('details'); d; d = d.parentElement.closest('details')) d.open = true; }")
    block.hover()
    block.locator(COPY_BUTTON).first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    expected = pages.shown_text(include.file)
    assert copied == expected.rstrip(), (
        f"{include.page}: the copy button of {include.path} copies other text than the file:\n"
        f"--- copied\n{copied}\n--- file (section markers dropped, trailing whitespace trimmed)\n{expected.rstrip()}")
    assert not visit.problems(), "\n".join(visit.problems())


# --- diagrams -------------------------------------------------------------------------------

def _shadow_svgs(page, context) -> list[dict]:
    """Each div.mermaid's closed shadow root, read through the DevTools protocol (`pierce`),
    which a page script cannot do: whether it holds an <svg>, and the text drawn in it."""
    cdp = context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    found = []

    def texts(node) -> list[str]:
        own = [node["nodeValue"].strip()] if node.get("nodeType") == 3 and node.get("nodeValue", "").strip() else []
        return own + [t for child in node.get("children", []) for t in texts(child)]

    def walk(node):
        attributes = dict(zip(node.get("attributes", [])[::2], node.get("attributes", [])[1::2]))
        if node.get("nodeName") == "DIV" and "mermaid" in attributes.get("class", "").split():
            svgs = [c for root in node.get("shadowRoots", []) for c in root.get("children", [])
                    if c.get("nodeName") == "svg"]
            found.append({"svg": bool(svgs), "nodes": sum(len(s.get("children", [])) for s in svgs),
                          "text": " ".join(t for s in svgs for t in texts(s))})
        for child in node.get("children", []) + node.get("shadowRoots", []):
            walk(child)

    walk(root)
    cdp.detach()
    return found


@pytest.mark.parametrize("path", pages.diagram_pages(), ids=lambda p: p or "index")
def test_diagrams_render_as_svg(loaded_page, built_site: Path, path: str):
    source = (built_site / path / "index.html").read_text(encoding="utf-8")
    expected = pages.mermaid_blocks(source)
    assert expected, (f"{path}: the page's Markdown draws a diagram but the built page has no "
                      "mermaid block (no local Mermaid? `npm ci` installs node_modules/mermaid)")
    page, visit = loaded_page(path)
    boxes = page.locator("div.mermaid")
    boxes.first.wait_for(state="attached")
    page.wait_for_function(f"document.querySelectorAll('div.mermaid').length >= {expected}")
    sizes = boxes.evaluate_all("els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])")
    assert all(w > 50 and h > 20 for w, h in sizes), f"{path}: a diagram box is empty: {sizes}"
    assert page.locator("pre.mermaid").count() == 0, f"{path}: a diagram was left as source text"
    drawn = _shadow_svgs(page, page.context)
    assert len(drawn) == expected and all(d["svg"] and d["nodes"] for d in drawn), f"{path}: {drawn}"
    errors = [d["text"] for d in drawn if re.search(r"syntax error|parse error", d["text"], re.IGNORECASE)]
    assert not errors, f"{path}: Mermaid drew an error instead of the diagram: {errors}"
    assert not visit.problems(), f"{path}:\n" + "\n".join(visit.problems())


@pytest.mark.parametrize("path", pages.diagram_pages(), ids=lambda p: p or "index")
def test_the_build_draws_the_diagrams_so_the_page_loads_no_mermaid(loaded_page, built_site: Path, path: str):
    """About 870 KB of Mermaid on every diagram page, gone (primer/diagrams.py). The build can
    leave diagrams to the reader's browser only where it has no Chromium, never in CI."""
    source = (built_site / path / "index.html").read_text(encoding="utf-8")
    assert pages.undrawn_mermaid_blocks(source) == 0, f"{path}: the build left a diagram for the browser to draw"
    assert "primer-mermaid-loader" not in source, f"{path}: the page still loads Mermaid"
    page, visit = loaded_page(path)
    fetched = [url for url in visit.requests if "/javascripts/mermaid/" in url]
    assert not fetched, f"{path}: the page fetched Mermaid anyway: {fetched[:3]}"


def test_a_diagram_mermaid_cannot_parse_fails_the_build_naming_its_page(browser, built_site: Path, tmp_path: Path):
    """The build draws the diagrams in Chromium; a broken one must stop it with the page's name
    and Mermaid's own message, not leave a picture of an error on the site."""
    from primer import diagrams
    from primer.site_server import serve_site

    path = pages.diagram_pages()[0]
    site = tmp_path / "site"  # the built site, with this one page as the build leaves it for drawing
    site.mkdir()
    for entry in built_site.iterdir():
        if entry.name != path.split("/")[0]:
            (site / entry.name).symlink_to(entry)
    broken = '<pre class=mermaid><code>flowchart LR\n  a --&gt;\n  b[[[ --</code></pre>'
    loader = ('<script type=module id=primer-mermaid-loader>import mermaid from '
              '"/assets/javascripts/mermaid/mermaid.esm.min.mjs"; window.mermaid = mermaid;</script>')
    html = re.sub(r"<div class=mermaid><template shadowrootmode=open>.*?</template></div>", lambda m: broken,
                  (built_site / path / "index.html").read_text(encoding="utf-8"), count=1, flags=re.DOTALL)
    (site / path).mkdir(parents=True)
    (site / path / "index.html").write_text(html.replace("</head>", loader + "</head>"), encoding="utf-8")
    with serve_site(site) as site_url, pytest.raises(
            diagrams.DiagramError, match=r"^docs/broken\.md: Mermaid cannot draw a diagram on this page: Parse error"):
        diagrams.draw_in_fresh_contexts(browser, site_url, site_url + path, "docs/broken.md", diagrams.sources(html))


def _drawn_colours(page) -> dict[str, str]:
    return page.evaluate("""() => {
        const svg = document.querySelector("div.mermaid").shadowRoot.querySelector("svg");
        const style = selector => { const e = svg.querySelector(selector); return e && getComputedStyle(e).fill; };
        return {node: style(".node rect, .node polygon, .node path"), label: getComputedStyle(svg.querySelector(".nodeLabel, .label")).color};
    }""")


def test_a_diagram_drawn_by_the_build_follows_the_colour_scheme(open_page):
    """One drawing serves both schemes: the theme draws with its CSS variables, which the
    palette toggle changes."""
    page, visit = open_page(pages.diagram_pages()[0], color_scheme="light")
    light = _drawn_colours(page)
    switch_scheme(page, "slate")
    dark = _drawn_colours(page)
    assert all(light.values()) and all(dark.values()) and light["label"] != dark["label"], \
        f"the diagram does not follow the scheme: light {light}, dark {dark}"
    assert not visit.problems(), "\n".join(visit.problems())


def test_every_built_diagram_page_is_tested(built_site: Path):
    drawn = sorted(str(p.parent.relative_to(built_site)) for p in built_site.rglob("index.html")
                   if pages.mermaid_blocks(p.read_text(encoding="utf-8")))
    drawn = ["" if d == "." else f"{d}/" for d in drawn]
    untested = sorted(set(drawn) - set(pages.diagram_pages()))
    assert not untested, f"pages with a diagram that tests/site/pages.py:diagram_pages() misses: {untested}"


# --- colour scheme --------------------------------------------------------------------------

def _scheme(page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def test_the_dark_mode_toggle_switches_and_persists_across_pages(open_page):
    page, visit = open_page("", color_scheme="light")
    assert _scheme(page) == "default"
    switch_scheme(page, "slate")
    stored = page.evaluate("Object.entries(localStorage).filter(([k]) => k.endsWith('__palette'))")
    assert stored and '"scheme":"slate"' in stored[0][1], f"the choice is not stored: {stored}"
    page.goto("ports/")
    visit.settle(page)
    assert _scheme(page) == "slate", "the dark scheme was not kept on the next page"
    switch_scheme(page, "default")
    page.reload()
    visit.settle(page)
    assert _scheme(page) == "default", "switching back to light did not persist"
    assert not visit.problems(), "\n".join(visit.problems())


@pytest.mark.parametrize("color_scheme, expected", [("light", "default"), ("dark", "slate")])
def test_the_site_follows_the_system_colour_scheme(open_page, color_scheme: str, expected: str):
    page, _ = open_page("", color_scheme=color_scheme)
    assert _scheme(page) == expected


# --- keyboard -------------------------------------------------------------------------------

def test_keyboard_alone_reaches_a_page_through_the_navigation(open_page, site_url: str):
    page, visit = open_page("")
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.textContent.trim()")
    assert first == "Skip to content", f"the first Tab should reach the skip link, got {first!r}"
    target = "Ports: publish and expose"
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent.trim()]")
        if "md-nav__link" in focused[0] and focused[1] == target:
            break
    else:
        pytest.fail(f"60 presses of Tab never focused the navigation link {target!r}")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused link shows no focus outline"
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + "ports/")
    visit.settle(page)
    assert "Ports" in page.locator("h1").first.inner_text()
    assert not visit.problems(), "\n".join(visit.problems())


# --- captured output and take-away bundles (primer.captures, primer.bundles) ----------------

@pytest.mark.parametrize("path", ["ports/"])  # the page's parameter groups it with the page's other tests
def test_a_what_you_will_see_block_shows_the_command_and_its_output(loaded_page, path: str):
    page, visit = loaded_page(path)
    caption = page.locator("p.captured-output").filter(has_text="What you will see").nth(1)
    caption.wait_for()
    # Captured by a test run (with date and engine) or, before any run, the page's expected text.
    assert re.search(r"captured by the tests on \d{4}-\d\d-\d\d against Docker engine|carries no capture of it",
                     caption.inner_text()), caption.inner_text()
    block = page.locator("p.captured-output + div.highlight").nth(1).inner_text()
    assert block.startswith("$ docker run --rm --network host redis:7 redis-cli -p 6379 ping"), block
    assert "Could not connect to Redis at 127.0.0.1:6379: Connection refused" in block, block
    assert not visit.problems(), "\n".join(visit.problems())


def test_the_download_link_gives_the_example_folder_as_a_zip(open_page, tmp_path: Path):
    import zipfile

    from primer import EXAMPLES_DIR
    from primer.includes import is_shown

    page, visit = open_page("ports/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the folder (publish-vs-expose.zip)").click()
    saved = tmp_path / "bundle.zip"
    download.value.save_as(saved)
    folder = EXAMPLES_DIR / "publish-vs-expose"
    expected = {f"publish-vs-expose/{p.relative_to(folder).as_posix()}": p.read_bytes()
                for p in folder.rglob("*") if p.is_file() and is_shown(p)}
    with zipfile.ZipFile(saved) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == expected
    # Chromium ends the navigation of a link that turns into a download with ERR_ABORTED.
    others = [p for p in visit.problems() if not p.endswith("/downloads/publish-vs-expose.zip")]
    assert not others, "\n".join(others)
