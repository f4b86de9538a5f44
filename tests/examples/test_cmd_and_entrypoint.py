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
    override = docker("run", "--rm", "--entrypoint", "date", tag, "+%Y")
    assert override.returncode == 0 and override.stdout.strip().isdigit(), override
