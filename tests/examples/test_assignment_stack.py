"""examples/assignment-stack, brought up through the root docker-compose.yml as the page's
"Run it" does, taught on docs/assignment-design.md."""
import html
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import pytest
import yaml
from docker.errors import ImageNotFound

from primer import ROOT
from primer.builds import docker_build
from primer.compose import run_compose
from primer.stacks import UP_TIMEOUT_S, connect_from_host, http_get, wait_until
from tests.docker_cli import docker, label_args

pytestmark = pytest.mark.docker

DATABASES = {"postgres": 5432, "redis": 6379, "mongo": 27017}
SERVICES = {"backend", *DATABASES}


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


@dataclass
class UpWait:
    """What `docker compose up -d --wait` printed, and what was true the moment it returned."""
    output: str
    health: dict[str, str]  # service -> health status, read right after `up` returned
    page_status: int | str  # GET / right after `up` returned (or why it got no answer)


@pytest.fixture(scope="module")
def project(module_compose_project):
    # The repository's root file, which includes the example's, as the page's "Run it" uses it.
    return module_compose_project("assignment-stack", compose_file=ROOT / "docker-compose.yml", up=False)


@pytest.fixture(scope="module")
def up_wait(project) -> UpWait:
    """The page's `docker compose up -d --wait`, typed at the repository's root."""
    proc = project.compose("up", "--detach", "--wait", timeout=UP_TIMEOUT_S + 120)
    health = {}
    for container in project.containers():
        health[container.labels["com.docker.compose.service"]] = (container.attrs["State"].get("Health") or {}).get("Status")
    page_status: int | str
    try:
        page_status = http_get("http://127.0.0.1:3000/", timeout=10)[0]
    except urllib.error.HTTPError as error:
        page_status = error.code
        error.close()
    except OSError as error:  # not listening yet: test_up_wait_... fails on it, the other tests go on
        page_status = repr(error)
    project.up()  # and the harness's own readiness check, for the tests that follow
    return UpWait(proc.stdout + proc.stderr, health, page_status)


@pytest.fixture(scope="module")
def stack(project, up_wait):
    return project


def image_exists(project, name: str) -> bool:
    try:
        project.client.images.get(name)
    except ImageNotFound:
        return False
    return True


def progress(output: str) -> list[tuple[str, str]]:
    """(container, event) for each line such as ` Container p-backend-1  Started` of Compose's output."""
    return [(m["name"], m["event"]) for m in re.finditer(r"^\s*Container (?P<name>\S+)\s+(?P<event>\w+)\s*$",
                                                        output, re.MULTILINE)]


def bindings(container) -> dict:
    container.reload()
    return {port: spec for port, spec in (container.attrs["NetworkSettings"]["Ports"] or {}).items() if spec}


@pytest.fixture(scope="module")
def status(stack) -> dict:
    # Once `up` is done every database is healthy, so the first answer must already be 200.
    return all_reachable()


@pytest.mark.claim("assignment-backend-answers-on-localhost-3000")
@pytest.mark.claim("assignment-backend-routes")
def test_backend_answers_on_localhost_3000(stack, status):
    with urllib.request.urlopen("http://localhost:3000/", timeout=10) as response:
        page = response.read().decode()
    assert response.status == 200 and response.headers.get_content_type() == "text/html"
    assert "The backend is running" in page, page
    assert set(status) == set(DATABASES), status
    for name, check in status.items():  # the page says what /status says, as HTML
        assert f"<td>{name}</td><td>{check['address']}</td>" in page and html.escape(check["detail"]) in page, page
    assert page.count("<td>reachable</td>") == len(DATABASES), page
    with urllib.request.urlopen("http://localhost:3000/status", timeout=10) as response:
        assert response.headers.get_content_type() == "application/json"
    assert http_get("http://localhost:3000/healthz") == (200, b"ok")
    backend = stack.container("backend")
    test = backend.attrs["Config"]["Healthcheck"]["Test"]
    assert "http://127.0.0.1:3000/healthz" in " ".join(test), test  # the container's healthcheck asks /healthz


@pytest.mark.claim("assignment-backend-reaches-postgres")
@pytest.mark.claim("assignment-backend-addresses-are-service-names")
@pytest.mark.claim("assignment-postgres-is-major-version-15", about=["postgres:15"])
def test_backend_logs_in_to_postgres_by_service_name(status):
    assert status["postgres"] == {"address": "postgres:5432", "ok": True,
                                  "detail": "SELECT 1 -> 1 (PostgreSQL 15)"}, status


@pytest.mark.claim("assignment-backend-reaches-redis")
@pytest.mark.claim("assignment-backend-addresses-are-service-names")
def test_backend_pings_redis_by_service_name(status):
    assert status["redis"] == {"address": "redis:6379", "ok": True, "detail": "PING -> True"}, status


@pytest.mark.claim("assignment-backend-reaches-mongo", about=["mongo:7"])
@pytest.mark.claim("assignment-backend-addresses-are-service-names")
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
@pytest.mark.claim("home-assignment-is-a-backend-and-three-databases")
def test_compose_up_at_the_repository_root_serves_status(stack, status):
    assert stack.compose_file == ROOT / "docker-compose.yml"
    assert sorted(status) == ["mongo", "postgres", "redis"] and all(check["ok"] for check in status.values())
    assert {c.labels["com.docker.compose.service"] for c in stack.containers()} == {
        "backend", "postgres", "redis", "mongo"}


@pytest.mark.claim("root-compose-file-runs-the-assignment-stack")
@pytest.mark.claim("root-compose-file-only-includes-the-example")
def test_root_compose_file_resolves_to_the_same_stack(stack):
    """The root file includes the example: same services, same build folder, same ports."""
    # It has no services of its own: `include` is all it says.
    assert yaml.safe_load((ROOT / "docker-compose.yml").read_text()) == {
        "include": ["examples/assignment-stack/docker-compose.yml"]}

    def resolved(compose_file) -> dict:
        proc = run_compose(["-f", str(compose_file), "config", "--format", "json"], cwd=compose_file.parent)
        return json.loads(proc.stdout)["services"]

    root = resolved(ROOT / "docker-compose.yml")
    example = resolved(stack.example.compose_file)
    assert root == example
    assert root["backend"]["build"]["context"] == str(stack.example.path / "backend")



# "What you will see" on docs/assignment-design.md: real output, captured here.

@pytest.mark.claim("assignment-ps-shows-only-the-backend-published")
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
    owners = stack.exec("backend", ["stat", "-c", "%U %n", "/app", "/app/app.py", "/app/requirements.txt"])
    assert owners.output.split("\n")[:3] == ["root /app", "root /app/app.py", "root /app/requirements.txt"], owners.output


@pytest.mark.claim("assignment-password-is-a-file-not-a-variable")
@pytest.mark.claim("assignment-backend-reads-the-password-file")
def test_the_backend_has_the_password_as_a_file_and_not_in_its_environment(stack, status):
    env = stack.exec("backend", ["env"]).output
    assert "POSTGRES_PASSWORD=" not in env and "POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password" in env, env
    assert {"POSTGRES_USER=app", "POSTGRES_DB=app"} <= set(env.splitlines()), env  # as postgres was created
    # ... and the file is where its password comes from: with it, the backend logs in
    assert status["postgres"]["ok"], status
    secret = stack.exec("backend", ["cat", "/run/secrets/postgres_password"])
    expected = (stack.example.path / "postgres_password.txt").read_text()
    assert secret.exit_code == 0 and secret.output == expected, secret.output


@pytest.mark.claim("assignment-mongo-healthcheck-uses-mongosh", about=["mongo:7"])
@pytest.mark.claim("assignment-mongo-image-ships-mongosh", about=["mongo:7"])
def test_mongo_is_healthy_by_its_mongosh_ping_and_the_backend_waited_for_it(stack):
    mongo = stack.container("mongo")
    mongo.reload()
    health = mongo.attrs["State"]["Health"]
    assert health["Status"] == "healthy", health
    assert mongo.attrs["Config"]["Healthcheck"]["Test"][:2] == ["CMD", "mongosh"], mongo.attrs["Config"]["Healthcheck"]
    passed = [probe for probe in health["Log"] if probe["ExitCode"] == 0]
    assert passed and passed[-1]["Output"].strip() == "1", health["Log"]
    assert stack.example.services["backend"]["depends_on"]["mongo"]["condition"] == "service_healthy"


@pytest.mark.claim("assignment-run-it-up-wait-and-down")
@pytest.mark.claim("assignment-backend-starts-after-the-databases-are-healthy")
@pytest.mark.claim("assignment-backend-health-is-healthz-only")
def test_up_wait_builds_the_backend_and_returns_once_all_four_are_healthy(stack, up_wait):
    image = f"{stack.name}-backend"
    assert image_exists(stack, image)
    assert f"{image}  Built" in up_wait.output, up_wait.output
    # the moment `up --wait` returned: all four healthy, and the backend already usable
    assert up_wait.health == dict.fromkeys(SERVICES, "healthy"), up_wait.health
    assert up_wait.page_status == 200
    # depends_on: Compose waited for each database to be healthy before it started the backend
    events = progress(up_wait.output)
    backend_starting = events.index((f"{stack.name}-backend-1", "Starting"))
    for name in DATABASES:
        assert events.index((f"{stack.name}-{name}-1", "Healthy")) < backend_starting, up_wait.output


@pytest.mark.claim("assignment-only-the-backend-is-reachable-from-your-machine")
@pytest.mark.claim("trouble-databases-reachable-only-from-other-containers")
@pytest.mark.claim("commands-assignment-databases-unreachable-from-your-machine")
def test_only_the_backend_is_published_and_any_container_reaches_the_databases_by_name(stack, status):
    containers = {c.labels["com.docker.compose.service"]: c for c in stack.containers()}
    assert set(containers) == SERVICES
    assert {service: list(bindings(c)) for service, c in containers.items()} == {
        "backend": ["3000/tcp"], "postgres": [], "redis": [], "mongo": []}
    connect_from_host(3000).close()
    for name, port in DATABASES.items():
        with pytest.raises(ConnectionRefusedError):
            connect_from_host(port)
        assert stack.connect_from("backend", name, port) == "connected"
    # not only the backend: any container of the stack, here postgres's own, with bash's /dev/tcp
    for name in ("redis", "mongo"):
        probe = stack.exec("postgres", ["bash", "-c", f"exec 3<>/dev/tcp/{name}/{DATABASES[name]} && echo connected"])
        assert (probe.exit_code, probe.output.strip()) == (0, "connected"), probe.output


@pytest.mark.claim("assignment-any-port-is-reachable-without-expose")
@pytest.mark.claim("assignment-redis-expose-is-documentation-only", about=["redis:7"])
def test_a_port_that_nothing_declares_is_reachable_from_another_container(stack):
    backend = stack.container("backend")
    assert "4000/tcp" not in (backend.attrs["Config"].get("ExposedPorts") or {})  # no expose, no EXPOSE
    server = ("import socket\n"
              "with socket.create_server(('0.0.0.0', 4000)) as s:\n"
              "    s.settimeout(30)\n"
              "    c, _ = s.accept()\n"
              "    c.sendall(b'hello from 4000\\n')\n"
              "    c.close()\n")
    backend.exec_run(["python", "-c", server], detach=True)
    stack.wait_listening("backend", 4000)
    probe = stack.exec("postgres", ["bash", "-c", "exec 3<>/dev/tcp/backend/4000 && cat <&3"])
    assert (probe.exit_code, probe.output) == (0, "hello from 4000\n"), probe.output
    # redis's `expose: ["6379"]` adds nothing: the image already declares the port, and it is not published
    assert "6379/tcp" in stack.client.images.get("redis:7").attrs["Config"]["ExposedPorts"]
    assert bindings(stack.container("redis")) == {}


@pytest.mark.claim("assignment-backend-answers-on-localhost-only")
@pytest.mark.claim("assignment-backend-port-is-3000-on-127-0-0-1")
@pytest.mark.claim("commands-assignment-databases-unreachable-from-your-machine")
def test_the_backend_is_published_on_127_0_0_1_port_3000_only(stack, status):
    backend = stack.container("backend")
    assert bindings(backend) == {"3000/tcp": [{"HostIp": "127.0.0.1", "HostPort": "3000"}]}
    assert http_get("http://localhost:3000/healthz") == (200, b"ok")
    with pytest.raises(ConnectionRefusedError):  # this machine's other addresses: nothing there
        connect_from_host(3000, host=stack.host_address())


@pytest.mark.claim("assignment-backend-image-is-built-not-pulled")
@pytest.mark.claim("assignment-stack-builds-one-image-the-backend")
def test_the_backend_image_is_built_from_its_folder_and_the_only_one_built(stack):
    built = [service for service, spec in stack.example.services.items() if "build" in spec]
    assert built == ["backend"]
    images = {c.labels["com.docker.compose.service"]: c.attrs["Config"]["Image"] for c in stack.containers()}
    assert images == {"backend": f"{stack.name}-backend", "postgres": "postgres:15", "redis": "redis:7",
                      "mongo": "mongo:7"}, images
    image = stack.client.images.get(f"{stack.name}-backend")
    assert image.attrs["RepoDigests"] == []  # never pulled from (nor pushed to) a registry
    assert image.attrs["Config"]["Cmd"] == ["python", "app.py"] and image.attrs["Config"]["User"] == "10001"
    labelled = stack.client.api.images(filters={"label": f"com.docker.compose.project={stack.name}"})
    assert [tag for i in labelled for tag in i["RepoTags"]] == [f"{stack.name}-backend:latest"], labelled


@pytest.mark.claim("assignment-init-passes-the-stop-signal")
@pytest.mark.claim("assignment-backend-listens-on-0-0-0-0")
def test_without_init_the_backend_ignores_sigterm_and_on_127_0_0_1_its_published_port_leads_nowhere(
        stack, docker_names):
    assert stack.exec("backend", ["cat", "/proc/1/comm"]).output == "docker-init\n"  # init: true
    name, labels = docker_names("assignment-stack")
    image = f"{stack.name}-backend"
    plain, loopback = f"{name}-no-init", f"{name}-loopback"
    started = [docker("run", "-d", "--name", plain, *label_args(labels), image),
               docker("run", "-d", "--name", loopback, *label_args(labels), "-p", "127.0.0.1::3000", image,
                      "python", "-c", "from app import app; app.run(host='127.0.0.1', port=3000)")]
    assert all(run.returncode == 0 for run in started), started
    for container, line in ((plain, "Running on all addresses (0.0.0.0)"), (loopback, "Running on http://127.0.0.1:3000")):
        wait_until(lambda c=container, s=line: s in docker("logs", c).stderr, timeout=30, interval=0.1,
                   message=f"{container} to listen")
    port = docker("port", loopback, "3000").stdout.split(":")[-1].strip()
    with pytest.raises(ConnectionResetError):  # also http.client.RemoteDisconnected, an empty reply
        http_get(f"http://127.0.0.1:{port}/healthz")
    # Python as PID 1, no init: it ignores SIGTERM and is killed at the end of the grace period
    assert docker("exec", plain, "cat", "/proc/1/comm").stdout == "python\n"
    began = time.monotonic()
    assert docker("stop", "--timeout", "2", plain).returncode == 0
    took = time.monotonic() - began
    code = docker("inspect", "--format", "{{.State.ExitCode}}", plain).stdout.strip()
    assert code == "137" and took >= 2, (code, took)


@pytest.mark.claim("assignment-backend-listens-on-0-0-0-0")
@pytest.mark.claim("assignment-backend-listens-on-every-container-interface")
def test_the_backend_listens_on_every_interface_of_its_container(stack, status):
    tcp = stack.exec("backend", ["cat", "/proc/net/tcp"]).output
    listening = {fields[1] for fields in (line.split() for line in tcp.splitlines()[1:]) if fields[3] == "0A"}
    assert "00000000:0BB8" in listening, tcp  # 0.0.0.0:3000
    assert http_get("http://127.0.0.1:3000/healthz") == (200, b"ok")  # so the published port reaches it


@pytest.mark.claim("assignment-code-change-keeps-the-installed-dependencies")
def test_a_code_change_rebuilds_without_installing_the_dependencies_again(stack, docker_names, tmp_path):
    requirements = (stack.example.path / "backend" / "requirements.txt").read_text().split()
    assert requirements and all("==" in pin for pin in requirements), requirements  # pinned
    folder = tmp_path / "backend"
    shutil.copytree(stack.example.path / "backend", folder)
    # a change of this run's own: a change made before would find its layer cached
    (folder / "app.py").write_text((folder / "app.py").read_text() + f"# a change to the code: {uuid.uuid4()}\n")
    name, labels = docker_names("assignment-stack")
    build = docker_build(folder, name, labels=labels)  # the stack's own build left its layers cached
    assert build.cached("RUN pip install"), build.output
    assert not build.cached("COPY . ."), build.output


@pytest.mark.claim("assignment-postgres-secret-is-a-read-only-file")
def test_the_postgres_password_is_a_read_only_file_seen_neither_in_inspect_nor_in_exec(stack):
    postgres = stack.container("postgres")
    postgres.reload()
    mount = next(m for m in postgres.attrs["Mounts"] if m["Destination"] == "/run/secrets/postgres_password")
    assert mount["RW"] is False, mount
    write = stack.exec("postgres", ["sh", "-c", "echo x >> /run/secrets/postgres_password"])
    assert write.exit_code != 0 and "Read-only file system" in write.output, write.output
    password = (stack.example.path / "postgres_password.txt").read_text().strip()
    assert stack.exec("postgres", ["cat", "/run/secrets/postgres_password"]).output.strip() == password
    assert password not in json.dumps(postgres.attrs)  # docker inspect
    env = stack.exec("postgres", ["env"]).output
    assert "POSTGRES_PASSWORD=" not in env and password not in env, env


@pytest.mark.claim("assignment-redis-healthcheck-gets-pong", about=["redis:7"])
def test_redis_is_healthy_by_redis_cli_ping_answering_pong(stack):
    redis = stack.container("redis")
    redis.reload()
    assert redis.attrs["Config"]["Healthcheck"]["Test"] == ["CMD", "redis-cli", "ping"]
    health = redis.attrs["State"]["Health"]
    passed = [probe for probe in health["Log"] if probe["ExitCode"] == 0]
    assert health["Status"] == "healthy" and passed and passed[-1]["Output"].strip() == "PONG", health


@pytest.mark.claim("assignment-redis-cache-is-lost-on-down", about=["redis:7"])
def test_redis_has_no_volume_of_ours_but_an_anonymous_one_for_the_images_data_folder(stack):
    assert "volumes" not in stack.example.services["redis"]
    assert "/data" in stack.client.images.get("redis:7").attrs["Config"]["Volumes"]
    redis = stack.container("redis")
    redis.reload()
    (mount,) = redis.attrs["Mounts"]
    assert mount["Type"] == "volume" and mount["Destination"] == "/data", mount
    assert re.fullmatch(r"[0-9a-f]{64}", mount["Name"]), mount  # anonymous: a random name
    assert mount["Name"] not in stack.volume_names()  # not one of the project's named volumes


@pytest.mark.claim("assignment-mongo-data-is-a-named-volume")
def test_mongo_keeps_its_files_in_the_named_volume_mongo_data(stack):
    mongo = stack.container("mongo")
    mongo.reload()
    mounts = {m["Destination"]: m for m in mongo.attrs["Mounts"]}
    assert mounts["/data/db"]["Type"] == "volume" and mounts["/data/db"]["Name"] == f"{stack.name}_mongo-data", mounts


@pytest.mark.claim("assignment-clients-on-your-machine-cannot-connect", about=["postgres:15", "redis:7", "mongo:7"])
@pytest.mark.claim("commands-assignment-databases-unreachable-from-your-machine")
def test_database_clients_on_the_host_are_refused_and_redis_and_mongo_ask_no_password(stack, status, docker_names):
    _, labels = docker_names("assignment-stack")
    # Each client as if installed on this machine: its image's own, in the host's network namespace.
    clients = {"postgres": ["postgres:15", "psql", "-h", "localhost", "-U", "app", "-d", "app", "-c", "SELECT 1"],
               "redis": ["redis:7", "redis-cli", "-h", "127.0.0.1", "ping"],
               "mongo": ["mongo:7", "mongosh", "--host", "127.0.0.1", "--quiet", "--eval", "db.adminCommand('ping').ok"]}
    running = {name: subprocess.Popen(["docker", "run", "--rm", "--network", "host", *label_args(labels), *command],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for name, command in clients.items()}
    outputs = {name: (process.communicate(timeout=60)[0], process.returncode) for name, process in running.items()}
    for name, (output, code) in outputs.items():
        assert code != 0 and "refused" in output.lower(), (name, output)
    # redis and mongo ask for no password: the backend's clients give none, and they answer
    assert status["redis"]["ok"] and status["mongo"]["ok"], status
    assert stack.exec("redis", ["redis-cli", "ping"]).output.strip() == "PONG"


@pytest.mark.claim("assignment-clients-inside-the-containers-connect", about=["postgres:15", "redis:7", "mongo:7"])
@pytest.mark.claim("trouble-use-the-client-inside-the-container", about=["postgres:15"])
@pytest.mark.claim("commands-exec-block-works-in-the-assignment-stack", about=["postgres:15", "redis:7"])
def test_each_database_client_works_inside_its_own_container(stack):
    psql = stack.exec("postgres", ["psql", "-U", "app", "-d", "app", "-tAc", "SELECT current_user"])
    assert (psql.exit_code, psql.output.strip()) == (0, "app"), psql.output
    redis = stack.exec("redis", ["redis-cli", "ping"])
    assert (redis.exit_code, redis.output.strip()) == (0, "PONG"), redis.output
    mongosh = stack.exec("mongo", ["mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"])
    assert (mongosh.exit_code, mongosh.output.strip()) == (0, "1"), mongosh.output
    # `exec backend sh`: a shell in the backend's own container, where its code and its user are
    shell = stack.exec("backend", ["sh", "-c", "pwd; id -un; test -f app.py && echo has-app.py"])
    assert (shell.exit_code, shell.output.split()) == (0, ["/app", "app", "has-app.py"]), shell.output


@pytest.mark.claim("assignment-service-names-mean-nothing-on-your-machine")
@pytest.mark.claim("assignment-published-ports-are-used-from-localhost")
def test_the_service_names_do_not_resolve_on_the_host(stack, status):
    for name, port in DATABASES.items():
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo(name, port)
        with pytest.raises(ConnectionRefusedError):  # and nothing is published for them
            connect_from_host(port)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("backend", 3000)  # the backend too: from the host it is localhost:3000
    assert http_get("http://localhost:3000/healthz")[0] == 200


@pytest.mark.claim("assignment-project-name-is-the-folder-name")
def test_the_project_name_is_the_folder_of_the_compose_file(stack):
    env = {key: value for key, value in os.environ.items() if key != "COMPOSE_PROJECT_NAME"}

    def project_name(folder) -> str:  # no --project-name, no -f: as a learner types it there
        proc = subprocess.run(["docker", "compose", "config", "--format", "json"], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=60, check=True)
        return json.loads(proc.stdout)["name"]

    assert project_name(ROOT) == re.sub(r"[^a-z0-9_-]", "", ROOT.name.lower())
    assert project_name(stack.example.path) == "assignment-stack"
    # and containers are named <project>-<service>-1
    assert {c.name for c in stack.containers()} == {f"{stack.name}-{service}-1" for service in SERVICES}


@pytest.mark.claim("assignment-two-copies-clash-on-port-3000")
def test_the_example_folder_stack_cannot_start_its_backend_while_the_root_one_runs(stack, docker_names):
    name, _ = docker_names("assignment-stack")  # its project name: what Compose makes carries it, and is removed
    second = run_compose(["--project-name", name, "up", "--detach", "--no-deps", "backend"],
                         cwd=stack.example.path, check=False, timeout=UP_TIMEOUT_S + 90)
    assert second.returncode != 0
    assert "Bind for 127.0.0.1:3000 failed: port is already allocated" in second.stderr, second.stderr
    assert http_get("http://127.0.0.1:3000/healthz") == (200, b"ok")  # the first one still serves


@pytest.mark.claim("assignment-flask-says-it-is-a-development-server")
def test_the_backend_logs_say_it_is_flasks_development_server(stack):
    logs = stack.compose("logs", "--no-color", "backend").stdout
    assert "WARNING: This is a development server. Do not use it in a production deployment." in logs, logs
    assert " * Serving Flask app 'app'" in logs, logs


@pytest.mark.claim("assignment-up-without-wait-returns-before-the-server-listens")
def test_up_without_wait_returns_before_the_server_listens(stack, status):
    """Near the end of this module: it recreates the backend's container."""
    stack.compose("up", "--detach", "--no-deps", "--force-recreate", "backend", timeout=UP_TIMEOUT_S)
    backend = stack.container("backend")
    backend.reload()
    assert backend.attrs["State"]["Health"]["Status"] == "starting"  # up returned: started, not healthy yet
    curl = subprocess.run(["curl", "-sS", "127.0.0.1:3000/status"], capture_output=True, text=True, timeout=30)
    assert (curl.returncode, curl.stderr.strip()) in {
        (56, "curl: (56) Recv failure: Connection reset by peer"),
        (52, "curl: (52) Empty reply from server")}, (curl.returncode, curl.stderr)
    wait_until(all_reachable, timeout=30, interval=0.2, message="the backend answering a moment later")


@pytest.mark.claim("assignment-status-503-when-a-database-is-down")
@pytest.mark.claim("trouble-stopped-service-name-not-known")
@pytest.mark.claim("assignment-status-asks-each-database-at-that-moment")
@pytest.mark.claim("assignment-backend-health-is-healthz-only")
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
