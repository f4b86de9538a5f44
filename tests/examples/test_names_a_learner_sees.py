"""The names Compose derives from an example's folder, observed as a learner gets them:
`docker compose` typed in a folder of the example's name, with no --project-name and no -f
(the harness elsewhere runs every stack under a generated project name). One session at a
time per example (tests/harness.py: learner_folder)."""
from __future__ import annotations

import pytest

from primer.compose import run_compose
from primer.stacks import wait_until

pytestmark = pytest.mark.docker


def up(folder) -> None:
    run_compose(["up", "--detach", "--build", "--wait", "--wait-timeout", "90"], cwd=folder, timeout=240)


def labelled(client, kind: str, project: str) -> list[str]:
    listing = getattr(client, kind).list(**({"all": True} if kind == "containers" else {}),
                                         filters={"label": f"com.docker.compose.project={project}"})
    return sorted(item.name for item in listing)


@pytest.mark.claim("project-name-is-folder-name")
@pytest.mark.claim("compose-v2-container-names")
def test_a_folder_called_environment_variables_names_project_and_container(learner_folder, docker_client):
    folder = learner_folder("environment-variables")
    up(folder)
    assert labelled(docker_client, "containers", "environment-variables") == ["environment-variables-app-1"]
    assert run_compose(["ls", "--format", "json"], cwd=folder).stdout.count('"Name":"environment-variables"') == 1


@pytest.mark.claim("compose-prefixes-volume-names")
def test_a_folder_called_named_volume_names_its_volume_named_volume_redis_data(learner_folder, docker_client):
    up(learner_folder("named-volume"))
    assert labelled(docker_client, "volumes", "named-volume") == ["named-volume_redis-data"]


@pytest.mark.claim("compose-names-built-image")
def test_a_folder_called_build_your_own_image_names_the_built_image(learner_folder, docker_client):
    up(learner_folder("build-your-own-image"))
    image = docker_client.images.get("build-your-own-image-web")
    assert docker_client.containers.get("build-your-own-image-web-1").image.id == image.id


@pytest.mark.claim("container-name-also-resolves")
@pytest.mark.claim("networking-container-name-changes-service-name-stays")
def test_from_its_folder_separate_networks_api_1_resolves_from_web(learner_folder, docker_client):
    folder = learner_folder("separate-networks")
    up(folder)
    code = "import socket; socket.create_connection(('separate-networks-api-1', 8000), timeout=3); print('ok')"
    proc = run_compose(["exec", "-T", "web", "python", "-c", code], cwd=folder, check=False)
    assert proc.stdout.strip() == "ok", proc.stdout + proc.stderr
    # with --scale, one service name stands for several containers, each named differently
    run_compose(["up", "--detach", "--wait", "--scale", "api=2"], cwd=folder, timeout=120)
    names = labelled(docker_client, "containers", "separate-networks")
    assert [n for n in names if "-api-" in n] == ["separate-networks-api-1", "separate-networks-api-2"], names
    api_addresses = sorted(
        docker_client.containers.get(name).attrs["NetworkSettings"]["Networks"]["separate-networks_frontend"]["IPAddress"]
        for name in ("separate-networks-api-1", "separate-networks-api-2"))
    resolve = "import socket; print(*sorted({a[4][0] for a in socket.getaddrinfo('api', 8000)}))"
    resolved = wait_until(lambda: (out := run_compose(["exec", "-T", "web", "python", "-c", resolve],
                                                      cwd=folder).stdout.split()) == api_addresses and out,
                          message="api to stand for both of its containers")
    assert resolved == api_addresses


@pytest.mark.claim("compose-creates-default-network")
@pytest.mark.claim("networking-default-is-one-network-per-project")
@pytest.mark.claim("without-compose-compose-file-reaches-by-name")
def test_from_its_folder_without_compose_gets_the_network_without_compose_default(learner_folder, docker_client):
    folder = learner_folder("without-compose")
    run_compose(["up", "--detach", "--wait", "redis"], cwd=folder, timeout=120)
    assert run_compose(["run", "--rm", "--no-deps", "client"], cwd=folder).stdout.strip() == "PONG"
    assert labelled(docker_client, "networks", "without-compose") == ["without-compose_default"]
