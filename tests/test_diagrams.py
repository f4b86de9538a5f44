"""primer/diagrams.py without a browser: what it reads from a page, what it writes back, what
slimming keeps, and when it needs no browser at all. (Drawing in Chromium: tests/site/test_features.py.)"""
from pathlib import Path

import pytest

from primer import diagrams
from primer.diagrams import Drawings, as_source_text, prerender, slim, sources, with_svgs

LOADER = ('<script type=module id=primer-mermaid-loader>\n import mermaid from "../m.mjs";\n'
          ' window.mermaid = mermaid;\n</script> ')
PAGE = (f'<html><head>{LOADER}</head><body><p>before</p>'
        '<pre class=mermaid><code>flowchart LR\n  a["x &amp; y"] --&gt; b</code></pre>'
        '<pre class="mermaid"><code>flowchart TB\n  c --&gt; d</code></pre><p>after</p></body></html>')


def test_sources_are_the_text_the_theme_hands_to_mermaid():
    assert sources(PAGE) == ['flowchart LR\n  a["x & y"] --> b', "flowchart TB\n  c --> d"]
    assert sources("<pre><code>flowchart LR</code></pre>") == []


def test_drawn_svgs_replace_the_blocks_in_order_and_the_loader_goes():
    drawn = with_svgs(PAGE, ["<svg>one</svg>", "<svg>two</svg>"])
    assert drawn == ('<html><head></head><body><p>before</p>'
                     '<div class=mermaid><template shadowrootmode=open><svg>one</svg></template></div>'
                     '<div class=mermaid><template shadowrootmode=open><svg>two</svg></template></div>'
                     '<p>after</p></body></html>')


SVG = ('<svg id="m0" class="flowchart" viewBox="0 0 100.123456 50"><style>#m0 .node rect{fill:red}'
       '#m0 .cluster rect{fill:blue}#m0 .edge-animation-fast{animation:dash 20s}#m0 p{margin:0}'
       '@keyframes dash{to{stroke-dashoffset:0}}</style>'
       '<g><marker id="m0_pointEnd" class="marker"><path d="M 0 0 L 10 5 z"></path></marker>'
       '<marker id="m0_circleEnd" class="marker"><circle r="5"></circle></marker></g>'
       '<g class="node"><rect x="1.23456789" width="50"></rect></g>'
       '<path d="M1,2L3,4" class="flowchart-link" style="" marker-end="url(#m0_pointEnd)" '
       'data-points="W3sieCI6OTc5" data-id="L_a_b_0"></path></svg>')


def test_slimming_drops_what_draws_nothing_and_keeps_every_coordinate():
    slimmed = slim(SVG)
    assert 'id="m0_pointEnd"' in slimmed and 'id="m0_circleEnd"' not in slimmed, "only the marker a line uses stays"
    assert "data-points" not in slimmed and "data-id" not in slimmed
    assert "#m0 .node rect{fill:red}" in slimmed and "#m0 p{margin:0}" in slimmed
    assert ".cluster" not in slimmed and "edge-animation-fast" not in slimmed, "rules for classes the SVG lacks go"
    assert 'viewBox="0 0 100.123456 50"' in slimmed and 'x="1.23456789"' in slimmed


def test_a_drawing_is_named_by_the_text_and_the_versions(tmp_path: Path):
    old = Drawings(tmp_path, versions="mermaid 11.0.0")
    old.put("flowchart LR\n a --> b", "<svg>old</svg>")
    assert old.get("flowchart LR\n a --> b") == "<svg>old</svg>"
    assert old.get("flowchart LR\n a --> c") is None
    assert Drawings(tmp_path, versions="mermaid 11.1.0").get("flowchart LR\n a --> b") is None
    assert not list(tmp_path.glob("*.tmp")), "a half-written drawing was left behind"


def test_the_mermaid_version_comes_from_the_lock_file_not_node_modules(tmp_path: Path):
    lock = tmp_path / "package-lock.json"
    lock.write_text('{"packages": {"node_modules/mermaid": {"version": "11.17.2"}}}')
    assert diagrams._versions(lock).startswith("mermaid 11.17.2; mkdocs-material ")
    lock.write_text("{}")
    with pytest.raises(diagrams.DiagramError, match="package-lock.json: no Mermaid version"):
        diagrams._versions(lock)


def _site_with_page(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "ports").mkdir(parents=True)
    (site / "ports" / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "index.html").write_text("<p>no diagram</p>", encoding="utf-8")
    return site


def test_with_every_drawing_committed_no_browser_is_started_and_unused_ones_go(tmp_path: Path, monkeypatch):
    site = _site_with_page(tmp_path)
    drawings = Drawings(tmp_path / "drawings", versions="test")
    for source, svg in zip(sources(PAGE), ["<svg>one</svg>", "<svg>two</svg>"], strict=True):
        drawings.put(source, svg)
    drawings.put("flowchart LR\n gone --> away", "<svg>old</svg>")
    monkeypatch.setattr(diagrams, "_draw_in_browser", lambda *a: pytest.fail("started a browser"))
    outcome = prerender(site, drawings)
    assert (outcome.pages, outcome.diagrams, outcome.drawn_now, outcome.undrawn) == (1, 2, 0, [])
    assert (site / "ports" / "index.html").read_text() == with_svgs(PAGE, ["<svg>one</svg>", "<svg>two</svg>"])
    assert outcome.removed == [drawings.name("flowchart LR\n gone --> away")]
    assert sorted(p.name for p in (tmp_path / "drawings").iterdir()) == sorted(drawings.name(s) for s in sources(PAGE))


def test_a_new_diagram_that_cannot_be_drawn_is_named_with_the_command_that_draws_it(tmp_path: Path, monkeypatch):
    site = _site_with_page(tmp_path)
    monkeypatch.setattr(diagrams, "why_it_cannot_draw", lambda: "there is no Chromium at /usr/bin/chromium")
    monkeypatch.setattr(diagrams, "MERMAID_JS", tmp_path / "no-mermaid.mjs")
    drawings = Drawings(tmp_path / "drawings", versions="test")
    drawings.put("flowchart TB\n  c --> d", "<svg>two</svg>")  # the other one is new
    outcome = prerender(site, drawings, {str(site / "ports" / "index.html"): "docs/ports.md"})
    assert outcome.undrawn == [
        "docs/ports.md: 1 diagram(s) without a drawing in diagrams/ (new or changed; the first starts "
        "'flowchart LR'), and there is no Chromium at /usr/bin/chromium. Draw them with "
        f"{diagrams.DRAW_COMMAND}, then commit the new files in diagrams/"]
    built = (site / "ports" / "index.html").read_text()
    assert built == as_source_text(PAGE) and "class=mermaid" not in built and "mermaid-loader" not in built, \
        "without a local Mermaid, an undrawn diagram must not make the theme fetch one"
    assert outcome.removed == [], "nothing is removed from diagrams/ by a build that could not draw"


class _FakeContext:
    def __init__(self, opened: list):
        self.opened = opened
        opened.append(self)
        self.closed = False

    def add_init_script(self, script): pass

    def route(self, pattern, handler): pass

    def new_page(self): return self

    def close(self): self.closed = True


class _FakeBrowser:
    def __init__(self): self.contexts = []

    def new_context(self): return _FakeContext(self.contexts)


def test_a_load_aborted_for_a_network_change_is_made_again_in_a_fresh_context(monkeypatch):
    """Chromium aborts requests when Docker adds an interface: the build must not fail for it."""
    outcomes = iter([diagrams._NetworkChanged("a.mjs"), diagrams._NetworkChanged("b.mjs"), ["<svg/>"]])

    def draw_page(page, url, name, page_sources):
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(diagrams, "draw_page", draw_page)
    browser = _FakeBrowser()
    assert diagrams.draw_in_fresh_contexts(browser, "http://s/", "http://s/p/", "docs/p.md", ["x"]) == ["<svg/>"]
    assert len(browser.contexts) == 3 and all(c.closed for c in browser.contexts)


def test_a_page_aborted_every_time_is_an_error_that_says_so(monkeypatch):
    def draw_page(page, url, name, page_sources):
        raise diagrams._NetworkChanged("a.mjs")

    monkeypatch.setattr(diagrams, "draw_page", draw_page)
    with pytest.raises(diagrams.DiagramError, match=r"docs/p\.md: Chromium aborted the page 3 times for a network change"):
        diagrams.draw_in_fresh_contexts(_FakeBrowser(), "http://s/", "http://s/p/", "docs/p.md", ["x"])
