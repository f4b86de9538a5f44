"""The everyday commands of docs/commands.md, typed on examples/healthy-start-order (app,
which prints one line and stays up, and db, with a healthcheck)."""
from __future__ import annotations

import signal

import pytest

from primer.stacks import wait_until

pytestmark = pytest.mark.docker

SLUG = "healthy-start-order"


def states(project) -> dict[str, str]:
    return {c.labels["com.docker.compose.service"]: c.status for c in project.containers()}


@pytest.fixture(scope="module")
def stack(module_compose_project):
    """One stack for the tests that only look at it, brought up as the page says."""
    project = module_compose_project(SLUG, up=False)
    project.compose("up", "-d", "--wait", timeout=120)
    return project


@pytest.mark.claim("commands-up-d-starts-every-service-in-the-background")
@pytest.mark.claim("commands-up-wait-returns-once-healthy")
def test_up_d_wait_returns_with_every_service_running_and_healthy(stack):
    project = stack
    assert states(project) == {"app": "running", "db": "running"}
    db = project.container("db")
    db.reload()
    assert db.attrs["State"]["Health"]["Status"] == "healthy"


@pytest.mark.claim("commands-up-names-only-these")
def test_up_with_a_service_name_starts_only_it_and_what_it_needs(compose_project):
    project = compose_project(SLUG, "db")
    assert states(project) == {"db": "running"}


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
    assert set(states(project).values()) == {"exited"}, states(project)


@pytest.mark.claim("commands-ps-lists-state-and-health")
def test_ps_shows_state_and_health(stack):
    ps = stack.compose("ps", "--format", "{{.Service}}\t{{.State}}\t{{.Status}}").stdout
    rows = dict(line.split("\t", 1) for line in ps.splitlines())
    assert rows["app"].startswith("running\t") and rows["db"].startswith("running\t"), ps
    assert "(healthy)" in rows["db"], ps


@pytest.mark.claim("commands-logs-f-keeps-following")
def test_logs_f_keeps_running_until_stopped(stack, tmp_path):
    project = stack
    log = tmp_path / "logs.log"
    with project.running("logs", "-f", "app", log=log) as follow:
        wait_until(lambda: "db answered at start: yes" in log.read_text(), timeout=30, message="the logs")
        # a line the app's main process prints after `logs -f` started: it shows up too
        project.exec("app", ["sh", "-c", "echo printed later > /proc/1/fd/1"])
        wait_until(lambda: "printed later" in log.read_text(), timeout=30, message=f"the new line in {log}")
        assert follow.poll() is None, "logs -f ended by itself"


@pytest.mark.claim("commands-exec-runs-beside-the-main-process")
def test_exec_runs_in_the_running_container_and_leaving_it_stops_nothing(stack):
    container = stack.container("app")
    shell = stack.exec("app", ["sh", "-c", "echo inside $(hostname); exit 3"])
    assert shell.exit_code == 3 and shell.output.strip() == f"inside {container.id[:12]}", shell.output
    container.reload()
    assert container.status == "running", "leaving the shell stopped the container"


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


@pytest.mark.claim("commands-stop-start-same-containers")
@pytest.mark.claim("commands-ps-lists-state-and-health")
@pytest.mark.claim("commands-exec-runs-beside-the-main-process")
def test_stop_then_start_runs_the_same_containers_again(compose_project):
    project = compose_project(SLUG)
    before = {c.name: c.id for c in project.containers()}
    project.exec("app", ["sh", "-c", "echo kept > /tmp/mark"])
    project.compose("stop", timeout=60)
    assert set(states(project).values()) == {"exited"}
    # ps lists running containers only, ps -a the stopped ones too; exec needs a running one.
    assert project.compose("ps", "--format", "{{.Service}}").stdout.split() == []
    assert sorted(project.compose("ps", "-a", "--format", "{{.Service}}").stdout.split()) == ["app", "db"]
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
