"""examples/cmd-and-entrypoint, taught on docs/build-an-image.md: arguments to `docker run`
replace CMD, and are appended to ENTRYPOINT."""
from __future__ import annotations

import subprocess

import pytest

from primer.builds import docker_build
from primer.examples import get_example

pytestmark = pytest.mark.docker

SLUG = "cmd-and-entrypoint"


def run(tag: str, *args: str) -> str:
    proc = subprocess.run(["docker", "run", "--rm", tag, *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.claim("docker-run-arguments-replace-cmd")
def test_arguments_replace_cmd(docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(get_example(SLUG).path, tag, dockerfile="Dockerfile.cmd", labels=labels)
    assert run(tag) == "hello from CMD\n"
    assert run(tag, "echo", "something else") == "something else\n"


@pytest.mark.claim("docker-run-arguments-append-to-entrypoint")
def test_arguments_are_appended_to_entrypoint(docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(get_example(SLUG).path, tag, dockerfile="Dockerfile.entrypoint", labels=labels)
    assert run(tag) == "hello from ENTRYPOINT\n"
    assert run(tag, "world") == "hello world\n"
    override = subprocess.run(["docker", "run", "--rm", "--entrypoint", "date", tag, "+%Y"],
                              capture_output=True, text=True, timeout=60)
    assert override.returncode == 0 and override.stdout.strip().isdigit(), override
