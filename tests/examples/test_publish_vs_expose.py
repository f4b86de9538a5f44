"""examples/publish-vs-expose, taught on docs/ports.md."""
import socket

import pytest

from primer.stacks import connect_from_host, http_get, wait_until
from tests.docker_cli import docker

pytestmark = pytest.mark.docker

REDIS_PING = "import socket; s=socket.create_connection(('{host}', {port}), timeout=3); s.sendall(b'PING\\r\\n'); print(s.recv(64))"
HTTP_GET = "import urllib.request as u; print(u.urlopen('http://{host}:{port}/', timeout=3).status)"


@pytest.fixture(scope="module")
def stack(module_compose_project):
    project = module_compose_project("publish-vs-expose")
    project.wait_listening("notes", 8000)  # declares no port (the point of the example)
    return project


def host_addresses(stack) -> list[str]:
    """Two addresses of this machine: its loopback, and one that is not (the host's side of the
    stack's network, as your Wi-Fi address would be)."""
    return ["127.0.0.1", stack.host_address()]


@pytest.mark.claim("published-port-answers-on-localhost")
@pytest.mark.claim("compose-ports-key-loopback-binding")
@pytest.mark.claim("networking-table-host-row")
@pytest.mark.claim("networking-host-reaches-published-ports-only")
def test_published_port_answers_from_the_host(stack):
    status, _ = wait_until(lambda: http_get("http://127.0.0.1:3000/"),
                           message="web on 127.0.0.1:3000")
    assert status == 200
    status, _ = http_get("http://localhost:3000/")  # the name, as a browser is given it
    assert status == 200


@pytest.mark.claim("ports-by-default-nothing-is-published")
@pytest.mark.claim("ports-from-the-host-only-if-published")
@pytest.mark.claim("networking-host-reaches-published-ports-only")
@pytest.mark.claim("ports-summary-nothing-row")
@pytest.mark.claim("ports-summary-expose-row")
def test_without_ports_nothing_listens_on_any_host_address(stack):
    for service, port in (("notes", 8000), ("redis", 6379)):
        container = stack.container(service)
        container.reload()
        bindings = {spec: b for spec, b in (container.attrs["NetworkSettings"]["Ports"] or {}).items() if b}
        assert bindings == {}, (service, bindings)
        for address in host_addresses(stack):
            with pytest.raises(ConnectionRefusedError):
                connect_from_host(port, host=address)
    # ... while `ports:` makes Docker listen on the host and hand what arrives to the container
    status, body = wait_until(lambda: http_get("http://127.0.0.1:3000/"), message="web on 127.0.0.1:3000")
    assert status == 200 and b"Directory listing" in body, body[:200]


@pytest.mark.claim("exposed-port-not-reachable-from-host")
@pytest.mark.claim("compose-expose-publishes-nothing")
@pytest.mark.claim("ports-expose-does-neither")
@pytest.mark.claim("ports-summary-expose-row")
def test_redis_is_not_reachable_from_the_host(stack):
    assert stack.container("redis").attrs["NetworkSettings"]["Ports"].get("6379/tcp") is None
    with pytest.raises(ConnectionRefusedError):
        connect_from_host(6379)


@pytest.mark.claim("service-name-reaches-another-container")
@pytest.mark.claim("networking-table-service-row")
@pytest.mark.claim("ports-summary-expose-row")
def test_web_reaches_redis_by_service_name(stack):
    result = stack.exec("web", ["python", "-c", REDIS_PING.format(host="redis", port=6379)])
    assert result.exit_code == 0, result.output
    assert "+PONG" in result.output


@pytest.mark.claim("expose-is-not-needed-between-containers")
@pytest.mark.claim("ports-from-another-container-nothing-to-configure")
@pytest.mark.claim("ports-expose-does-neither")
@pytest.mark.claim("ports-summary-nothing-row")
def test_a_port_without_expose_is_reachable_from_another_container(stack):
    assert "expose" not in stack.example.services["notes"]
    assert "ports" not in stack.example.services["notes"]
    result = stack.exec("web", ["python", "-c", HTTP_GET.format(host="notes", port=8000)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "200"


@pytest.mark.claim("loopback-binding-only-answers-on-localhost")
@pytest.mark.claim("compose-ports-key-loopback-binding")
def test_a_127_0_0_1_binding_is_not_reachable_on_other_host_addresses(stack):
    web = stack.container("web")
    web.reload()
    assert [b["HostIp"] for b in web.attrs["NetworkSettings"]["Ports"]["3000/tcp"]] == ["127.0.0.1"]
    _, other_address = host_addresses(stack)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((other_address, 3000), timeout=3)


# "What you will see" on docs/ports.md: real output, captured here (primer.captures).

@pytest.mark.claim("ps-shows-published-and-exposed")
@pytest.mark.claim("ps-ports-column-forms")
def test_compose_ps_shows_the_published_port_and_the_exposed_one(stack):
    output = stack.run_shown("ports-compose-ps", "ps", "--format", r"table {{.Service}}\t{{.Ports}}")
    lines = {line.split()[0]: line for line in output.splitlines()[1:]}
    assert "127.0.0.1:3000->3000/tcp" in lines["web"], output
    assert "6379/tcp" in lines["redis"] and "->" not in lines["redis"], output


@pytest.mark.claim("redis-cli-from-host-refused")
def test_redis_cli_from_the_host_is_refused(stack):
    # No redis-cli on the host? The image's own, run in the host's network namespace, is the same.
    code, output = stack.run_on_host("ports-redis-cli-from-host",
                                     ["docker", "run", "--rm", "--network", "host", "redis:7",
                                      "redis-cli", "-p", "6379", "ping"])
    assert "Could not connect to Redis at 127.0.0.1:6379: Connection refused" in output, (code, output)


@pytest.mark.claim("linux-host-reaches-unpublished-port-at-container-address")
def test_on_linux_the_host_reaches_an_unpublished_port_at_the_container_address(stack):
    container = stack.container("redis")
    container.reload()
    address = next(iter(container.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
    assert address and not address.startswith("127."), address
    with connect_from_host(6379, host=address) as connection:  # the container's own address
        connection.sendall(b"PING\r\n")
        assert connection.recv(64).startswith(b"+PONG"), "redis did not answer at its container address"
    with pytest.raises(ConnectionRefusedError):
        connect_from_host(6379)  # ... and still nothing on the host's own addresses


@pytest.mark.claim("redis-image-declares-expose-6379", about=["redis:7"])
def test_the_redis_image_declares_its_port_and_ps_shows_it_unpublished(stack, docker_client):
    exposed = docker_client.images.get("redis:7").attrs["Config"].get("ExposedPorts") or {}
    assert "6379/tcp" in exposed, exposed


@pytest.mark.claim("ports-expose-shows-in-docker-ps")
def test_docker_ps_shows_the_exposed_port_with_no_host_side_and_it_opens_nothing(stack):
    redis = stack.container("redis")
    proc = docker("ps", "--filter", f"id={redis.id}", "--format", "{{.Ports}}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "6379/tcp", proc.stdout  # no arrow: nothing on the host
    # it opens nothing: no host address listens for redis ...
    for address in host_addresses(stack):
        with pytest.raises(ConnectionRefusedError):
            connect_from_host(6379, host=address)
    # ... and closes nothing: notes, with no `expose:`, is reachable on its port all the same
    assert stack.connect_from("web", "notes", 8000) == "connected"


@pytest.mark.claim("networking-one-network-service-names-are-host-names")
def test_the_services_share_one_default_network_where_service_names_are_host_names(stack):
    assert stack.network_names() == [f"{stack.name}_default"]
    addresses = {}
    for service in ("web", "redis", "notes"):
        container = stack.container(service)
        container.reload()
        networks = container.attrs["NetworkSettings"]["Networks"]
        assert list(networks) == [f"{stack.name}_default"], (service, list(networks))
        addresses[service] = networks[f"{stack.name}_default"]["IPAddress"]
    resolve = "import socket; print(socket.gethostbyname('redis'), socket.gethostbyname('notes'))"
    result = stack.exec("web", ["python", "-c", resolve])
    assert result.output.split() == [addresses["redis"], addresses["notes"]], (result.output, addresses)
    assert stack.connect_from("web", "redis", 6379) == "connected"  # the port redis listens on
