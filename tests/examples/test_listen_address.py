"""examples/listen-address, taught on docs/troubleshooting.md (a server's listen address, and
the name errors of the same page, checked from its two containers)."""
import socket
import subprocess
import urllib.request

import pytest

from primer.stacks import connect_from_host, http_get, tcp_listen_addresses, wait_until
from tests.docker_cli import docker, label_args

pytestmark = pytest.mark.docker

IMAGE = "python:3.11-slim"
GET = "import urllib.request as u; print(u.urlopen('http://127.0.0.1:8000/', timeout=3).status)"


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("listen-address")


def published(stack, service: str) -> str:
    """`docker compose port SERVICE 8000`, as the page's "Try it" runs it: 127.0.0.1:<port>."""
    address = stack.compose("port", service, "8000").stdout.strip()
    assert address == f"127.0.0.1:{stack.host_port(service, 8000)}", address
    return address


def listen_addresses(stack, service: str, port: int = 8000) -> set[str]:
    """The addresses a server listens on inside the container, read from its /proc/net/tcp."""
    return tcp_listen_addresses(stack.exec(service, ["cat", "/proc/net/tcp"]).output, port)


@pytest.mark.claim("app-on-all-container-interfaces-is-reachable")
def test_a_server_on_0_0_0_0_answers_through_its_published_port(stack):
    assert listen_addresses(stack, "right") == {"0.0.0.0"}
    address = published(stack, "right")
    status, _ = wait_until(lambda: http_get(f"http://{address}/"), message=f"right on {address}")
    assert status == 200


PYTHON_SAYS = {"ConnectionResetError: [Errno 104] Connection reset by peer",
               "http.client.RemoteDisconnected: Remote end closed connection without response"}
CURL_SAYS = {(56, "curl: (56) Recv failure: Connection reset by peer"), (52, "curl: (52) Empty reply from server")}


def reset_or_empty(address: str) -> str:
    """What Python's urllib raises for a GET on `address` (the test fails if it answers)."""
    try:
        urllib.request.urlopen(f"http://{address}/", timeout=3)
    except ConnectionResetError as error:  # RemoteDisconnected is one too
        return f"{type(error).__module__}.{type(error).__name__}: {error}".removeprefix("builtins.")
    pytest.fail(f"{address} answered")


@pytest.mark.claim("app-on-container-loopback-resets-the-connection")
@pytest.mark.claim("networking-server-on-container-loopback-not-through-published-port")
@pytest.mark.claim("trouble-reset-when-nothing-listens-on-the-interface")
@pytest.mark.claim("trouble-reset-messages")
def test_a_server_on_127_0_0_1_inside_resets_the_connection(stack):
    # first make sure the server is up: inside its own container it answers
    wait_until(lambda: stack.exec("wrong", ["python", "-c", GET]).output.strip() == "200",
               message="wrong answers inside its own container")
    assert listen_addresses(stack, "wrong") == {"127.0.0.1"}
    address = published(stack, "wrong")
    # The engine's port forwarder closes the connection, sometimes with a reset, sometimes
    # without: each attempt ends in one of the two messages the page shows, never an answer.
    for _ in range(3):
        assert reset_or_empty(address) in PYTHON_SAYS
        code, output = stack.run_on_host("trouble-curl-reset", ["curl", "-sS", address])
        assert (code, output) in CURL_SAYS, (code, output)


@pytest.mark.claim("trouble-reset-while-the-server-starts")
def test_a_published_port_resets_until_the_server_in_the_container_listens(docker_names):
    name, labels = docker_names("listen-address")
    # a container that runs, and whose program does not listen yet: as while a server starts
    run = docker("run", "-d", "--init", "--name", name, *label_args(labels), "-p", "127.0.0.1::8000",
                 IMAGE, "sleep", "300")
    assert run.returncode == 0, run.stderr
    address = docker("port", name, "8000/tcp").stdout.splitlines()[0]
    assert address.startswith("127.0.0.1:"), address
    assert reset_or_empty(address) in PYTHON_SAYS
    curl = subprocess.run(["curl", "-sS", address], capture_output=True, text=True, timeout=30)
    assert (curl.returncode, curl.stderr.strip()) in CURL_SAYS, curl
    # the server starts listening: the same address answers
    assert docker("exec", "-d", name, "python", "-m", "http.server", "8000").returncode == 0
    status = wait_until(lambda: http_get(f"http://{address}/")[0], timeout=30, message=f"the server on {address}")
    assert status == 200


@pytest.mark.claim("trouble-all-interfaces-inside-stays-local")
def test_a_server_on_0_0_0_0_inside_is_still_only_on_the_hosts_127_0_0_1(stack):
    assert listen_addresses(stack, "right") == {"0.0.0.0"}
    port = stack.host_port("right", 8000)
    assert http_get(f"http://127.0.0.1:{port}/")[0] == 200
    with pytest.raises(ConnectionRefusedError):
        connect_from_host(port, host=stack.host_address())


@pytest.mark.claim("trouble-refused-when-not-running-or-container-port")
def test_the_container_port_on_the_host_is_refused_while_the_host_port_answers(stack):
    assert stack.host_port("right", 8000) != 8000
    assert http_get(f"http://{published(stack, 'right')}/")[0] == 200
    with pytest.raises(ConnectionRefusedError):
        connect_from_host(8000)  # the container's port: nothing listens on it on the host


# "Name or service not known" on docs/troubleshooting.md: the names, from inside `wrong`
# (which can reach `right`: that one listens on every interface of its container).

@pytest.mark.claim("trouble-python-name-not-known")
@pytest.mark.claim("trouble-typo-or-partial-name-not-known")
def test_only_service_and_container_names_resolve(stack):
    container_name = stack.container("right").name
    assert container_name == f"{stack.name}-right-1"
    for name in ("right", container_name):  # the service's name, and its container's full name
        assert stack.connect_from("wrong", name, 8000) == "connected", name
    for name in ("rihgt", "right-1", "db"):  # a typo, part of the container's name, a name of no service
        assert stack.connect_from("wrong", name, 8000) == "gaierror [Errno -2] Name or service not known", name


@pytest.mark.claim("trouble-psql-name-not-known", about=["postgres:15"])
def test_psql_says_it_could_not_translate_the_host_name(stack, docker_names):
    _, labels = docker_names("listen-address")
    psql = docker("run", "--rm", *label_args(labels), "--network", f"{stack.name}_default", "postgres:15",
                  "psql", "-h", "postgres", "-U", "app", timeout=60)
    assert psql.returncode != 0
    assert 'psql: error: could not translate host name "postgres" to address: Name or service not known' in psql.stderr, psql


@pytest.mark.claim("trouble-no-dns-temporary-failure")
def test_without_any_dns_server_the_name_fails_temporarily(docker_names):
    _, labels = docker_names("listen-address")
    lookup = ("import socket\ntry:\n    socket.getaddrinfo('postgres', 5432)\n"
              "except OSError as error:\n    print(type(error).__name__, error)\n")
    run = docker("run", "--rm", *label_args(labels), "--network", "none", IMAGE, "python", "-c", lookup, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "gaierror [Errno -3] Temporary failure in name resolution", run.stdout


@pytest.mark.claim("trouble-service-names-only-inside")
def test_service_names_do_not_resolve_on_the_host_but_localhost_and_the_port_answer(stack):
    assert stack.connect_from("wrong", "right", 8000) == "connected"  # inside the stack's network
    for name in ("right", "wrong"):
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo(name, 8000)
    port = stack.host_port("right", 8000)
    assert http_get(f"http://localhost:{port}/")[0] == 200
