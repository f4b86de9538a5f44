"""examples/one-image-two-containers, taught on docs/images-and-containers.md (and the opening
of docs/volumes-and-bind-mounts.md); also the install check of docs/index.md, which needs no
example."""
import os
import platform
import subprocess
from pathlib import Path

import pytest

from primer.examples import dockerfile_base_images, list_examples

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("one-image-two-containers")


def processes(project, service: str) -> list[str]:
    """The command line of every process `service`'s container can see, the `sh` that lists them
    excepted."""
    result = project.exec(service, ["sh", "-c", "for p in /proc/[0-9]*; do [ $p = /proc/$$ ] || "
                                    "tr '\\0' ' ' < $p/cmdline 2>/dev/null && echo; done"])
    assert result.exit_code == 0, result.output
    return sorted(line.strip() for line in result.output.splitlines() if line.strip())


@pytest.mark.claim("one-image-many-containers")
def test_both_containers_run_the_same_image(stack):
    first, second = stack.container("first"), stack.container("second")
    assert first.id != second.id
    assert first.image.id == second.image.id


@pytest.mark.claim("containers-have-separate-filesystems")
def test_a_file_written_in_one_container_is_not_in_the_other(stack, docker_client):
    image = docker_client.images.get("python:3.11-slim")
    result = stack.exec("first", ["sh", "-c", "echo mine > /tmp/note.txt && cat /tmp/note.txt"])
    assert result.exit_code == 0 and result.output == "mine\n", result.output
    result = stack.exec("second", ["cat", "/tmp/note.txt"])
    assert result.exit_code == 1, result.output
    assert "No such file or directory" in result.output, result.output
    # The change is kept in first's own layer (docker diff: A = added), and the image is as it was.
    assert {"Path": "/tmp/note.txt", "Kind": 1} in (stack.container("first").diff() or [])
    assert "/tmp/note.txt" not in {change["Path"] for change in stack.container("second").diff() or []}
    assert docker_client.images.get("python:3.11-slim").attrs["RootFS"] == image.attrs["RootFS"]


@pytest.mark.claim("container-has-its-own-files-programs-and-address")
def test_each_container_has_its_own_files_programs_and_address(stack):
    addresses = {service: next(iter(stack.container(service).attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
                 for service in ("first", "second")}
    assert all(addresses.values()) and addresses["first"] != addresses["second"], addresses
    # Each sees only its own two processes: its init and its `sleep`, not the other's.
    assert processes(stack, "first") == processes(stack, "second") == ["/sbin/docker-init -- sleep infinity",
                                                                         "sleep infinity"]
    result = stack.exec("second", ["sh", "-c", "echo only-in-second > /tmp/own.txt"])
    assert result.exit_code == 0, result.output
    result = stack.exec("first", ["cat", "/tmp/own.txt"])
    assert result.exit_code == 1 and "No such file or directory" in result.output, result.output


@pytest.mark.claim("container-is-a-fenced-off-host-process")
def test_a_container_is_a_process_of_the_host_that_sees_only_itself(stack):
    container = stack.container("first")
    container.reload()
    pid = container.attrs["State"]["Pid"]
    # On the machine, the container's first program is an ordinary process with a host pid...
    host_view = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert host_view[:4] == [b"/sbin/docker-init", b"--", b"sleep", b"infinity"], host_view
    assert pid != 1
    # ...and inside, fenced off, that same program is process 1: nothing was booted before it.
    result = stack.exec("first", ["sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"])
    assert result.output.strip() == "/sbin/docker-init -- sleep infinity", result.output
    result = stack.exec("first", ["uname", "-r"])
    assert result.output.strip() == platform.release()


@pytest.mark.claim("container-runs-one-program")
def test_a_container_runs_its_one_program_and_no_background_services(stack):
    # The compose file's command and the init that `init: true` adds in front of it: no
    # systemd, cron, sshd or logger of a whole system.
    assert processes(stack, "first") == ["/sbin/docker-init -- sleep infinity", "sleep infinity"]


@pytest.mark.claim("image-name-is-repository-and-tag")
def test_an_image_name_is_its_repository_and_its_tag(stack):
    listed = subprocess.run(["docker", "image", "ls", "--format", "{{.Repository}}\t{{.Tag}}", "python:3.11-slim"],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["python\t3.11-slim"], listed.stdout


@pytest.mark.claim("python-image-is-debian-plus-python", about=["python:3.11-slim"])
@pytest.mark.claim("slim-tag-is-python-3-11-without-extra-tools", about=["python:3.11-slim"])
def test_the_python_image_is_debian_with_python_3_11(stack):
    result = stack.exec("first", ["python", "--version"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Python 3.11."), result.output
    result = stack.exec("first", ["cat", "/etc/os-release"])
    assert "ID=debian" in result.output, result.output
    # trimmed down: tools a full system (or the image without -slim) has are left out
    for tool in ("gcc", "make", "git", "curl", "wget"):
        result = stack.exec("first", ["sh", "-c", f"command -v {tool}"])
        assert result.exit_code != 0, f"{tool} is in the slim image: {result.output}"


@pytest.mark.claim("containers-share-the-host-kernel")
def test_containers_report_the_host_kernel(stack):
    result = stack.exec("first", ["uname", "-r"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == platform.release(), "a container has no kernel of its own"


@pytest.mark.claim("container-changes-kept-on-stop-lost-on-down")
@pytest.mark.claim("new-container-starts-from-its-image")
@pytest.mark.claim("survives-stop")
def test_changes_outside_volumes_survive_stop_but_not_down(compose_project):
    project = compose_project("one-image-two-containers")
    image_id = project.container("first").image.id
    result = project.exec("first", ["sh", "-c", "echo mine > /tmp/note.txt"])
    assert result.exit_code == 0, result.output

    project.compose("stop")
    assert {c.status for c in project.containers()} == {"exited"}
    project.compose("start")
    result = project.exec("first", ["cat", "/tmp/note.txt"])
    assert result.output == "mine\n", f"the file should survive stop + start: {result.output}"

    project.compose("down")
    assert project.containers() == []
    project.up()
    result = project.exec("first", ["cat", "/tmp/note.txt"])
    assert result.exit_code == 1 and "No such file or directory" in result.output, result.output
    assert project.container("first").image.id == image_id, "the image itself did not change"


# docs/index.md: "Check that both parts answer", and what `docker version` shows with no engine.

@pytest.mark.claim("home-docker-version-shows-client-and-server")
def test_docker_version_shows_a_client_and_a_server_section_and_compose_says_v2():
    version = subprocess.run(["docker", "version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0, version.stderr
    sections = [line for line in version.stdout.splitlines() if line and not line.startswith(" ")]
    assert sections[0] == "Client:" and any(line.startswith("Server:") for line in sections), version.stdout
    compose = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=60)
    assert compose.returncode == 0, compose.stderr
    assert compose.stdout.startswith("Docker Compose version v2."), compose.stdout


@pytest.mark.claim("home-no-server-section-when-docker-is-not-running")
def test_docker_version_with_no_engine_shows_the_client_and_an_error_instead_of_the_server(tmp_path):
    address = f"unix://{tmp_path}/docker.sock"  # no engine listens there
    env = {key: value for key, value in os.environ.items() if key not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
    version = subprocess.run(["docker", "version"], capture_output=True, text=True, timeout=60,
                             env={**env, "DOCKER_HOST": address, "DOCKER_CONFIG": str(tmp_path / "config")})
    assert version.returncode != 0
    assert version.stdout.startswith("Client:") and "Server:" not in version.stdout, version.stdout
    assert f"Cannot connect to the Docker daemon at {address}" in version.stderr, version.stderr


# docs/images-and-containers.md, "Pin what you depend on": every image an example names, in a
# compose file or a Dockerfile's FROM, carries a tag that starts with a version number.

def _named_images() -> list[tuple[str, str]]:
    found = []
    for example in list_examples():
        found += [(example.slug, image) for image in example.images()]
        for dockerfile in example.path.rglob("Dockerfile*"):  # also those a plain `docker build` uses
            found += [(str(dockerfile.relative_to(example.path.parent)), image)
                      for image in dockerfile_base_images(dockerfile)]
    return found


def _os_release(image: str) -> dict[str, str]:
    shown = subprocess.run(["docker", "run", "--rm", "--entrypoint", "cat", image, "/etc/os-release"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    return dict(line.split("=", 1) for line in shown.stdout.replace('"', "").splitlines() if "=" in line)


@pytest.mark.claim("every-example-pins-a-major-version")
def test_every_example_names_its_images_with_a_version_tag():
    named = _named_images()
    assert len({where.split("/")[0] for where, _ in named}) > 10, named
    assert all(":" in image.rsplit("/", 1)[-1] for _, image in named), [n for n in named if ":" not in n[1]]
    by_name = {image for _, image in named if not image.rsplit(":", 1)[1][:1].isdigit()}
    # A tag that is not a number must be a release's code name, which stands for one major
    # version (debian:bookworm-slim is Debian 12): the image's own os-release says so.
    for image in sorted(by_name):
        release = _os_release(image)
        codename = image.rsplit(":", 1)[1].split("-")[0]
        assert release.get("VERSION_CODENAME") == codename and release.get("VERSION_ID", "").isdigit(), \
            (image, release)
