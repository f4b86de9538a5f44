"""The table "What survives what" of docs/volumes-and-bind-mounts.md, row by row: each command
run on examples/named-volume (a container, the project's network, a named volume) and on
examples/bind-mount (a bind-mounted folder), and what is left afterwards."""
from __future__ import annotations

import docker.errors
import pytest

pytestmark = pytest.mark.docker


def left(project) -> dict:
    """What of the project exists: containers (name -> (id, status)), networks, volumes."""
    return {"containers": {c.name: (c.id, c.status) for c in project.containers()},
            "networks": project.network_names(), "volumes": project.volume_names()}


def run_both(compose_project, tmp_path, command: list[str]):
    # bind-mount in a copy: its own tests write scratch files into examples/bind-mount/data.
    volume_stack, bind_stack = compose_project("named-volume"), compose_project("bind-mount", copy_to=tmp_path)
    folder = bind_stack.example.path / "data"
    files_before = sorted(p.name for p in folder.iterdir())
    before = left(volume_stack)
    volume_stack.exec("redis", ["redis-cli", "SET", "greeting", "still here"])
    volume_stack.compose(*command, timeout=60)
    bind_stack.compose(*command, timeout=60)
    assert sorted(p.name for p in folder.iterdir()) == files_before, "the bind-mounted folder changed"
    return volume_stack, before, left(volume_stack)


@pytest.mark.claim("survives-stop")
@pytest.mark.claim("commands-stop-start-keep-what-was-written")
def test_stop_keeps_containers_network_and_volumes(compose_project, tmp_path):
    project, before, after = run_both(compose_project, tmp_path, ["stop"])
    assert {name: cid for name, (cid, _) in after["containers"].items()} == \
        {name: cid for name, (cid, _) in before["containers"].items()}
    assert {status for _, status in after["containers"].values()} == {"exited"}
    assert after["networks"] == before["networks"] and after["volumes"] == before["volumes"] != []
    project.compose("start", timeout=60)
    project.wait_listening("redis", 6379)
    assert project.exec("redis", ["redis-cli", "GET", "greeting"]).output.strip() == "still here"


@pytest.mark.claim("survives-down")
@pytest.mark.claim("commands-down-and-down-v-block")
@pytest.mark.claim("mounted-storage-outlives-the-container")
def test_down_removes_containers_and_network_and_keeps_named_volumes(compose_project, tmp_path):
    _, before, after = run_both(compose_project, tmp_path, ["down"])
    assert after["containers"] == {} and after["networks"] == []
    assert after["volumes"] == before["volumes"] != []


@pytest.mark.claim("survives-down-v")
@pytest.mark.claim("commands-down-v-row")
@pytest.mark.claim("commands-down-and-down-v-block")
@pytest.mark.claim("mount-kind-removed-by")
def test_down_v_removes_the_named_volumes_too(compose_project, tmp_path, docker_client):
    project, before, after = run_both(compose_project, tmp_path, ["down", "-v"])
    assert after == {"containers": {}, "networks": [], "volumes": []}
    for name in before["volumes"]:
        with pytest.raises(docker.errors.NotFound):
            docker_client.volumes.get(name)
    project.up()  # the database starts empty
    assert project.exec("redis", ["redis-cli", "EXISTS", "greeting"]).output.strip() == "0"
