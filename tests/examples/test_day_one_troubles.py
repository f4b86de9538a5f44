"""The day-one troubles of docs/troubleshooting.md that this machine can show: the socket's
permissions, no engine at the address, and a container that exits at once (examples/exits-at-once)."""
from __future__ import annotations

import grp
import os
import subprocess

import pytest

from tests.harness import in_ci

pytestmark = pytest.mark.docker

SOCKET = "/var/run/docker.sock"
NOBODY = 65534  # an ordinary user who is not in the docker group


def docker_as_nobody(tmp_path, *groups: int) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    home.mkdir(mode=0o777, exist_ok=True)
    os.chmod(home, 0o777)
    group_args = ["--groups", ",".join(map(str, groups))] if groups else ["--clear-groups"]
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", *group_args,
                           "docker", "--host", f"unix://{SOCKET}", "ps", "--format", "{{.ID}}"],
                          capture_output=True, text=True, timeout=60,
                          env={"HOME": str(home), "PATH": os.environ["PATH"]})


@pytest.fixture
def docker_group() -> int:
    if os.geteuid() != 0:  # setpriv must change to another user: only root may
        message = "this check runs `docker` as another user, which needs root"
        if in_ci():
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    if not os.path.exists(SOCKET):
        pytest.fail(f"{SOCKET} does not exist: the engine listens elsewhere", pytrace=False)
    owner = os.stat(SOCKET)
    assert owner.st_uid == 0, f"{SOCKET} belongs to uid {owner.st_uid}, not root"
    assert grp.getgrgid(owner.st_gid).gr_name == "docker", f"{SOCKET} belongs to group {grp.getgrgid(owner.st_gid).gr_name}"
    return owner.st_gid


@pytest.mark.claim("trouble-socket-permission-denied")
def test_a_user_outside_the_docker_group_is_refused_and_a_member_is_let_in(tmp_path, docker_group):
    refused = docker_as_nobody(tmp_path)
    assert refused.returncode != 0
    assert ("permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock"
            in refused.stderr), refused.stderr
    assert "connect: permission denied" in refused.stderr, refused.stderr
    member = docker_as_nobody(tmp_path, docker_group)
    assert member.returncode == 0, member.stderr


@pytest.mark.claim("trouble-cannot-connect-to-daemon")
def test_no_engine_at_the_address_says_cannot_connect(tmp_path):
    address = f"unix://{tmp_path}/docker.sock"  # nothing listens there
    proc = subprocess.run(["docker", "ps"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DOCKER_HOST": address})
    assert proc.returncode != 0
    assert proc.stderr.strip() == f"Cannot connect to the Docker daemon at {address}. Is the docker daemon running?"


@pytest.mark.claim("trouble-exits-at-once", about=["python:3.11-slim"])
def test_a_container_that_exits_at_once_shows_its_code_and_its_error(compose_project):
    project = compose_project("exits-at-once", wait=False)
    container = project.container("app")
    container.wait(timeout=60)
    ps = project.compose("ps", "-a", "--format", "{{.Service}}\t{{.Status}}").stdout
    assert ps.startswith("app\tExited (1)"), ps
    assert project.compose("ps", "--format", "{{.Service}}").stdout.strip() == "", "plain ps lists only running ones"
    logs = project.compose("logs", "--no-color", "app").stdout
    assert "ModuleNotFoundError: No module named 'flask'" in logs, logs
