"""examples/housekeeping, taught on docs/housekeeping.md: what piles up, and what each prune
command removes. The prune commands act on everything on an engine, so they run on a private
engine of their own (tests/reliability/private_engine.py), never on the one the other tests
and the machine's owner use."""
from __future__ import annotations

import re
import subprocess

import pytest

from primer.captures import record_output
from primer.examples import get_example
from primer.stacks import wait_until
from tests.reliability.private_engine import private_engine_for_a_test

pytestmark = pytest.mark.docker

SLUG = "housekeeping"


def anonymous_volume(project) -> str:
    container = project.container("cache")
    container.reload()
    (mount,) = [m for m in container.attrs["Mounts"] if m["Destination"] == "/data"]
    return mount["Name"]


def volume_exists(client, name: str) -> bool:
    return any(volume.name == name for volume in client.volumes.list())


@pytest.mark.claim("housekeeping-down-leaves-anonymous-volume", about=["redis:7"])
@pytest.mark.claim("forgot-the-volume-gets-an-anonymous-one", about=["redis:7"])
@pytest.mark.claim("housekeeping-image-declares-a-data-folder", about=["redis:7"])
def test_down_leaves_the_anonymous_volume_and_up_makes_another(compose_project, docker_client):
    assert "/data" in docker_client.images.get("redis:7").attrs["Config"]["Volumes"]  # the image declares it
    project = compose_project(SLUG)
    first = anonymous_volume(project)
    assert re.fullmatch(r"[0-9a-f]{64}", first), first  # a long random name
    project.compose("down", timeout=60)  # no -v
    assert volume_exists(docker_client, first)
    dangling = {v.name for v in docker_client.volumes.list(filters={"dangling": True})}
    assert first in dangling
    project.up()
    second = anonymous_volume(project)
    assert second != first and volume_exists(docker_client, first)


@pytest.mark.claim("housekeeping-down-v-removes-anonymous-volume")
@pytest.mark.claim("forgot-the-volume-gets-an-anonymous-one", about=["redis:7"])
@pytest.mark.claim("down-v-removes-named-and-anonymous-volumes")
def test_down_v_removes_the_anonymous_volume(compose_project, docker_client):
    project = compose_project(SLUG)
    volume = anonymous_volume(project)
    project.compose("down", "-v", timeout=60)
    assert not volume_exists(docker_client, volume)


@pytest.fixture(scope="module")
def engine():
    with private_engine_for_a_test("debian:bookworm-slim") as engine:
        yield engine


def on(engine, *args: str, check: bool = True, answer: str | None = None) -> str:
    """`docker ARGS` on the private engine, what it printed; `answer`: typed in reply to a question."""
    proc = subprocess.run(["docker", "--host", engine.host, *args], capture_output=True, text=True, timeout=300,
                          env={"DOCKER_BUILDKIT": "1", "PATH": "/usr/local/bin:/usr/bin:/bin"},
                          input=answer if answer is not None else "")
    if check:
        assert proc.returncode == 0, (args, proc.stderr)
    return proc.stdout


def inventory(engine) -> dict[str, set[str]]:
    def names(*args: str) -> set[str]:
        return set(on(engine, *args).split())
    return {"stopped": names("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}"),
            "networks": names("network", "ls", "--filter", "type=custom", "--format", "{{.Name}}"),
            "dangling images": names("images", "--filter", "dangling=true", "--format", "{{.ID}}"),
            "volumes": names("volume", "ls", "--format", "{{.Name}}"),
            "build cache": {line for line in on(engine, "builder", "du").splitlines()[1:] if line.strip()
                            and not line.startswith(("Shared:", "Private:", "Reclaimable:", "Total:"))}}


def make_clutter(engine, context) -> dict[str, set[str]]:
    """What a few days of work leave on an engine, made on the private one."""
    (context / "Dockerfile").write_text((get_example(SLUG).path / "Dockerfile").read_text())
    on(engine, "build", "-t", "myimage", str(context))
    first_build = on(engine, "images", "--quiet", "myimage").strip()
    (context / "Dockerfile").write_text((context / "Dockerfile").read_text().replace("once", "twice"))
    on(engine, "build", "-t", "myimage", str(context))  # the first build's image: dangling now
    on(engine, "network", "create", "old-network")
    on(engine, "volume", "create", "named-data")
    on(engine, "run", "--name", "stopped-container", "-v", "/data", "debian:bookworm-slim", "true")
    on(engine, "rm", "stopped-container")  # its anonymous volume stays, as after a plain `down`
    on(engine, "run", "--name", "another-stopped-one", "debian:bookworm-slim", "true")
    # `docker run` returns once the engine has seen the exit, which can be a moment before the
    # list that `docker ps` reads says "exited": wait for the list.
    wait_until(lambda: "another-stopped-one" in on(engine, "ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}"),
               timeout=10, interval=0.1, message="another-stopped-one listed as exited")
    return {**inventory(engine), "first build": {first_build}}


@pytest.fixture(scope="module")
def clutter(engine, tmp_path_factory):
    return make_clutter(engine, tmp_path_factory.mktemp("housekeeping"))


@pytest.mark.claim("system-df-shows-what-uses-space")
@pytest.mark.claim("system-df-v-lists-every-item")
@pytest.mark.claim("housekeeping-docker-keeps-everything-until-deleted")
def test_system_df_lists_images_containers_volumes_and_build_cache(engine, clutter):
    df = on(engine, "system", "df")
    rows = [re.split(r"\s{2,}", line.strip()) for line in df.splitlines()]
    assert rows[0] == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"], df
    assert [row[0] for row in rows[1:]] == ["Images", "Containers", "Local Volumes", "Build Cache"], df
    assert all(int(row[1]) > 0 for row in rows[1:]), df  # of each kind, what the work left is still there
    record_output("housekeeping-system-df", "docker system df", df)
    verbose = on(engine, "system", "df", "-v")
    for part in ("Images space usage:", "Containers space usage:", "Local Volumes space usage:",
                 "Build cache usage:", "myimage", "another-stopped-one", "named-data"):
        assert part in verbose, verbose


@pytest.mark.claim("system-prune-keeps-volumes")
def test_system_prune_removes_stopped_containers_networks_dangling_images_and_cache_not_volumes(engine, clutter):
    assert all(clutter[kind] for kind in ("stopped", "networks", "dangling images", "volumes", "build cache")), clutter
    output = on(engine, "system", "prune", "--force")
    after = inventory(engine)
    assert after["stopped"] == set() and after["networks"] == set() and after["dangling images"] == set(), after
    # What is left of the build cache is shared with the image still tagged (`*` after its size).
    assert len(after["build cache"]) < len(clutter["build cache"]), (clutter, after)
    assert all(line.split()[2].endswith("*") for line in after["build cache"]), after["build cache"]
    assert after["volumes"] == clutter["volumes"], after  # volumes hold data: not without --volumes
    assert "myimage:latest" in on(engine, "images", "--format", "{{.Repository}}:{{.Tag}}"), "a tagged image stays"
    assert "Total reclaimed space" in output, output


@pytest.mark.claim("volume-prune-anonymous-only")
@pytest.mark.claim("prune-row-volume-prune")
def test_volume_prune_removes_anonymous_volumes_and_all_removes_named_ones(engine, clutter):
    on(engine, "system", "prune", "--force")  # no container uses the volumes any more
    on(engine, "volume", "prune", "--force")
    left = inventory(engine)["volumes"]
    assert left == {"named-data"}, left
    on(engine, "volume", "prune", "--all", "--force")
    assert inventory(engine)["volumes"] == set()


@pytest.mark.claim("prune-commands-each-remove-their-kind")
@pytest.mark.claim("prune-row-container-prune")
@pytest.mark.claim("prune-row-image-prune")
@pytest.mark.claim("prune-row-builder-prune")
@pytest.mark.claim("prune-row-system-prune")
@pytest.mark.claim("rebuild-leaves-the-first-image-dangling")
def test_each_prune_command_removes_what_the_table_says(engine, tmp_path):
    # system prune --all: every image no container uses (none runs here), and all the build cache
    on(engine, "system", "prune", "--all", "--volumes", "--force")  # a clean engine: only this test's clutter
    assert on(engine, "images", "--quiet") == "" and inventory(engine)["build cache"] == set()
    engine.load_image("debian:bookworm-slim")
    before = make_clutter(engine, tmp_path)
    # the first build, its name taken by the second: <none>, dangling
    assert before["dangling images"] == before["first build"], before
    assert on(engine, "images", "--filter", "dangling=true", "--format", "{{.Repository}}:{{.Tag}}") == "<none>:<none>\n"
    on(engine, "container", "prune", "--force")
    after_containers = inventory(engine)
    assert after_containers["stopped"] == set() and after_containers["dangling images"] == before["dangling images"]
    on(engine, "image", "prune", "--force")
    after_images = inventory(engine)
    assert after_images["dangling images"] == set() and after_images["networks"] == before["networks"]
    assert "myimage:latest" in on(engine, "images", "--format", "{{.Repository}}:{{.Tag}}")
    on(engine, "builder", "prune", "--force")  # what no image uses: what is left is shared with myimage (`*`)
    shared = inventory(engine)["build cache"]
    assert shared and all(line.split()[2].endswith("*") for line in shared), shared
    on(engine, "builder", "prune", "--all", "--force")
    assert inventory(engine)["build cache"] == set()
    on(engine, "create", "--name", "keeps-its-image", "debian:bookworm-slim")  # a container uses debian
    on(engine, "image", "prune", "--all", "--force")
    assert on(engine, "images", "--format", "{{.Repository}}:{{.Tag}}") == "debian:bookworm-slim\n"
    on(engine, "rm", "keeps-its-image")
    on(engine, "system", "prune", "--volumes", "--force")
    left = inventory(engine)
    assert left["networks"] == set(), left
    assert left["volumes"] == {"named-data"}, left  # --volumes prunes as `volume prune` does: anonymous ones


@pytest.mark.claim("prune-asks-first-and-acts-on-every-project")
def test_prune_asks_first_and_removes_what_every_project_left(engine, tmp_path):
    (tmp_path / "compose.yaml").write_text('services:\n  job:\n    image: debian:bookworm-slim\n    command: ["true"]\n')
    for project in ("one", "two"):  # two projects, each leaving a stopped container
        on(engine, "compose", "--project-directory", str(tmp_path), "--project-name", project, "up")
    stopped = inventory(engine)["stopped"]
    assert {"one-job-1", "two-job-1"} <= stopped, stopped
    asked = on(engine, "container", "prune", answer="N\n")
    assert "Are you sure you want to continue? [y/N]" in asked, asked
    assert inventory(engine)["stopped"] == stopped  # "N": nothing removed
    on(engine, "container", "prune", answer="y\n")
    assert inventory(engine)["stopped"] == set()  # both projects' containers, and any others
    assert "Are you sure" not in on(engine, "container", "prune", "--force")  # --force: no question
