"""examples/build-your-own-image, taught on docs/images-and-containers.md,
docs/volumes-and-bind-mounts.md and docs/commands.md.

Compose names the image it builds `<project>-web`; every test removes its image again.
The rebuild test edits app.py in a copy of the example (tmp_path), never the example itself.
"""
import contextlib
import re
import shutil
import urllib.request

import docker.errors
import pytest

from primer.builds import docker_build
from primer.stacks import wait_until
from tests.docker_cli import run_output

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


@pytest.fixture(scope="module")
def built(module_compose_project, docker_client):
    """One plain `up` of the example, for the tests that only look at it (they change nothing)."""
    project = module_compose_project(SLUG, up=False)
    try:
        project.up()
        yield project
    finally:
        project.down()
        remove_built_image(docker_client, project)


APP_PROCESS = r"""
import os
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        cmdline = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        status = open(f"/proc/{pid}/status").read()
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        continue
    if b"app.py" in cmdline and not cmdline[0].endswith(b"docker-init") and int(pid) != os.getpid():
        print("cmdline=" + " ".join(part.decode() for part in cmdline if part))
        print("uid=" + next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:")))
        print("cwd=" + cwd)
        break
"""


def app_process(project) -> dict[str, str]:
    """The process that runs app.py in the container: its command line, user id and folder."""
    result = project.exec("web", ["python", "-c", APP_PROCESS])
    assert result.exit_code == 0, result.output
    fields = dict(line.split("=", 1) for line in result.output.splitlines())
    assert fields, "no process runs app.py"
    return fields


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
@pytest.mark.claim("copied-files-are-part-of-the-image")
@pytest.mark.claim("dockerfile-copy-copies-into-the-image")
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


@pytest.mark.claim("dockerfile-user-runs-the-program-as-10001")
def test_user_makes_the_program_run_as_user_10001(built, docker_client):
    assert docker_client.images.get(f"{built.name}-web").attrs["Config"]["User"] == "10001"
    assert app_process(built)["uid"] == "10001", "the web server itself runs as 10001, not root (0)"
    assert built.exec("web", ["id", "-u"]).output.strip() == "10001"


@pytest.mark.claim("dockerfile-run-runs-at-build-time")
def test_run_created_the_user_while_the_image_was_built(built, docker_client):
    image = docker_client.images.get(f"{built.name}-web")
    useradd = [step for step in image.history() if "useradd" in step["CreatedBy"]]
    assert len(useradd) == 1 and useradd[0]["CreatedBy"].startswith("RUN "), image.history()
    assert useradd[0]["Size"] > 0, "the RUN step stored what it changed in the image"
    # The container runs only app.py, yet the user is there: it came with the image.
    entry = built.exec("web", ["getent", "passwd", "appuser"]).output.strip().split(":")
    assert entry[2:4] == ["10001", "10001"] and entry[5] == "/home/appuser", entry
    assert built.exec("web", ["test", "-d", "/home/appuser"]).exit_code == 0


@pytest.mark.claim("dockerfile-workdir-sets-the-folder")
def test_workdir_is_where_copy_put_the_file_and_where_the_container_works(built, docker_client):
    assert docker_client.images.get(f"{built.name}-web").attrs["Config"]["WorkingDir"] == "/app"
    assert built.exec("web", ["test", "-f", "/app/app.py"]).exit_code == 0, "COPY app.py . wrote into /app"
    assert app_process(built)["cwd"] == "/app", "the program runs in /app"
    assert built.exec("web", ["pwd"]).output.strip() == "/app"


@pytest.mark.claim("dockerfile-cmd-is-the-command")
def test_cmd_is_what_the_container_runs(built, docker_client):
    assert docker_client.images.get(f"{built.name}-web").attrs["Config"]["Cmd"] == ["python", "app.py"]
    # init: true puts an init in front of it, which starts exactly that command
    assert app_process(built)["cmdline"] == "python app.py"


@pytest.mark.claim("dockerfile-expose-documents-the-port")
def test_expose_records_the_port_and_publishes_nothing_by_itself(built, docker_client, docker_names):
    image = docker_client.images.get(f"{built.name}-web")
    assert image.attrs["Config"]["ExposedPorts"] == {"8000/tcp": {}}
    assert fetch(built) == ORIGINAL, "the program listens on 8000, the port EXPOSE names"
    _, labels = docker_names(SLUG)
    alone = docker_client.containers.run(image.id, detach=True, labels=labels)  # no ports given
    try:
        alone.reload()
        assert alone.attrs["NetworkSettings"]["Ports"] == {"8000/tcp": None}, "exposed, but published nowhere"
    finally:
        alone.remove(force=True)


@pytest.mark.claim("dockerfile-from-picks-the-starting-image")
def test_from_is_the_image_the_build_starts_from(built, docker_client):
    dockerfile = (built.example.path / "web" / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.MULTILINE)
    base = docker_client.images.get("python:3.11-slim").attrs["RootFS"]["Layers"]
    layers = docker_client.images.get(f"{built.name}-web").attrs["RootFS"]["Layers"]
    assert layers[:len(base)] == base, "the built image is python:3.11-slim's layers, plus its own"


@pytest.mark.claim("no-host-port-docker-picks-one")
def test_with_no_host_port_docker_picks_one_and_compose_port_names_it(built):
    shown = built.compose("port", "web", "8000").stdout.strip()
    match = re.fullmatch(r"127\.0\.0\.1:(\d+)", shown)
    assert match, shown
    assert int(match[1]) == built.host_port("web", 8000)
    assert fetch(built) == ORIGINAL


@pytest.mark.claim("build-context-holds-only-what-dockerignore-lets-in")
def test_dockerignore_lets_only_app_py_into_the_build_context(built, tmp_path, docker_names):
    """web/ copied, with two more files a learner's folder could hold; a Dockerfile that copies
    the whole context shows what was sent."""
    context = tmp_path / "web"
    shutil.copytree(built.example.path / "web", context)
    (context / "notes.txt").write_text("not needed by the Dockerfile\n")
    (context / "__pycache__").mkdir()
    (context / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0" * 1000)
    (tmp_path / "Dockerfile.probe").write_text("FROM python:3.11-slim\nCOPY . /context\n")
    tag, labels = docker_names(SLUG)
    build = docker_build(context, tag, dockerfile="../Dockerfile.probe", labels=labels)
    assert run_output(tag, "find", "/context", "-type", "f").split() == ["/context/app.py"], build.output

@pytest.mark.claim("compose-names-built-image")
@pytest.mark.claim("compose-builds-when-the-service-says-build")
def test_compose_names_the_built_image_after_project_and_service(built, docker_client):
    image = docker_client.images.get(f"{built.name}-web")
    assert built.container("web").image.id == image.id


@pytest.mark.claim("copied-file-is-a-snapshot")
@pytest.mark.claim("trouble-up-reuses-the-old-image")
@pytest.mark.claim("app-py-edit-needs-a-new-build")
def test_editing_a_copied_file_changes_nothing_until_a_rebuild(copied):
    copied.up()
    assert fetch(copied) == ORIGINAL
    app = copied.example.path / "web" / "app.py"
    app.write_text(app.read_text().replace("yourself!", "yourself, version 2!"))

    copied.up()  # no --build: the old image is reused
    assert fetch(copied) == ORIGINAL


@pytest.mark.claim("up-build-picks-up-changes")
@pytest.mark.claim("trouble-up-build-recreates-from-new-image")
@pytest.mark.claim("copied-file-is-a-snapshot")
@pytest.mark.claim("app-py-edit-needs-a-new-build")
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
