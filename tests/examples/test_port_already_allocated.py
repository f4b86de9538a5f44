"""examples/port-already-allocated, taught on docs/troubleshooting.md."""
import json
import os
import re
import socket
import subprocess

import pytest

from primer import ROOT
from primer.compose import ComposeError, run_compose
from primer.stacks import connect_from_host, free_port, http_get, wait_until
from tests.docker_cli import docker

pytestmark = pytest.mark.docker


def answers(port: int, host: str = "127.0.0.1") -> int:
    return wait_until(lambda: http_get(f"http://{host}:{port}/")[0], message=f"web on {host}:{port}")


@pytest.mark.claim("port-already-allocated-names-the-port")
@pytest.mark.claim("port-already-allocated-means-another-container")
@pytest.mark.claim("trouble-find-who-holds-the-port")
@pytest.mark.claim("trouble-free-the-port-or-publish-another")
@pytest.mark.claim("trouble-refused-when-not-running-or-container-port")
def test_a_second_stack_on_a_taken_port_fails_naming_it_until_the_port_is_freed(compose_project):
    first = compose_project("port-already-allocated")  # no WEB_PORT: Docker picks a free port
    port = first.host_port("web", 8000)
    second = compose_project("port-already-allocated", up=False)
    with pytest.raises(ComposeError) as failure:
        second.compose("up", "--detach", env={"WEB_PORT": str(port)})
    error = str(failure.value)
    assert re.search(rf"Error response from daemon: failed to set up container networking: driver failed programming "
                     rf"external connectivity on endpoint {second.name}-web-1 \([0-9a-f]+\): "
                     rf"Bind for 127\.0\.0\.1:{port} failed: port is already allocated", error), error

    # who holds it: the container of the first project, which `docker compose ls` lists as running
    published = docker("ps", "--format", "{{.Names}}\t{{.Ports}}").stdout.splitlines()
    assert f"{first.name}-web-1\t127.0.0.1:{port}->8000/tcp" in published, published
    projects = {p["Name"]: p["Status"] for p in json.loads(run_compose(["ls", "--format", "json"], cwd=ROOT).stdout)}
    assert projects.get(first.name, "").startswith("running"), projects

    # another host port on the left side of the mapping: it starts, and answers there
    other = free_port()
    second.compose("up", "--detach", env={"WEB_PORT": str(other)})
    assert answers(other, "localhost") == 200
    # or the other project taken down: nothing answers on its port any more, and the port is free again
    first.compose("down")
    with pytest.raises(ConnectionRefusedError):
        connect_from_host(port)
    second.compose("up", "--detach", env={"WEB_PORT": str(port)})
    assert answers(port) == 200


@pytest.mark.claim("port-held-by-a-program-says-address-in-use")
@pytest.mark.claim("trouble-find-who-holds-the-port")
def test_a_port_held_by_a_program_on_the_host_fails_with_address_in_use(compose_project):
    with socket.socket() as program:  # a dev server of the learner's, not a container
        program.bind(("127.0.0.1", 0))
        program.listen()
        port = program.getsockname()[1]
        project = compose_project("port-already-allocated", up=False)
        proc = project.compose("up", "--detach", env={"WEB_PORT": str(port)}, check=False)
        # `ss` names the program that listens on the port: this test's own process
        holder = subprocess.run(["ss", "-ltnp", f"sport = :{port}"], capture_output=True, text=True, timeout=30)
    output = (proc.stdout + proc.stderr).rstrip()
    project.capture("troubleshooting-port-held-by-a-program", f"WEB_PORT={port} docker compose up -d", output)
    assert proc.returncode != 0, output
    assert re.search(rf"failed to bind host port for 127\.0\.0\.1:{port}:\S+: address already in use", output), output
    assert "port is already allocated" not in output, output
    assert holder.returncode == 0 and f"127.0.0.1:{port}" in holder.stdout, holder
    assert f"pid={os.getpid()}," in holder.stdout, holder.stdout


@pytest.mark.claim("trouble-root-and-example-are-two-projects")
def test_the_repository_root_and_the_example_folder_are_two_projects_that_both_publish_3000():
    env = {"COMPOSE_PROJECT_NAME": ""}  # the names Compose derives, as in a learner's shell

    def resolved(folder) -> dict:
        return json.loads(run_compose(["config", "--format", "json"], cwd=folder, env=env).stdout)

    root, example = resolved(ROOT), resolved(ROOT / "examples" / "assignment-stack")
    assert root["name"] != example["name"], (root["name"], example["name"])
    assert example["name"] == "assignment-stack"
    for project in (root, example):
        ports = [(p.get("host_ip"), p.get("published"), p.get("target")) for p in project["services"]["backend"]["ports"]]
        assert ports == [("127.0.0.1", "3000", 3000)], (project["name"], ports)
