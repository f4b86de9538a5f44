"""The day-one troubles of docs/troubleshooting.md that this machine can show: the socket's
permissions, no engine at the address, and a container that exits at once (examples/exits-at-once)."""
from __future__ import annotations

import grp
import os
import subprocess

import pytest

from tests.docker_cli import label_args
from tests.harness import in_ci

pytestmark = pytest.mark.docker

SOCKET = "/var/run/docker.sock"
NOBODY = 65534  # an ordinary user who is not in the docker group
IMAGE = "python:3.11-slim"  # the image of examples/exits-at-once


def docker_as(tmp_path, uid: int, groups: tuple[int, ...], *args: str) -> subprocess.CompletedProcess[str]:
    """`docker ARGS` run as `uid` with exactly these supplementary groups, against the usual socket."""
    home = tmp_path / f"home-{uid}"
    home.mkdir(mode=0o777, exist_ok=True)
    os.chmod(home, 0o777)
    group_args = ["--groups", ",".join(map(str, groups))] if groups else ["--clear-groups"]
    return subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", *group_args,
                           "docker", "--host", f"unix://{SOCKET}", *args],
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
@pytest.mark.claim("home-docker-group-runs-docker-without-sudo")
def test_a_user_outside_the_docker_group_is_refused_and_a_member_is_let_in(tmp_path, docker_group):
    api = subprocess.run(["docker", "version", "--format", "{{.Client.APIVersion}}"], capture_output=True,
                         text=True, timeout=60).stdout.strip()
    assert api.startswith("1."), api
    for command in (["ps"], ["images"], ["run", "--rm", IMAGE, "true"]):  # whatever needs the engine
        refused = docker_as(tmp_path, NOBODY, (), *command)
        assert refused.returncode != 0, command
        assert ("permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock"
                in refused.stderr), (command, refused.stderr)
        assert "dial unix /var/run/docker.sock: connect: permission denied" in refused.stderr, (command, refused.stderr)
        if command == ["ps"]:  # the request it names: `docker ps`'s, in the client's API version
            assert ('Get "http://%2Fvar%2Frun%2Fdocker.sock/v' + api + '/containers/json": dial unix'
                    in refused.stderr), refused.stderr
    member = docker_as(tmp_path, NOBODY, (docker_group,), "ps", "--format", "{{.ID}}")
    assert member.returncode == 0, member.stderr


@pytest.mark.claim("trouble-docker-group-is-root")
@pytest.mark.claim("home-docker-group-is-as-good-as-root")
def test_a_docker_group_member_reads_and_writes_as_root_and_root_itself_is_let_in(tmp_path, docker_group, docker_names):
    _, labels = docker_names("exits-at-once")
    private = tmp_path / "root-only"
    private.mkdir(mode=0o700)
    (private / "note").write_text("for root's eyes only\n")
    os.chmod(private / "note", 0o600)
    direct = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                             "cat", str(private / "note")], capture_output=True, text=True, timeout=30)
    assert direct.returncode != 0 and "Permission denied" in direct.stderr, direct
    through_docker = docker_as(tmp_path, NOBODY, (docker_group,), "run", "--rm", *label_args(labels),
                               "-v", f"{private}:/h", IMAGE, "sh", "-c", "cat /h/note && id -u > /h/written")
    assert through_docker.returncode == 0, through_docker.stderr
    assert through_docker.stdout == "for root's eyes only\n", through_docker.stdout
    assert os.stat(private / "written").st_uid == 0, "the file the member wrote through Docker is root's"
    # root, as `sudo` runs it, needs no group at all
    as_root = docker_as(tmp_path, 0, (), "ps", "--format", "{{.ID}}")
    assert as_root.returncode == 0, as_root.stderr


def docker_with(config, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`docker ARGS` with a configuration folder of its own (its contexts), and no DOCKER_HOST
    unless given."""
    base = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60,
                          env={**base, "DOCKER_CONFIG": str(config), **env})


@pytest.mark.claim("trouble-cannot-connect-to-daemon")
def test_no_engine_at_the_address_says_cannot_connect(tmp_path):
    address = f"unix://{tmp_path}/docker.sock"  # nothing listens there
    config = tmp_path / "config"
    by_variable = docker_with(config, "ps", DOCKER_HOST=address)
    assert by_variable.returncode != 0
    assert by_variable.stderr.strip() == f"Cannot connect to the Docker daemon at {address}. Is the docker daemon running?"
    # the same when the current context points there
    created = docker_with(config, "context", "create", "elsewhere", "--docker", f"host={address}")
    assert created.returncode == 0, created.stderr
    assert docker_with(config, "context", "use", "elsewhere").returncode == 0
    listed = docker_with(config, "context", "ls", "--format", "{{.Name}}\t{{.Current}}\t{{.DockerEndpoint}}").stdout
    assert f"elsewhere\ttrue\t{address}" in listed.splitlines(), listed
    by_context = docker_with(config, "ps")
    assert by_context.returncode != 0
    assert by_context.stderr.strip() == f"Cannot connect to the Docker daemon at {address}. Is the docker daemon running?"


@pytest.mark.claim("trouble-unset-docker-host-or-use-default-context")
def test_without_docker_host_and_back_on_the_default_context_docker_answers(tmp_path):
    address = f"unix://{tmp_path}/docker.sock"
    config = tmp_path / "config"
    assert docker_with(config, "ps", DOCKER_HOST=address).returncode != 0
    unset = docker_with(config, "ps", "--format", "{{.ID}}")  # DOCKER_HOST unset: the usual engine
    assert unset.returncode == 0, unset.stderr
    assert docker_with(config, "context", "create", "elsewhere", "--docker", f"host={address}").returncode == 0
    assert docker_with(config, "context", "use", "elsewhere").returncode == 0
    assert docker_with(config, "ps").returncode != 0
    back = docker_with(config, "context", "use", "default")
    assert back.returncode == 0, back.stderr
    again = docker_with(config, "ps", "--format", "{{.ID}}")
    assert again.returncode == 0, again.stderr


@pytest.mark.claim("trouble-exits-at-once", about=["python:3.11-slim"])
@pytest.mark.claim("trouble-exit-codes-say-who-ended-it")
def test_a_container_that_exits_at_once_shows_its_code_and_its_error(compose_project):
    project = compose_project("exits-at-once", wait=False)
    container = project.container("app")
    container.wait(timeout=60)
    ps = project.compose("ps", "-a", "--format", "{{.Service}}\t{{.Status}}").stdout
    assert ps.startswith("app\tExited (1)"), ps
    assert project.compose("ps", "--format", "{{.Service}}").stdout.strip() == "", "plain ps lists only running ones"
    logs = project.compose("logs", "--no-color", "app").stdout
    assert "ModuleNotFoundError: No module named 'flask'" in logs, logs
