"""examples/healthy-start-order, taught on docs/compose.md and docs/commands.md."""
from datetime import datetime

import pytest

from primer.stacks import wait_until
from tests.docker_cli import docker, label_args
from tests.health import assert_about_every_second, assert_about_ten_seconds, parse_time, pause_after, pauses_while_starting, this_start

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def started(module_compose_project):
    """The stack, and db's healthcheck record as it stood when the stack was up, db healthy
    (Docker keeps the last five checks only: a later test would find the start's ones gone)."""
    project = module_compose_project("healthy-start-order")
    log_while_starting = project.container("db").attrs["State"]["Health"]["Log"]
    project.wait_for_log("app", "db answered at start:")  # its one try, yes or no, once python is up
    return project, log_while_starting


@pytest.fixture(scope="module")
def stack(started):
    return started[0]


def first_passing_probe(container) -> datetime:
    probes = container.attrs["State"]["Health"]["Log"]
    passed = [parse_time(p["End"]) for p in probes if p["ExitCode"] == 0]
    assert passed, f"no passing healthcheck in {probes}"
    return min(passed)


@pytest.mark.claim("depends-on-healthy-waits")
@pytest.mark.claim("compose-starts-in-depends-on-order")
def test_app_starts_only_after_db_is_healthy(stack):
    project = stack
    db, app = project.container("db"), project.container("app")

    app_started = parse_time(app.attrs["State"]["StartedAt"])
    probes = db.attrs["State"]["Health"]["Log"]
    passed = [parse_time(p["End"]) for p in probes if p["ExitCode"] == 0]
    assert passed, f"no passing healthcheck in {probes}"
    assert min(passed) <= app_started, (
        f"app started at {app_started}, before db's first passing healthcheck: {probes}")

    logs = project.compose("logs", "--no-color", "app").stdout
    assert "db answered at start: yes" in logs, logs


@pytest.mark.claim("up-service-starts-its-dependencies")
@pytest.mark.claim("commands-up-names-only-these")
def test_up_with_one_service_name_also_starts_what_it_depends_on(compose_project):
    project = compose_project("healthy-start-order", up=False)
    project.up("app")
    assert project.states() == {"app": "running", "db": "running"}, project.states()
    app_started = parse_time(project.container("app").attrs["State"]["StartedAt"])
    assert first_passing_probe(project.container("db")) <= app_started, "app started before db was healthy"


@pytest.mark.claim("logs-show-process-output")
def test_compose_logs_shows_what_the_app_printed(stack):
    project = stack
    logs = project.compose("logs", "--no-color", "app").stdout
    assert "app-1  | db answered at start: yes" in logs, logs


@pytest.mark.claim("postgres-image-is-postgres-15", about=["postgres:15"])
def test_the_postgres_image_runs_postgresql_15(stack):
    project = stack
    result = project.exec("db", ["postgres", "--version"])
    assert result.exit_code == 0, result.output
    assert "(PostgreSQL) 15." in result.output, result.output


@pytest.mark.claim("compose-creates-default-network")
def test_compose_puts_every_service_on_one_project_network(stack):
    project = stack
    assert project.network_names() == [f"{project.name}_default"]
    for service in ("db", "app"):
        networks = project.container(service).attrs["NetworkSettings"]["Networks"]
        assert list(networks) == [f"{project.name}_default"], networks


@pytest.mark.claim("postgres-password-from-secret-file", about=["postgres:15"])
@pytest.mark.claim("compose-mounts-the-secret-file", about=["postgres:15"])
def test_postgres_takes_its_password_from_the_secret_file(stack):
    password = (stack.example.path / "db_password.txt").read_text().strip()
    # Over the network address, as another container connects (the image trusts 127.0.0.1).
    address = stack.container("db").attrs["NetworkSettings"]["Networks"][f"{stack.name}_default"]["IPAddress"]
    login = ["psql", "--host", address, "--username", "postgres", "--no-password", "-tAc", "SELECT 1"]

    result = stack.exec("db", login, environment={"PGPASSWORD": password})
    assert result.exit_code == 0 and result.output.strip() == "1", result.output
    result = stack.exec("db", login, environment={"PGPASSWORD": "not-the-password"})
    assert result.exit_code != 0 and "password authentication failed" in result.output, result.output

    environment = stack.container("db").attrs["Config"]["Env"]
    assert not [e for e in environment if password in e], environment


@pytest.mark.claim("compose-services-find-each-other-by-name")
@pytest.mark.claim("compose-service-name-is-host-name")
def test_services_reach_each_other_by_service_name(stack):
    db = stack.container("db")
    address = db.attrs["NetworkSettings"]["Networks"][f"{stack.name}_default"]["IPAddress"]
    resolved = stack.exec("app", ["python", "-c", "import socket; print(socket.gethostbyname('db'))"])
    assert resolved.exit_code == 0 and resolved.output.strip() == address, resolved.output
    assert stack.connect_from("app", "db", 5432) == "connected"


@pytest.mark.claim("healthcheck-runs-again-and-again")
@pytest.mark.claim("healthcheck-every-second-while-starting-then-every-10-seconds")
def test_the_healthcheck_runs_pg_isready_every_second_while_db_starts_then_every_10_seconds(started):
    stack, log_at_start = started
    db = stack.container("db")
    started_at = db.attrs["State"]["StartedAt"]
    turned_healthy = this_start(started_at, log_at_start)[-1]
    assert turned_healthy["ExitCode"] == 0 and "127.0.0.1:5432 - accepting connections" in turned_healthy["Output"], log_at_start
    # While db starts: a check a second after the start, then one a second after each failed one.
    assert_about_every_second(pauses_while_starting(started_at, log_at_start))

    # Once a check has passed: the next one 10 seconds after it.
    def pause_after_the_pass() -> float | None:
        db.reload()
        return pause_after(db.attrs["State"]["Health"]["Log"], turned_healthy)

    assert_about_ten_seconds(wait_until(pause_after_the_pass, timeout=30, interval=0.5, message="the check after the passing one"))
    assert db.attrs["State"]["Health"]["Status"] == "healthy"


@pytest.mark.claim("compose-mounts-the-secret-file", about=["postgres:15"])
def test_compose_mounts_the_secret_file_at_run_secrets(stack):
    password_file = (stack.example.path / "db_password.txt").read_text()
    assert "POSTGRES_PASSWORD_FILE=/run/secrets/db_password" in (stack.example.path / "db.env").read_text()
    db = stack.container("db")
    assert "POSTGRES_PASSWORD_FILE=/run/secrets/db_password" in db.attrs["Config"]["Env"]
    assert stack.exec("db", ["cat", "/run/secrets/db_password"]).output == password_file


@pytest.mark.claim("compose-mounts-the-secret-file", about=["postgres:15"])
def test_the_postgres_image_needs_a_password_for_its_superuser(docker_names):
    name, labels = docker_names("healthy-start-order")
    run = docker("run", "--rm", "--name", name, *label_args(labels), "postgres:15", timeout=60)
    assert run.returncode != 0, run.stdout + run.stderr
    assert "superuser password is not specified" in run.stdout + run.stderr, run.stdout + run.stderr


@pytest.mark.claim("short-depends-on-does-not-wait")
@pytest.mark.claim("postgres-started-is-not-ready", about=["postgres:15"])
def test_short_depends_on_starts_db_first_but_does_not_wait_for_it(compose_project, docker_names, tmp_path):
    project = compose_project("healthy-start-order", up=False, copy_to=tmp_path)
    compose_file = project.example.compose_file
    long_form = "    depends_on:\n      db:\n        condition: service_healthy"
    text = compose_file.read_text()
    assert long_form in text
    compose_file.write_text(text.replace(long_form, "    depends_on: [db]"))
    _, labels = docker_names("healthy-start-order")
    empty = docker("run", "--rm", *label_args(labels), "--entrypoint", "ls", "postgres:15", "-A", "/var/lib/postgresql/data")
    assert empty.returncode == 0 and empty.stdout.strip() == "", "the image comes with no data files"

    project.up()
    logs = project.wait_for_log("app", "db answered at start:")
    db, app = project.container("db"), project.container("app")
    assert parse_time(db.attrs["State"]["StartedAt"]) <= parse_time(app.attrs["State"]["StartedAt"])
    assert "db answered at start: no" in logs, logs
    assert project.exec("db", ["test", "-s", "/var/lib/postgresql/data/PG_VERSION"]).exit_code == 0
