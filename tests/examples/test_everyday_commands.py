"""The everyday commands of docs/commands.md, typed on examples/healthy-start-order (app,
which prints one line and stays up, and db, with a healthcheck); `up`, `build` and
`up --build` on a small project of two services, one built from examples/build-your-own-image/web."""
from __future__ import annotations

import shutil
import signal
import subprocess

import docker.errors
import pytest

from primer import ROOT
from primer.compose import run_compose
from primer.examples import get_example
from primer.stacks import PROJECT_LABEL, wait_until

pytestmark = pytest.mark.docker

SLUG = "healthy-start-order"
BUILT = "build-your-own-image"



@pytest.fixture(scope="module")
def stack(module_compose_project):
    """One stack for the tests that only look at it, brought up as the page says."""
    project = module_compose_project(SLUG, up=False)
    project.compose("up", "-d", "--wait", timeout=120)
    return project


@pytest.mark.claim("commands-up-d-starts-every-service-in-the-background")
@pytest.mark.claim("commands-up-wait-returns-once-healthy")
@pytest.mark.claim("trouble-reset-while-the-server-starts")
def test_up_d_wait_returns_with_every_service_running_and_healthy(stack):
    project = stack
    assert project.states() == {"app": "running", "db": "running"}
    db = project.container("db")
    db.reload()
    assert db.attrs["State"]["Health"]["Status"] == "healthy"


@pytest.mark.claim("commands-find-the-compose-file-from-a-subfolder")
def test_compose_finds_the_compose_file_in_the_folder_or_a_parent_folder(tmp_path):
    example = get_example(SLUG)
    for folder in (example.path, example.path / "app"):
        config = run_compose(["config", "--format", "json"], cwd=folder, timeout=60).stdout
        assert '"name": "healthy-start-order"' in config and '"db":' in config and '"app":' in config, config
    nowhere = run_compose(["config"], cwd=tmp_path, check=False, timeout=60)
    assert nowhere.returncode != 0 and "no configuration file provided" in nowhere.stderr, nowhere.stderr


@pytest.mark.claim("commands-running-example-services")
def test_the_repositorys_root_compose_file_has_the_backend_and_three_databases():
    services = run_compose(["config", "--services"], cwd=ROOT, timeout=60).stdout.split()
    assert sorted(services) == ["backend", "mongo", "postgres", "redis"], services


@pytest.mark.claim("commands-up-names-only-these")
def test_up_with_a_service_name_starts_only_it_and_what_it_needs(compose_project):
    project = compose_project(SLUG, "db")
    assert project.states() == {"db": "running"}


@pytest.mark.claim("commands-up-foreground-prefixes-and-ctrl-c-stops")
def test_up_in_the_foreground_prints_each_line_with_its_service_and_ctrl_c_stops(compose_project, tmp_path):
    project = compose_project(SLUG, up=False)
    log = tmp_path / "up.log"
    with project.running("up", log=log) as up:
        wait_until(lambda: "db answered at start: yes" in log.read_text(), timeout=90, interval=0.2,
                   message=f"app's line in the output of `up` ({log})")
        line = next(line for line in log.read_text().splitlines() if "db answered at start" in line)
        assert line.split("|")[0].strip().startswith("app-1"), line
        up.send_signal(signal.SIGINT)  # Ctrl+C
        up.wait(timeout=60)
    assert set(project.states().values()) == {"exited"}, project.states()


@pytest.mark.claim("commands-ps-lists-state-and-health")
def test_ps_shows_state_and_health(stack):
    ps = stack.compose("ps", "--format", "{{.Service}}\t{{.State}}\t{{.Status}}").stdout
    rows = dict(line.split("\t", 1) for line in ps.splitlines())
    assert rows["app"].startswith("running\t") and rows["db"].startswith("running\t"), ps
    assert "(healthy)" in rows["db"], ps


@pytest.mark.claim("commands-ps-columns-and-ps-a")
def test_ps_table_shows_name_image_status_and_ports(stack):
    header, *rows = stack.compose("ps").stdout.splitlines()
    assert header.split() == ["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"], header
    db = next(row for row in rows if row.startswith(f"{stack.name}-db-1 "))
    assert " postgres:15 " in db and " Up " in db and "(healthy)" in db and "5432/tcp" in db, db


@pytest.mark.claim("start-order-try-it-block")
def test_up_wait_then_ps_shows_db_healthy_and_logs_show_the_apps_line(stack):
    # `stack` was brought up with `docker compose up -d --wait`, as the block does.
    ps = stack.compose("ps", "--format", "{{.Service}} {{.Status}}").stdout
    assert "(healthy)" in next(line for line in ps.splitlines() if line.startswith("db ")), ps
    assert "db answered at start: yes" in stack.compose("logs", "app").stdout


@pytest.mark.claim("commands-logs-forms")
def test_logs_of_one_service_or_of_all(stack):
    def prefixes(*services: str) -> set[str]:
        out = stack.compose("logs", "--no-color", *services).stdout
        return {line.split("|")[0].strip() for line in out.splitlines() if "|" in line}
    assert prefixes("app") == {"app-1"}
    assert prefixes() == {"app-1", "db-1"}


@pytest.mark.claim("commands-logs-f-keeps-following")
@pytest.mark.claim("commands-logs-forms")
def test_logs_f_keeps_running_until_stopped(stack, tmp_path):
    project = stack
    log = tmp_path / "logs.log"
    with project.running("logs", "-f", "app", log=log) as follow:
        wait_until(lambda: "db answered at start: yes" in log.read_text(), timeout=30, message="the logs")
        # a line the app's main process prints after `logs -f` started: it shows up too
        project.exec("app", ["sh", "-c", "echo printed later > /proc/1/fd/1"])
        wait_until(lambda: "printed later" in log.read_text(), timeout=30, message=f"the new line in {log}")
        assert follow.poll() is None, "logs -f ended by itself"
        follow.send_signal(signal.SIGINT)  # Ctrl+C stops following
        follow.wait(timeout=30)


@pytest.mark.claim("commands-exec-runs-beside-the-main-process")
@pytest.mark.claim("commands-exec-needs-running-and-leaves-it-running")
def test_exec_runs_in_the_running_container_and_leaving_it_stops_nothing(stack):
    container = stack.container("app")
    container.reload()
    main = container.attrs["State"]["Pid"]
    shell = stack.exec("app", ["sh", "-c", "echo inside $(hostname) as $$; exit 3"])
    inside, pid = shell.output.strip().rsplit(" as ", 1)
    assert shell.exit_code == 3 and inside == f"inside {container.id[:12]}", shell.output
    assert pid != "1", "the shell is a new process, next to the container's main one (PID 1)"
    container.reload()
    assert container.status == "running", "leaving the shell stopped the container"
    assert container.attrs["State"]["Pid"] == main, "the main process changed"


@pytest.mark.claim("commands-restart-restarts-the-process")
def test_restart_starts_the_program_again_in_the_same_container(compose_project):
    project = compose_project(SLUG, "db")
    db = project.container("db")
    db.reload()
    started, pid = db.attrs["State"]["StartedAt"], db.attrs["State"]["Pid"]
    project.compose("restart", "db", timeout=60)
    db.reload()
    assert db.attrs["State"]["StartedAt"] != started and db.attrs["State"]["Pid"] != pid
    assert db.status == "running" and project.container("db").id == db.id

    # Let db finish starting before the teardown's `down`: in the suite, a `down` straight after
    # the restart waited out its whole 10 s stop timeout (alone, it took half a second).
    project.wait_ready("db")


@pytest.mark.claim("commands-stop-start-same-containers")
@pytest.mark.claim("commands-ps-lists-state-and-health")
@pytest.mark.claim("commands-ps-columns-and-ps-a")
@pytest.mark.claim("commands-exec-runs-beside-the-main-process")
@pytest.mark.claim("commands-exec-needs-running-and-leaves-it-running")
@pytest.mark.claim("commands-stop-start-keep-what-was-written")
def test_stop_then_start_runs_the_same_containers_again(compose_project):
    project = compose_project(SLUG)
    before = {c.name: c.id for c in project.containers()}
    project.exec("app", ["sh", "-c", "echo kept > /tmp/mark"])
    project.compose("stop", timeout=60)
    assert set(project.states().values()) == {"exited"}
    # ps lists running containers only, ps -a the stopped ones too; exec needs a running one.
    assert project.compose("ps", "--format", "{{.Service}}").stdout.split() == []
    assert sorted(project.compose("ps", "-a", "--format", "{{.Service}}").stdout.split()) == ["app", "db"]
    _, *stopped_rows = project.compose("ps", "-a").stdout.splitlines()
    assert len(stopped_rows) == 2 and all(" Exited (" in row for row in stopped_rows), stopped_rows
    stopped = project.compose("exec", "-T", "app", "true", check=False)
    assert stopped.returncode != 0 and 'service "app" is not running' in stopped.stderr, stopped.stderr
    project.compose("start", timeout=60)
    assert {c.name: c.id for c in project.containers()} == before
    assert project.exec("app", ["cat", "/tmp/mark"]).output.strip() == "kept"


@pytest.mark.claim("commands-down-removes-containers-and-network")
def test_down_removes_the_containers_and_the_network_and_keeps_the_volumes(compose_project, docker_client):
    project = compose_project(SLUG)
    assert project.network_names() == [f"{project.name}_default"]
    volumes = [m["Name"] for m in project.container("db").attrs["Mounts"] if m["Type"] == "volume"]
    assert volumes, "db has postgres's data volume"
    project.compose("down", timeout=60)
    assert project.containers() == [] and project.network_names() == []
    assert all(docker_client.volumes.get(name) for name in volumes)  # raises NotFound if removed


def write_two_services(folder) -> None:
    """web, built from examples/build-your-own-image/web, with a named volume; cache, an image."""
    shutil.copytree(get_example(BUILT).path / "web", folder / "web")
    (folder / "docker-compose.yml").write_text(
        "services:\n"
        "  web:\n    build: ./web\n    init: true\n    volumes:\n      - data:/data\n"
        "  cache:\n    image: redis:7\n"
        "volumes:\n  data:\n")


@pytest.mark.claim("commands-up-d-starts-every-service-in-the-background")
@pytest.mark.claim("commands-up-creates-what-is-missing")
@pytest.mark.claim("compose-creates-named-volumes")
@pytest.mark.claim("compose-builds-the-image-the-first-time")
@pytest.mark.claim("commands-copied-code-needs-build")
@pytest.mark.claim("commands-build-row")
@pytest.mark.claim("commands-up-d-build-row")
@pytest.mark.claim("commands-build-and-up-build-block")
def test_up_makes_what_is_missing_and_only_build_or_up_build_build_again(docker_names, docker_client, tmp_path):
    name, _ = docker_names(BUILT)  # what Compose makes carries the project label: removed after the test
    write_two_services(tmp_path)

    def compose(*args: str) -> subprocess.CompletedProcess[str]:
        return run_compose(["--project-name", name, *args], cwd=tmp_path, timeout=240)

    def made() -> dict:
        label = {"label": f"{PROJECT_LABEL}={name}"}
        return {"containers": {c.labels["com.docker.compose.service"]: (c.id, c.status, c.image.id)
                               for c in docker_client.containers.list(all=True, filters=label)},
                "networks": [n.name for n in docker_client.networks.list(filters=label)],
                "volumes": [v.name for v in docker_client.volumes.list(filters=label)]}

    def app_in(service: str = "web") -> str:
        return docker_client.containers.get(f"{name}-{service}-1").exec_run(["cat", "/app/app.py"]).output.decode()

    assert "build" in get_example("assignment-stack").services["backend"]  # "like the assignment's backend"
    assert made() == {"containers": {}, "networks": [], "volumes": []}
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(f"{name}-web")

    # up -d: network, volume, image and containers made, both started; the command returns.
    compose("up", "-d")
    first = docker_client.images.get(f"{name}-web").id
    after_up = made()
    assert after_up["networks"] == [f"{name}_default"] and after_up["volumes"] == [f"{name}_data"], after_up
    assert {s: status for s, (_, status, _) in after_up["containers"].items()} == {"web": "running", "cache": "running"}
    assert after_up["containers"]["web"][2] == first

    # The code is copied into the image: after an edit, up alone builds nothing and changes nothing.
    app = tmp_path / "web" / "app.py"
    original = app.read_text()
    app.write_text(original.replace("yourself!", "yourself, version 2!"))
    compose("up", "-d")
    assert made() == after_up, "up without --build built or recreated something"  # still running, too
    assert docker_client.images.get(f"{name}-web").id == first and app_in() == original

    # build: a new image for the service with build:, the running containers untouched.
    compose("build")
    rebuilt = docker_client.images.get(f"{name}-web").id
    assert rebuilt != first and made() == after_up

    # up -d --build: the container whose image changed is made anew from it; the other is kept.
    compose("up", "-d", "--build")
    after = made()["containers"]
    assert after["web"][0] != after_up["containers"]["web"][0] and after["web"][1:] == ("running", rebuilt)
    assert after["cache"] == after_up["containers"]["cache"]
    assert app_in() == app.read_text() != original
