"""examples/local-registry, taught on docs/registry.md: tag, push, pull and digests against a
registry:2 on 127.0.0.1:5000. The pushed repository is named after this session, so that
parallel runs never share one."""
from __future__ import annotations

import re

import pytest

from primer.builds import docker_build
from primer.compose import run_compose
from primer.stacks import connect_from_host, http_get, wait_until
from tests.docker_cli import docker

pytestmark = pytest.mark.docker

SLUG = "local-registry"
GREETING = "Hello from an image that went through a registry\n"


def image_id(name: str) -> str:
    return docker("image", "inspect", "--format", "{{.Id}}", name).stdout.strip()


@pytest.fixture(scope="module")
def registry(module_compose_project):
    project = module_compose_project(SLUG)
    wait_until(lambda: http_get("http://127.0.0.1:5000/v2/")[0] == 200, timeout=30, message="the registry")
    return project


@pytest.fixture
def pushed(registry, docker_names):
    """myapp built, tagged 127.0.0.1:5000/<session's name>:1.0 and pushed: (name, push output)."""
    local, labels = docker_names(SLUG)
    docker_build(registry.example.path, local, labels=labels)
    remote = f"127.0.0.1:5000/{local}:1.0"
    assert docker("tag", local, remote).returncode == 0
    push = docker("push", remote)
    assert push.returncode == 0, push.stderr
    return local, remote, push.stdout


@pytest.mark.claim("docker-tag-adds-a-name")
def test_tag_gives_the_same_image_a_second_name(pushed):
    local, remote, _ = pushed
    assert image_id(local) == image_id(remote) != ""


@pytest.mark.claim("registry-push-then-pull-by-tag", about=["registry:2"])
@pytest.mark.claim("registry-round-trip-as-typed", about=["registry:2"])
def test_an_image_pushed_and_removed_comes_back_with_pull(pushed):
    local, remote, push_output = pushed
    assert re.search(r"^1\.0: digest: sha256:[0-9a-f]{64} size: \d+$", push_output, re.MULTILINE), push_output
    original = image_id(remote)
    assert docker("image", "rm", remote, local).returncode == 0
    assert image_id(remote) == image_id(local) == ""  # gone from this machine
    pull = docker("pull", remote)
    assert pull.returncode == 0 and "Status: Downloaded newer image for" in pull.stdout, pull.stdout + pull.stderr
    assert image_id(remote) == original
    assert docker("run", "--rm", remote).stdout == GREETING


@pytest.mark.claim("registry-pull-by-digest", about=["registry:2"])
@pytest.mark.claim("digest-names-one-image-for-good", about=["registry:2"])
def test_a_digest_names_exactly_one_image(pushed, docker_names, tmp_path):
    local, remote, push_output = pushed
    original = image_id(local)
    digest = re.search(r"digest: (sha256:[0-9a-f]{64})", push_output)[1]
    repository = remote.rsplit(":", 1)[0]
    # The tag moves on: another image pushed under the same name and tag.
    other, labels = docker_names(SLUG)
    (tmp_path / "Dockerfile").write_text('FROM debian:bookworm-slim\nCMD ["echo", "a newer image"]\n')
    docker_build(tmp_path, other, labels=labels)
    assert docker("tag", other, remote).returncode == 0 and docker("push", remote).returncode == 0
    assert docker("image", "rm", remote).returncode == 0
    pull = docker("pull", f"{repository}@{digest}")
    assert pull.returncode == 0 and f"Digest: {digest}" in pull.stdout, pull.stdout + pull.stderr
    assert image_id(f"{repository}@{digest}") == original  # the pushed image, not what the tag points at now
    digests = docker("image", "inspect", "--format", "{{json .RepoDigests}}", f"{repository}@{digest}").stdout
    assert f"{repository}@{digest}" in digests, digests


@pytest.mark.claim("registry-catalog-lists-repository", about=["registry:2"])
def test_the_registry_lists_the_pushed_repository(pushed):
    local, _, _ = pushed
    status, body = http_get("http://127.0.0.1:5000/v2/_catalog")
    assert status == 200 and f'"{local}"' in body.decode(), body
    tags = http_get(f"http://127.0.0.1:5000/v2/{local}/tags/list")[1].decode()
    assert '"1.0"' in tags, tags


@pytest.mark.claim("local-registry-only-for-this-machine", about=["registry:2"])
def test_the_registry_answers_on_127_0_0_1_only(registry):
    assert registry.compose("port", "registry", "5000").stdout.strip() == "127.0.0.1:5000"
    assert http_get("http://127.0.0.1:5000/v2/")[0] == 200
    with pytest.raises(ConnectionRefusedError):
        connect_from_host(5000, host=registry.host_address()).close()


@pytest.mark.claim("docker-run-prints-and-exits")
def test_docker_run_downloads_an_image_this_machine_does_not_have(pushed):
    _, remote, _ = pushed
    assert docker("image", "rm", remote).returncode == 0
    run = docker("run", "--rm", remote)
    assert f"Unable to find image '{remote}' locally" in run.stderr, run.stderr
    assert run.returncode == 0 and run.stdout == GREETING, run


@pytest.mark.claim("image-name-short-for-docker-io-library")
@pytest.mark.claim("image-name-registry-defaults-to-docker-hub")
@pytest.mark.claim("image-name-official-images-in-library")
def test_a_short_name_is_docker_hubs_library_name():
    assert image_id("redis:7") == image_id("docker.io/library/redis:7") != ""
    assert image_id("python:3.11-slim") == image_id("docker.io/library/python:3.11-slim") != ""


@pytest.mark.claim("registry-plain-http-only-on-localhost", about=["registry:2"])
def test_the_same_registry_at_another_address_needs_https(pushed, registry):
    local, _, _ = pushed
    container = registry.container("registry")
    container.reload()
    address = next(iter(container.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
    other = f"{address}:5000/{local}:1.0"
    by_name = f"localhost:5000/{local}:1.0"  # another loopback name: plain HTTP too
    assert docker("tag", local, other).returncode == 0 and docker("tag", local, by_name).returncode == 0
    try:
        assert docker("push", by_name).returncode == 0
        push = docker("push", other)
        assert push.returncode != 0
        assert "server gave HTTP response to HTTPS client" in push.stderr, push.stderr
    finally:
        docker("image", "rm", other, by_name)


@pytest.mark.claim("no-tag-means-latest")
@pytest.mark.claim("images-no-tag-means-latest")
def test_a_name_without_a_tag_means_the_tag_latest(pushed):
    local, _, _ = pushed
    # `docker pull` says so itself, and a name without a tag looks up NAME:latest.
    pull = docker("pull", f"127.0.0.1:5000/{local}")
    assert "Using default tag: latest" in pull.stdout + pull.stderr, pull.stdout + pull.stderr
    assert "manifest unknown" in pull.stderr or "not found" in pull.stderr, pull.stderr  # only 1.0 was pushed
    assert docker("tag", local, f"{local}-alias").returncode == 0  # tagged without a tag: :latest
    try:
        assert image_id(f"{local}-alias:latest") == image_id(local) != ""
    finally:
        docker("image", "rm", f"{local}-alias")


@pytest.mark.claim("commands-pull-gets-the-newer-image-up-does-not")
@pytest.mark.claim("commands-pull-row")
@pytest.mark.claim("no-tag-means-latest")
@pytest.mark.claim("compose-runs-a-pushed-image", about=["registry:2"])
@pytest.mark.claim("commands-up-creates-what-is-missing")
def test_up_pulls_only_a_missing_image_and_pull_fetches_the_newer_one(registry, docker_names, tmp_path):
    """A tag moved in the registry (as `redis:7` moves with each 7.x release): `up` keeps the
    image it has, `docker compose pull` fetches the new one, and the next `up` uses it."""
    name, labels = docker_names(SLUG)
    remote = f"127.0.0.1:5000/{name}:1.0"
    versions = {}
    for version in ("first", "second"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "Dockerfile").write_text(f'FROM debian:bookworm-slim\nCMD ["echo", "{version}"]\n')
        docker_build(tmp_path / version, f"{name}-{version}", labels=labels)
        versions[version] = image_id(f"{name}-{version}")
    (tmp_path / "docker-compose.yml").write_text(f"services:\n  app:\n    image: {remote}\n")

    def compose(*args: str) -> str:
        proc = run_compose(["--project-name", name, *args], cwd=tmp_path, timeout=120)
        return proc.stdout + proc.stderr

    def running_image() -> str:
        return docker("inspect", "--format", "{{.Image}}", f"{name}-app-1").stdout.strip()

    assert docker("tag", f"{name}-first", remote).returncode == 0 and docker("push", remote).returncode == 0
    assert docker("image", "rm", remote).returncode == 0
    compose("up", "-d")  # missing here: pulled
    assert running_image() == versions["first"]

    assert docker("tag", f"{name}-second", remote).returncode == 0 and docker("push", remote).returncode == 0
    assert docker("tag", f"{name}-first", remote).returncode == 0  # this machine still has the first
    compose("up", "-d")  # has an image for the tag: uses it, asks the registry nothing
    assert running_image() == versions["first"]
    compose("pull")
    assert image_id(remote) == versions["second"]
    compose("up", "-d")  # the new image: the container is made anew from it
    assert running_image() == versions["second"]
    compose("down")
