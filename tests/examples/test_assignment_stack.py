"""examples/assignment-stack, brought up through the root docker-compose.yml as the page's
"Run it" does, taught on docs/assignment-design.md."""
import json
import subprocess
import urllib.error
import urllib.request

import pytest

from primer import ROOT
from primer.compose import run_compose
from primer.stacks import connect_from_host, wait_until

pytestmark = pytest.mark.docker

DATABASES = {"postgres": 5432, "redis": 6379, "mongo": 27017}


def read_status() -> tuple[int, dict]:
    try:
        with urllib.request.urlopen("http://127.0.0.1:3000/status", timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:  # 503: the body still says which database is down
        with error:  # it holds the connection
            return error.code, json.load(error)


def all_reachable() -> dict:
    code, status = read_status()
    assert code == 200 and all(check["ok"] for check in status.values()), (code, status)
    return status


@pytest.fixture(scope="module")
def stack(module_compose_project):
    # Brought up as the page's "Run it" does: `docker compose up` with the repository's root
    # file, which includes the example's.
    return module_compose_project("assignment-stack", compose_file=ROOT / "docker-compose.yml")


@pytest.fixture(scope="module")
def status(stack) -> dict:
    # Once `up` is done every database is healthy, so the first answer must already be 200.
    return all_reachable()


@pytest.mark.claim("assignment-backend-answers-on-localhost-3000")
def test_backend_answers_on_localhost_3000(stack, status):
    with urllib.request.urlopen("http://127.0.0.1:3000/", timeout=10) as response:
        page = response.read().decode()
    assert response.status == 200
    assert "The backend is running" in page, page
    assert set(status) == set(DATABASES), status


@pytest.mark.claim("assignment-backend-reaches-postgres")
def test_backend_logs_in_to_postgres_by_service_name(status):
    assert status["postgres"] == {"address": "postgres:5432", "ok": True,
                                  "detail": "SELECT 1 -> 1 (PostgreSQL 15)"}, status


@pytest.mark.claim("assignment-backend-reaches-redis")
def test_backend_pings_redis_by_service_name(status):
    assert status["redis"] == {"address": "redis:6379", "ok": True, "detail": "PING -> True"}, status


@pytest.mark.claim("assignment-backend-reaches-mongo", about=["mongo:7"])
def test_backend_says_hello_to_mongo_by_service_name(status):
    assert status["mongo"] == {"address": "mongo:27017", "ok": True, "detail": "ping -> ok: 1"}, status


@pytest.mark.claim("assignment-postgres-password-is-checked", about=["postgres:15"])
def test_postgres_refuses_a_wrong_password(stack):
    """The login is real: psycopg, from the backend's container, with a wrong password is refused."""
    code = ("import psycopg\n"
            "try:\n"
            "    psycopg.connect(host='postgres', user='app', password='wrong-password', dbname='app')\n"
            "except psycopg.OperationalError as error:\n"
            "    print(error)\n")
    result = stack.exec("backend", ["python", "-c", code])
    assert result.exit_code == 0, result.output
    assert 'password authentication failed for user "app"' in result.output, result.output


@pytest.mark.claim("assignment-postgres-runs-init-scripts", about=["postgres:15"])
def test_postgres_ran_the_init_script_on_first_start(stack):
    result = stack.exec("postgres", ["psql", "-U", "app", "-d", "app", "-tAc", "SELECT text FROM notes"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created by postgres-init/01-schema.sql", result.output


@pytest.mark.claim("assignment-databases-not-published")
@pytest.mark.parametrize("service", sorted(DATABASES))
def test_database_is_not_reachable_from_the_host(stack, status, service):
    port = DATABASES[service]
    container = stack.container(service)
    container.reload()
    bindings = container.attrs["NetworkSettings"]["Ports"]
    assert bindings.get(f"{port}/tcp") is None, bindings  # no host port at all
    with pytest.raises(ConnectionRefusedError):
        connect_from_host(port)


@pytest.mark.claim("trouble-connection-refused-on-an-unpublished-port")
def test_curl_and_python_on_the_host_are_refused_on_postgres_port(stack, status):
    code, output = stack.run_on_host("trouble-curl-refused", ["curl", "-sS", "127.0.0.1:5432"])
    assert code == 7 and "Failed to connect to 127.0.0.1 port 5432" in output, output
    assert "Couldn't connect to server" in output, output
    with pytest.raises(ConnectionRefusedError) as refused:
        connect_from_host(5432)
    assert "[Errno 111] Connection refused" in str(refused.value), refused.value
    # psql as if installed on the host: the image's own psql, in the host's network namespace.
    psql = subprocess.run(["docker", "run", "--rm", "--network", "host", "postgres:15",
                           "psql", "-h", "localhost", "-p", "5432", "-U", "app"],
                          capture_output=True, text=True, timeout=60)
    assert psql.returncode != 0
    assert ('psql: error: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused'
            in psql.stderr), psql.stderr


@pytest.mark.claim("root-compose-up-serves-status")
def test_compose_up_at_the_repository_root_serves_status(stack, status):
    assert stack.compose_file == ROOT / "docker-compose.yml"
    assert sorted(status) == ["mongo", "postgres", "redis"] and all(check["ok"] for check in status.values())
    assert {c.labels["com.docker.compose.service"] for c in stack.containers()} == {
        "backend", "postgres", "redis", "mongo"}


@pytest.mark.claim("root-compose-file-runs-the-assignment-stack")
def test_root_compose_file_resolves_to_the_same_stack(stack):
    """The root file includes the example: same services, same build folder, same ports."""
    def resolved(compose_file) -> dict:
        proc = run_compose(["-f", str(compose_file), "config", "--format", "json"], cwd=compose_file.parent)
        return json.loads(proc.stdout)["services"]

    root = resolved(ROOT / "docker-compose.yml")
    example = resolved(stack.example.compose_file)
    assert root == example
    assert root["backend"]["build"]["context"] == str(stack.example.path / "backend")



# "What you will see" on docs/assignment-design.md: real output, captured here.

def test_curl_status_and_compose_ps_as_the_page_shows_them(stack, status):
    code, output = stack.run_on_host("assignment-curl-status", ["curl", "-s", "127.0.0.1:3000/status"])
    assert code == 0, output
    reported = json.loads(output)
    assert set(reported) == set(DATABASES) and all(reported[name]["ok"] for name in DATABASES), output
    ps = stack.run_shown("assignment-compose-ps", "ps", "--format", r"table {{.Service}}\t{{.Status}}\t{{.Ports}}")
    rows = {line.split()[0]: line for line in ps.splitlines()[1:]}
    assert set(rows) == {"backend", "postgres", "redis", "mongo"}, ps
    assert "127.0.0.1:3000->3000/tcp" in rows["backend"], ps
    assert all("->" not in rows[name] for name in ("postgres", "redis", "mongo")), ps


@pytest.mark.claim("assignment-backend-runs-as-non-root")
def test_backend_runs_as_an_ordinary_user_who_cannot_change_its_code(stack):
    who = stack.exec("backend", ["id", "-un"])
    assert (who.exit_code, who.output.strip()) == (0, "app"), who.output
    write = stack.exec("backend", ["python", "-c", "open('/app/app.py', 'a')"])
    assert write.exit_code != 0 and "Permission denied" in write.output, write.output


@pytest.mark.claim("assignment-password-is-a-file-not-a-variable")
def test_the_backend_has_the_password_as_a_file_and_not_in_its_environment(stack):
    env = stack.exec("backend", ["env"]).output
    assert "POSTGRES_PASSWORD=" not in env and "POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password" in env, env
    secret = stack.exec("backend", ["cat", "/run/secrets/postgres_password"])
    expected = (stack.example.path / "postgres_password.txt").read_text()
    assert secret.exit_code == 0 and secret.output == expected, secret.output


@pytest.mark.claim("assignment-mongo-healthcheck-uses-mongosh", about=["mongo:7"])
def test_mongo_is_healthy_by_its_mongosh_ping_and_the_backend_waited_for_it(stack):
    mongo = stack.container("mongo")
    mongo.reload()
    health = mongo.attrs["State"]["Health"]
    assert health["Status"] == "healthy", health
    assert mongo.attrs["Config"]["Healthcheck"]["Test"][:2] == ["CMD", "mongosh"], mongo.attrs["Config"]["Healthcheck"]
    passed = [probe for probe in health["Log"] if probe["ExitCode"] == 0]
    assert passed and passed[-1]["Output"].strip() == "1", health["Log"]
    assert stack.example.services["backend"]["depends_on"]["mongo"]["condition"] == "service_healthy"


@pytest.mark.claim("assignment-status-503-when-a-database-is-down")
@pytest.mark.claim("trouble-stopped-service-name-not-known")
def test_status_says_503_while_redis_is_stopped_and_healthz_stays_200(stack, status):
    """Last in this module: it stops redis and starts it again."""
    stack.compose("stop", "redis", timeout=60)
    try:
        code, down = read_status()
        assert code == 503, (code, down)
        assert down["redis"]["ok"] is False and down["postgres"]["ok"] and down["mongo"]["ok"], down
        # a stopped container's name is gone from the network's DNS
        assert down["redis"]["detail"] == "ConnectionError: Error -2 connecting to redis:6379. Name or service not known.", down
        with urllib.request.urlopen("http://127.0.0.1:3000/healthz", timeout=10) as response:
            assert (response.status, response.read()) == (200, b"ok")
        with pytest.raises(urllib.error.HTTPError) as page:
            urllib.request.urlopen("http://127.0.0.1:3000/", timeout=10)
        with page.value:
            assert page.value.code == 503
    finally:
        stack.compose("start", "redis", timeout=60)
    wait_until(all_reachable, timeout=30, interval=0.5, message="redis back in /status")
