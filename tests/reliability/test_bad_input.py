"""Bad input, and the exact message the user sees for each: a malformed compose file, a page
including a file that does not exist, a claim without a test and a test naming an unknown claim,
no Docker engine, a host port already taken."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest

from primer import ROOT, claims
from primer.examples import InvalidExample, load_config
from tests.reliability.sessions import NONE_LEFT, leftovers, run_session, scenario, sweeps_lock

GET_DOCKER = ("no Docker engine answers. Start Docker (Linux: `sudo systemctl start docker`; "
              "macOS/Windows: start Docker Desktop), or run `scripts/test` as root on Debian/Ubuntu "
              "to have one installed and started.")


# --- a malformed compose file ------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    # A tab on line 4; go-yaml (inside Compose) reports the line where the block began: 3.
    ('services:\n  web:\n    image: python:3.11-slim\n\tcommand: ["true"]\n',
     "yaml: line 3: found a tab character that violates indentation"),
    # A quote never closed on line 4.
    ('services:\n  web:\n    image: python:3.11-slim\n    command: "python -m http.server\n',
     "yaml: line 4: found unexpected end of stream"),
], ids=["tab", "unclosed-quote"])
def test_a_malformed_compose_file_is_reported_with_its_path_and_line(tmp_path, text, message):
    compose_file = tmp_path / "docker-compose.yml"
    compose_file.write_text(text)
    with pytest.raises(InvalidExample) as raised:
        load_config(compose_file)
    assert str(raised.value) == f"{compose_file.resolve()}: {message}"


# --- a page that includes a file that does not exist -------------------------------------

def test_a_page_including_a_missing_file_fails_the_strict_build_and_names_the_file(tmp_path):
    """A tiny site that inherits the repo's mkdocs.yml (its snippets settings included)."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(
        '# Home\n\n```yaml title="examples/nowhere/docker-compose.yml"\n'
        '--8<-- "examples/nowhere/docker-compose.yml"\n```\n')
    (tmp_path / "mkdocs.yml").write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\n"
        "docs_dir: docs\nsite_dir: site\n"
        f"theme:\n  custom_dir: {ROOT / 'overrides'}\n"
        "hooks: []  # the repo's hooks check the repo's own pages and examples\n"
        "watch: []  # the repo's examples/ is not beside this copy\n"
        "extra_css: []\nnav:\n  - Home: index.md\n")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 1, proc.stderr
    assert ("ERROR   -  Error reading page 'index.md': Snippet at path "
            "'examples/nowhere/docker-compose.yml' could not be found") in proc.stderr, proc.stderr
    assert not (tmp_path / "site" / "index.html").exists()


# --- claims and tests that do not match ---------------------------------------------------

def test_a_claim_on_a_page_without_a_test_is_reported_with_its_place(tmp_path):
    docs, tests = tmp_path / "docs", tmp_path / "tests"
    docs.mkdir(), tests.mkdir()
    (docs / "page.md").write_text("# Ports\n\n<!-- claim: untested-claim -->\nRedis answers.\n")
    with pytest.raises(claims.ClaimError) as raised:
        claims.check_consistency(docs, tests)
    assert str(raised.value) == (
        "claims and tests do not match:\n"
        f"  {docs / 'page.md'}:3: claim 'untested-claim' has no test "
        "(mark one with @pytest.mark.claim('untested-claim'))")


def test_a_test_naming_an_unknown_claim_is_reported_with_its_place(tmp_path):
    docs, tests = tmp_path / "docs", tmp_path / "tests"
    docs.mkdir(), tests.mkdir()
    test_file = tests / "test_ports.py"
    test_file.write_text('import pytest\n\n\n@pytest.mark.claim("ghost-claim")\ndef test_redis():\n    pass\n')
    with pytest.raises(claims.ClaimError) as raised:
        claims.check_consistency(docs, tests)
    assert str(raised.value) == (
        "claims and tests do not match:\n"
        f"  {test_file}:4: test {test_file}::test_redis names claim 'ghost-claim', which no page makes "
        "(add <!-- claim: ghost-claim --> before the statement)")


# --- no Docker engine ----------------------------------------------------------------------

def test_without_an_engine_docker_tests_are_skipped_with_how_to_get_docker(tmp_path):
    code, output, _ = run_session(tmp_path, scenario("test_engine_answers"),
                                  env={"DOCKER_HOST": "unix:///nonexistent", "CI": None})
    assert code == 0, output
    assert "docker engine: none answers" in output, output
    assert re.search(rf"SKIPPED \[1\] tests/reliability/scenarios/scenario_stacks.py:\d+: {re.escape(GET_DOCKER)}",
                     output), output
    assert "1 skipped" in output, output


def test_without_an_engine_in_ci_docker_tests_fail_instead_of_skipping(tmp_path):
    code, output, _ = run_session(tmp_path, scenario("test_engine_answers"),
                                  env={"DOCKER_HOST": "unix:///nonexistent", "CI": "true"})
    assert code == 1, output
    assert (f"ERROR tests/reliability/scenarios/scenario_stacks.py::test_engine_answers - "
            f"Failed: CI=true: {GET_DOCKER}") in output, output
    assert "1 error" in output and "skipped" not in output, output


# --- a host port already taken -------------------------------------------------------------

@pytest.mark.docker
def test_a_host_port_already_taken_is_named_in_the_error(tmp_path, docker_client):
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", 18766))  # the port fixtures/port-taken publishes
        holder.listen()
        with sweeps_lock(exclusive=False):
            code, output, session = run_session(tmp_path, scenario("test_up_only"), slug="port-taken")
    assert code == 1, output
    # Engine 28's wording; 20.10 said "Error starting userland proxy: listen tcp4 ...".
    assert "failed to bind host port for 127.0.0.1:18766:" in output, output
    assert "address already in use" in output, output
    assert leftovers(docker_client, session) == NONE_LEFT
