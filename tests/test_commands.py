"""The README's two commands, as a newcomer runs them (the test command is this very run)."""
import os
import signal
import socket
import subprocess

from primer import ROOT
from primer.captures import output_keys
from primer.stacks import http_get, wait_until


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_serve_command_answers_200_on_its_root_page():
    port = _free_port()
    server = subprocess.Popen([str(ROOT / "scripts" / "serve")], cwd=ROOT, start_new_session=True,
                              env={**os.environ, "PRIMER_ADDR": f"127.0.0.1:{port}", "NO_MKDOCS_2_WARNING": "1"},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        status, body = wait_until(lambda: http_get(f"http://127.0.0.1:{port}/", timeout=2),
                                  timeout=90, interval=0.3, message=f"scripts/serve on 127.0.0.1:{port}")
        assert status == 200
        assert b"Docker" in body
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert "Serving on" in output, output


def test_every_output_block_on_a_page_is_captured_by_some_test():
    pages = {key: page for page in (ROOT / "docs").rglob("*.md") for key in output_keys(page.read_text())}
    tests_text = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    missing = [f"{page.relative_to(ROOT)}: output block {key!r}" for key, page in sorted(pages.items())
               if f'"{key}"' not in tests_text]
    assert not missing, "no test records these (project.capture / run_shown):\n" + "\n".join(missing)
