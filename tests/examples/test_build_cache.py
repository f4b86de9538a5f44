"""examples/build-cache, taught on docs/build-an-image.md: the layer cache, .dockerignore,
`docker image history`, ARG and ENV. Each test builds a copy of the example (it edits files)
with `docker build`, as the page tells the learner to, and reads BuildKit's own report."""
from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from primer.builds import docker_build
from primer.captures import record_output
from primer.examples import get_example
from primer.stacks import http_get
from tests.docker_cli import run_output

pytestmark = pytest.mark.docker

SLUG = "build-cache"
PIP_STEP = "RUN pip install --no-cache-dir -r requirements.txt"


@pytest.fixture
def folder(tmp_path) -> Path:
    return get_example(SLUG).copied_to(tmp_path).path


def edit_code(folder: Path) -> None:
    """A change to the code only, one no earlier build has seen."""
    with open(folder / "app.py", "a") as app:
        app.write(f"# edited {uuid.uuid4().hex}\n")


@pytest.mark.claim("build-cache-reuses-dependencies-after-code-change")
def test_a_code_change_reuses_the_installed_dependencies(folder, docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    edit_code(folder)
    rebuild = docker_build(folder, tag, labels=labels)
    assert rebuild.cached("COPY requirements.txt") and rebuild.cached(PIP_STEP), rebuild.output
    assert not rebuild.cached("COPY . ."), rebuild.output


@pytest.mark.claim("build-cache-reinstalls-after-requirements-change")
def test_a_change_to_requirements_installs_again(folder, docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    with open(folder / "requirements.txt", "a") as requirements:
        requirements.write(f"# {uuid.uuid4().hex}\n")  # the file changed, the packages did not
    rebuild = docker_build(folder, tag, labels=labels)
    assert not rebuild.cached("COPY requirements.txt") and not rebuild.cached(PIP_STEP), rebuild.output
    assert "Successfully installed" in rebuild.output and "flask-3.1.2" in rebuild.output, rebuild.output


@pytest.mark.claim("build-cache-code-first-reinstalls-on-every-change")
def test_with_the_code_copied_first_a_code_change_installs_again(folder, docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, dockerfile="Dockerfile.code-first", labels=labels)
    edit_code(folder)
    rebuild = docker_build(folder, tag, dockerfile="Dockerfile.code-first", labels=labels)
    assert not rebuild.cached("COPY . .") and not rebuild.cached(PIP_STEP), rebuild.output
    assert "Successfully installed" in rebuild.output, rebuild.output


@pytest.mark.claim("dockerignore-keeps-files-out-of-context-and-image")
def test_an_ignored_folder_is_neither_sent_nor_in_the_image(folder, docker_names):
    venv = folder / ".venv"  # a learner's local virtualenv: big, and useless in the image
    venv.mkdir()
    (venv / "big.bin").write_bytes(b"\0" * 20_000_000)
    tag, labels = docker_names(SLUG)
    build = docker_build(folder, tag, labels=labels)
    assert build.context_bytes is not None and build.context_bytes < 100_000, build.output
    assert ".venv" not in run_output(tag, "ls", "-A", "/app").split()
    # The same build without .dockerignore: the folder is sent, and copied into the image.
    (folder / ".dockerignore").unlink()
    unignored = docker_build(folder, tag, labels=labels)
    assert unignored.context_bytes is not None and unignored.context_bytes > 15_000_000, unignored.output
    assert ".venv" in run_output(tag, "ls", "-A", "/app").split()


# Instructions of build-cache/Dockerfile that store files, and those that only record settings.
STORE_FILES = ("RUN ", "COPY ")
ONLY_SETTINGS = ("CMD ", "HEALTHCHECK ", "EXPOSE ", "USER ", "ENV ", "ARG ")


@pytest.mark.claim("image-history-shows-which-instructions-add-bytes")
def test_history_shows_bytes_for_run_and_copy_and_none_for_settings(folder, docker_names, docker_client):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    base_steps = len(docker_client.images.get("python:3.11-slim").history())
    own = docker_client.images.get(tag).history()[:-base_steps]  # newest first, the base's steps last
    for step in own:
        created_by = step["CreatedBy"].removeprefix("/bin/sh -c #(nop) ").strip()
        if created_by.startswith(ONLY_SETTINGS):
            assert step["Size"] == 0, step
        elif created_by.startswith(STORE_FILES):
            assert step["Size"] > 0, step
    kinds = {step["CreatedBy"].split()[0] for step in own}
    assert set(s.strip() for s in STORE_FILES + ONLY_SETTINGS) <= kinds, kinds
    history = subprocess.run(["docker", "image", "history", "--format", "table {{.CreatedBy}}\t{{.Size}}", tag],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    shown = "\n".join(history.splitlines()[:len(own) + 1])  # the header and this Dockerfile's lines
    record_output("build-cache-image-history", "docker image history myapp", shown)


@pytest.mark.claim("build-arg-sets-env-in-container")
def test_a_build_arg_reaches_the_container_only_through_env(folder, docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    assert run_output(tag, "printenv", "APP_VERSION") == "1\n"
    docker_build(folder, tag, labels=labels, build_args={"APP_VERSION": "2"})
    assert run_output(tag, "printenv", "APP_VERSION") == "2\n"


@pytest.mark.claim("build-cache-image-serves-the-app")
def test_the_built_image_serves_the_app_and_its_healthcheck_passes(compose_project):
    project = compose_project(SLUG)  # `up` waits for the image's HEALTHCHECK to pass
    port = project.host_port("web", 5000)
    assert http_get(f"http://127.0.0.1:{port}/") == (200, b"Hello from version 1 of an image you built yourself!\n")
    container = project.container("web")
    container.reload()
    assert container.attrs["State"]["Health"]["Status"] == "healthy", container.attrs["State"]["Health"]
