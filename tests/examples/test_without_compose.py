"""examples/without-compose, taught on docs/first-container.md: the two containers of its
compose file, made with plain docker commands (commands.sh), and what happens without the
network. commands.sh runs as shown, with this session's names put in for `demo-net` and the
`redis` container (so that parallel runs never meet) and its label on what it creates."""
from __future__ import annotations

import re
import subprocess

import pytest

from primer.examples import get_example
from tests.docker_cli import docker, label_args

pytestmark = pytest.mark.docker

SLUG = "without-compose"


def as_this_session(script: str, name: str, label: str) -> str:
    script = script.replace("demo-net", f"{name}-net")
    script = re.sub(r"--name redis\b", f"--name {name}", script)
    script = re.sub(r"-h redis\b", f"-h {name}", script)
    script = re.sub(r"(docker (?:exec|rm -f -v)) redis\b", rf"\1 {name}", script)
    return script.replace("docker network create ", f"docker network create {label} ").replace(
        "docker run ", f"docker run {label} ")


@pytest.mark.claim("without-compose-network-and-run-reach-by-name")
@pytest.mark.claim("containers-find-each-other-by-name-on-a-network-you-create")
def test_the_commands_make_a_network_where_the_client_reaches_redis_by_name(docker_names):
    name, labels = docker_names(SLUG)
    label = " ".join(label_args(labels))
    script = as_this_session((get_example(SLUG).path / "commands.sh").read_text(), name, label)
    assert name in script and "demo-net" not in script, script
    run = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "PONG" in run.stdout.splitlines(), run.stdout
    assert docker("ps", "-aq", "--filter", f"name=^{name}$").stdout == "", "commands.sh removes its container"
    assert docker("network", "ls", "-q", "--filter", f"name=^{name}-net$").stdout == "", "and its network"


@pytest.mark.claim("without-compose-default-network-has-no-names")
@pytest.mark.claim("containers-find-each-other-by-name-on-a-network-you-create")
def test_without_a_network_of_your_own_the_name_is_unknown(docker_names):
    name, labels = docker_names(SLUG)
    label = label_args(labels)
    server = subprocess.run(["docker", "run", "-d", "--name", name, *label, "redis:7"],
                            capture_output=True, text=True, timeout=60)
    assert server.returncode == 0, server.stderr
    networks = docker("inspect", "--format", "{{range $net, $_ := .NetworkSettings.Networks}}{{$net}} {{end}}", name).stdout
    assert networks.split() == ["bridge"], networks  # Docker's default network
    client = subprocess.run(["docker", "run", "--rm", *label, "redis:7", "redis-cli", "-h", name, "ping"],
                            capture_output=True, text=True, timeout=60)
    said = client.stdout + client.stderr
    assert f"Could not connect to Redis at {name}:6379: Name or service not known" in said, said


@pytest.mark.claim("without-compose-compose-file-reaches-by-name")
@pytest.mark.claim("compose-makes-the-network-and-names-the-services")
def test_the_compose_file_does_the_same_with_no_network_command(compose_project):
    project = compose_project(SLUG, "redis")
    run = project.compose("run", "--rm", "--no-deps", "client")  # reaches `redis` by its service name
    assert run.stdout.strip() == "PONG", run.stdout + run.stderr
    assert project.network_names() == [f"{project.name}_default"]
    redis = project.container("redis")
    assert list(redis.attrs["NetworkSettings"]["Networks"]) == [f"{project.name}_default"]
