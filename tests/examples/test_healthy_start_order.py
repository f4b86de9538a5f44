"""examples/healthy-start-order, taught on docs/compose.md and docs/commands.md."""
from datetime import datetime, timezone

import pytest

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    project = module_compose_project("healthy-start-order")
    project.wait_for_log("app", "db answered at start:")  # its one try, yes or no, once python is up
    return project


def parse_time(value: str) -> datetime:
    """Docker's RFC 3339 timestamps carry nanoseconds; Python keeps microseconds."""
    stamp, _, fraction = value.rstrip("Z").partition(".")
    fraction = (fraction.split("+")[0].split("-")[0] + "000000")[:6]
    return datetime.fromisoformat(f"{stamp}.{fraction}").replace(tzinfo=timezone.utc)


@pytest.mark.claim("depends-on-healthy-waits")
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
def test_up_with_one_service_name_also_starts_what_it_depends_on(compose_project):
    project = compose_project("healthy-start-order", up=False)
    project.up("app")
    running = {c.labels["com.docker.compose.service"]: c.status for c in project.containers()}
    assert running == {"app": "running", "db": "running"}, running


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
