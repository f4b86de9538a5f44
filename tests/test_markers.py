"""primer/markers.py: one syntax for the page markers, read by one lexer, filled in by one dispatcher."""
import pytest

from primer import captures, claims, markers, topology
from primer.bench_page import BENCH_COMMENT
from primer.markers import Marker, MarkerError, lex

PAGE = """# Ports

<!-- topology: publish-vs-expose -->

<!-- claim: redis-not-reachable -->
Redis answers only inside the stack.

<!-- output: ports-compose-ps -->
```text
$ docker compose ps
```
"""


def test_the_lexer_reads_every_marker_with_its_line():
    assert lex(PAGE, "docs/ports.md") == [Marker("topology", "publish-vs-expose", 3),
                                         Marker("claim", "redis-not-reachable", 5),
                                         Marker("output", "ports-compose-ps", 8)]


def test_a_misspelt_kind_is_an_error_that_names_the_file_and_line():
    with pytest.raises(MarkerError, match=r"^docs/ports\.md:2: unknown marker <!-- claims: \.\.\. --> "
                                          r"\(the kinds: claim, output, topology, bench, proven, unchecked\)$"):
        lex("Text.\n<!-- claims: redis-not-reachable -->\nRedis.\n", "docs/ports.md")


def test_an_argument_that_is_not_kebab_case_is_an_error():
    with pytest.raises(MarkerError, match=r"^docs/x\.md:1: the output marker's argument 'Ports_PS' is not kebab-case"):
        lex("<!-- output: Ports_PS -->\n", "docs/x.md")


def test_a_comment_that_is_no_marker_is_left_alone():
    assert lex("<!-- a note for writers, not for the build -->\n") == []


def test_every_kind_is_read_with_the_one_template():
    for pattern, kind in [(claims.CLAIM_COMMENT, "claim"), (captures.OUTPUT_COMMENT, "output"),
                          (topology.TOPOLOGY_COMMENT, "topology"), (BENCH_COMMENT, "bench")]:
        assert f"<!--\\s*{kind}:\\s*(?P<" in pattern.pattern, (kind, pattern.pattern)
    assert set(markers.KINDS) == {"claim", "output", "topology", "bench", "proven", "unchecked"}


def test_an_unchecked_statement_gets_a_mark_that_says_where_it_holds():
    html = claims.render_unchecked_marks("<!-- unchecked: docker-desktop -->\nThe address cannot be reached.\n")
    assert html.startswith('<span class="claim-mark claim-mark--elsewhere" data-unchecked="docker-desktop" tabindex="0">'
                           'not checked here<span class="claim-mark__details">'
                           'it holds on Docker Desktop (macOS, '
                           "Windows), and this site&#x27;s tests run on Linux</span></span> The address")
    assert "verified" not in html


def test_an_unchecked_statement_needs_a_known_reason():
    with pytest.raises(MarkerError, match=r"^docs/x\.md:1: unknown reason 'on-mars' for an unchecked statement"):
        lex("<!-- unchecked: on-mars -->\nText.\n", "docs/x.md")
