"""examples/multi-stage-build, taught on docs/build-an-image.md: the shipped image has the
compiled program and no compiler, and is smaller than the stage that built it."""
from __future__ import annotations

import subprocess

import pytest

from primer.builds import docker_build
from primer.captures import record_output
from primer.examples import get_example
from tests.docker_cli import docker

pytestmark = pytest.mark.docker

SLUG = "multi-stage-build"


@pytest.mark.claim("multi-stage-final-image-has-no-compiler-and-is-smaller")
def test_the_final_stage_runs_the_program_without_the_compiler(docker_names, docker_client):
    folder = get_example(SLUG).path
    final, labels = docker_names(SLUG)
    build_stage = f"{final}-build-stage"  # labelled as `final`: removed with it
    docker_build(folder, final, labels=labels)
    docker_build(folder, build_stage, target="build", labels=labels)

    assert docker("run", "--rm", final).stdout == "Hello from a program compiled in the build stage!\n"
    assert docker("run", "--rm", build_stage, "gcc", "--version").returncode == 0
    no_gcc = docker("run", "--rm", final, "gcc", "--version")
    assert no_gcc.returncode != 0 and "executable file not found" in no_gcc.stderr, no_gcc

    sizes = {tag: docker_client.images.get(tag).attrs["Size"] for tag in (final, build_stage)}
    base = docker_client.images.get("debian:bookworm-slim").attrs["Size"]
    assert sizes[final] - base < 1_000_000, sizes  # the base and one small program
    assert sizes[build_stage] > sizes[final] + 100_000_000, sizes  # gcc and its friends
    listing = subprocess.run(["docker", "image", "ls", "--format", "table {{.Repository}}\t{{.Size}}",
                              "--filter", f"reference={final}", "--filter", f"reference={build_stage}"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    shown = listing.replace(build_stage, "hello-build-stage").replace(final, "hello")
    record_output("multi-stage-image-sizes", "docker image ls", shown)


@pytest.mark.claim("compose-builds-the-last-stage-unless-a-target-names-another")
def test_compose_builds_the_last_stage_and_target_picks_another(compose_project, tmp_path):
    project = compose_project(SLUG, up=False, copy_to=tmp_path)  # its compose file is edited below
    image = f"{project.name}-hello"  # the name Compose gives the image it builds for `hello`

    def gcc_in_the_image() -> subprocess.CompletedProcess:
        project.compose("build", timeout=300)
        return docker("run", "--rm", image, "gcc", "--version")

    assert gcc_in_the_image().returncode != 0  # no target: the last stage, without the compiler
    compose_file = project.example.compose_file
    text = compose_file.read_text()
    assert "    build: .  #" in text, text
    compose_file.write_text(text.replace("    build: .  #", "    build:\n      context: .\n      target: build  #"))
    assert gcc_in_the_image().returncode == 0  # target: build, the first stage
