"""examples/build-your-own-image, taught on docs/images-and-containers.md,
docs/volumes-and-bind-mounts.md and docs/commands.md.

Compose names the image it builds `<project>-web`; every test removes its image again.
The rebuild test edits app.py in a copy of the example (tmp_path), never the example itself.
"""
import contextlib
import urllib.request

import docker.errors
import pytest

from primer.stacks import wait_until

pytestmark = pytest.mark.docker

SLUG = "build-your-own-image"
ORIGINAL = "Hello from an image you built yourself!\n"


def fetch(project) -> str:
    port = project.host_port("web", 8000)

    def get():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=3) as response:
            return response.read().decode()

    return wait_until(get, message="web answers")


def remove_built_image(client, project) -> None:
    with contextlib.suppress(docker.errors.NotFound):
        client.images.remove(f"{project.name}-web", force=True)


@pytest.fixture
def built(compose_project, docker_client):
    project = compose_project(SLUG, up=False)
    try:
        project.up()
        yield project
    finally:
        project.down()
        remove_built_image(docker_client, project)


@pytest.fixture
def copied(tmp_path, compose_project, docker_client):
    """The example copied to tmp_path (these tests edit app.py), started by the test itself."""
    project = compose_project(SLUG, up=False, copy_to=tmp_path)
    try:
        yield project
    finally:
        project.down()
        remove_built_image(docker_client, project)


@pytest.mark.claim("built-image-runs-copied-app")
def test_the_built_image_serves_the_app_copied_into_it(built):
    assert fetch(built) == ORIGINAL
    container = built.container("web")
    assert container.attrs["Mounts"] == [], "app.py comes from the image, not from a mount"
    result = built.exec("web", ["cat", "/app/app.py"])
    assert result.output == (built.example.path / "web" / "app.py").read_text()


@pytest.mark.claim("built-image-runs-as-non-root")
def test_the_app_runs_as_the_unprivileged_user(built):
    result = built.exec("web", ["id", "-un"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "appuser"


@pytest.mark.claim("compose-names-built-image")
def test_compose_names_the_built_image_after_project_and_service(built, docker_client):
    image = docker_client.images.get(f"{built.name}-web")
    assert built.container("web").image.id == image.id


@pytest.mark.claim("copied-file-is-a-snapshot")
def test_editing_a_copied_file_changes_nothing_until_a_rebuild(copied):
    copied.up()
    assert fetch(copied) == ORIGINAL
    app = copied.example.path / "web" / "app.py"
    app.write_text(app.read_text().replace("yourself!", "yourself, version 2!"))

    copied.up()  # no --build: the old image is reused
    assert fetch(copied) == ORIGINAL


@pytest.mark.claim("up-build-picks-up-changes")
def test_up_build_rebuilds_and_runs_the_changed_code(copied):
    copied.up()
    old_image = copied.container("web").image.id
    app = copied.example.path / "web" / "app.py"
    app.write_text(app.read_text().replace("yourself!", "yourself, version 2!"))

    copied.up(build=True)
    assert fetch(copied) == "Hello from an image you built yourself, version 2!\n"
    assert copied.container("web").image.id != old_image


# Instructions of web/Dockerfile that change the image's files, and those that only set how its
# containers run. With BuildKit, a WORKDIR whose folder does not exist yet creates it: a layer.
CHANGE_FILES = ("RUN ", "WORKDIR ", "COPY ")
ONLY_SETTINGS = ("USER ", "EXPOSE ", "CMD ")


@pytest.mark.claim("only-file-changing-instructions-add-layers")
def test_only_the_instructions_that_change_files_add_layers(built, docker_client):
    image = docker_client.images.get(f"{built.name}-web")
    base = docker_client.images.get("python:3.11-slim")
    added = len(image.attrs["RootFS"]["Layers"]) - len(base.attrs["RootFS"]["Layers"])
    steps = [step["CreatedBy"] for step in image.history()][:len(CHANGE_FILES) + len(ONLY_SETTINGS)]
    assert all(step.startswith(CHANGE_FILES + ONLY_SETTINGS + ("RUN /bin/sh -c ",)) for step in steps), steps
    assert added == len(CHANGE_FILES), f"{added} layers added over python:3.11-slim by {steps}"
    sizes = {step["CreatedBy"].split(" ", 1)[0]: step["Size"] for step in image.history()[:len(steps)]}
    assert all(sizes[kind.strip()] == 0 for kind in ONLY_SETTINGS), sizes
