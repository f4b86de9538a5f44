"""Nothing a user made is deleted by the tooling: the sweep removes only resources whose
Compose project is one of ours (`primer-t-<session>-...`) and whose session is gone."""
from __future__ import annotations

import contextlib
import os
import subprocess
import uuid

import docker.errors
import pytest

from primer.stacks import PROJECT_LABEL, sweep
from tests.reliability.sessions import run_session, scenario, sweeps_lock

pytestmark = pytest.mark.docker

# Labels of a user's own resources: none, a Compose project of theirs, and names that only
# look like ours (no 8-hex session id, or the prefix in the middle).
FOREIGN_LABELS = {
    "unlabelled": {},
    "myapp": {PROJECT_LABEL: "myapp"},
    "lookalike": {PROJECT_LABEL: "primer-t-demo"},
    "infix": {PROJECT_LABEL: "myapp-primer-t-0123abcd-x"},
}


def build_with_buildkit(tag: str, labels: dict[str, str]) -> None:
    """A user's `docker build` (BuildKit, as every build here), of an image carrying `labels`."""
    label_args = [arg for key, value in labels.items() for arg in ("--label", f"{key}={value}")]
    proc = subprocess.run(["docker", "build", "--quiet", *label_args, "--tag", tag, "-"],
                          input=b"FROM debian:bookworm-slim\n", capture_output=True, timeout=120,
                          env={**os.environ, "DOCKER_BUILDKIT": "1"})
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")


def test_the_sweep_leaves_a_users_containers_networks_volumes_and_images_alone(tmp_path, docker_client):
    tag = uuid.uuid4().hex[:6]
    made, images = [], []
    try:
        for kind, labels in FOREIGN_LABELS.items():
            name = f"user-{kind}-{tag}"
            made.append(docker_client.volumes.create(name, labels=labels))
            made.append(docker_client.networks.create(name, labels=labels))
            made.append(docker_client.containers.run(
                "debian:bookworm-slim", ["sleep", "infinity"], name=name, labels=labels, init=True,
                detach=True, network=name, volumes={name: {"bind": "/data", "mode": "rw"}}))
            # and an image (the sweep also removes images Compose built for dead sessions)
            build_with_buildkit(f"{name}:1", labels)
            images.append(f"{name}:1")
            image = docker_client.images.get(f"{name}:1")
            assert labels.items() <= image.labels.items(), image.labels
        with sweeps_lock(exclusive=False):
            sweep(docker_client)  # in this process, as the harness runs it
            code, output, _ = run_session(tmp_path, scenario("test_nothing"))  # a whole session's sweeps
        assert code == 0, output
        survivors = []
        for resource in made:
            resource.reload()  # raises NotFound if the sweep removed it
            survivors.append(resource.name)
        assert len(survivors) == 3 * len(FOREIGN_LABELS)
        for tag_name in images:
            docker_client.images.get(tag_name)  # raises ImageNotFound if the sweep removed it
        for container in made[2::3]:
            assert container.status == "running", container.name
    finally:
        for tag_name in images:
            with contextlib.suppress(docker.errors.ImageNotFound):
                docker_client.images.remove(tag_name)
        for resource in reversed(made):  # containers first, then networks, then volumes
            with contextlib.suppress(docker.errors.NotFound):
                if hasattr(resource, "kill"):
                    resource.remove(force=True)
                else:
                    resource.remove()
