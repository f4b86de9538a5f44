"""examples/cmd-and-entrypoint, taught on docs/build-an-image.md: arguments to `docker run`
replace CMD, and are appended to ENTRYPOINT."""
from __future__ import annotations

import pytest

from primer.builds import docker_build
from primer.examples import get_example
from tests.docker_cli import docker, run_output

pytestmark = pytest.mark.docker

SLUG = "cmd-and-entrypoint"


@pytest.mark.claim("docker-run-arguments-replace-cmd")
def test_arguments_replace_cmd(docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(get_example(SLUG).path, tag, dockerfile="Dockerfile.cmd", labels=labels)
    assert run_output(tag) == "hello from CMD\n"
    assert run_output(tag, "echo", "something else") == "something else\n"


@pytest.mark.claim("docker-run-arguments-append-to-entrypoint")
def test_arguments_are_appended_to_entrypoint(docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(get_example(SLUG).path, tag, dockerfile="Dockerfile.entrypoint", labels=labels)
    assert run_output(tag) == "hello from ENTRYPOINT\n"
    assert run_output(tag, "world") == "hello world\n"
    # --entrypoint replaces it, and CMD's "from ENTRYPOINT" goes too: `date from ENTRYPOINT` would fail
    override = docker("run", "--rm", "--entrypoint", "date", tag)
    assert override.returncode == 0 and override.stdout.strip()[-4:].isdigit(), override  # ends with the year


@pytest.mark.claim("docker-run-arguments-append-to-entrypoint")
def test_a_shell_form_entrypoint_ignores_the_words_you_add(docker_names, tmp_path):
    tag, labels = docker_names(SLUG)
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm-slim\nENTRYPOINT echo hello\n")
    docker_build(tmp_path, tag, labels=labels)
    assert run_output(tag, "world") == "hello\n"
