"""examples/separate-networks, taught on docs/networking.md."""
import pytest

pytestmark = pytest.mark.docker

CONNECT = ("import socket\n"
           "try:\n"
           "    socket.create_connection(({host!r}, {port}), timeout=3)\n"
           "    print('connected')\n"
           "except OSError as error:\n"
           "    print(type(error).__name__, error)\n")


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("separate-networks")


def connect_from(stack, service: str, host: str, port: int) -> str:
    result = stack.exec(service, ["python", "-c", CONNECT.format(host=host, port=port)])
    assert result.exit_code == 0, result.output
    return result.output.strip()


@pytest.mark.claim("compose-creates-one-network-per-entry")
def test_compose_creates_the_two_networks(stack):
    assert sorted(stack.network_names()) == [f"{stack.name}_backend", f"{stack.name}_frontend"]


@pytest.mark.claim("service-name-resolves-on-shared-network")
def test_services_sharing_a_network_reach_each_other_by_name(stack):
    assert connect_from(stack, "web", "api", 8000) == "connected"  # both on frontend
    ping = ("import socket; s = socket.create_connection(('db', 6379), timeout=3); "
            "s.sendall(b'PING\\r\\n'); print(s.recv(64))")
    result = stack.exec("api", ["python", "-c", ping])  # both on backend
    assert result.exit_code == 0, result.output
    assert "+PONG" in result.output, result.output


@pytest.mark.claim("separate-networks-cannot-reach")
def test_web_cannot_even_resolve_db(stack):
    output = connect_from(stack, "web", "db", 6379)
    assert output == "gaierror [Errno -2] Name or service not known", output


@pytest.mark.claim("container-name-also-resolves")
def test_the_container_name_resolves_too(stack):
    container_name = stack.container("api").name
    assert container_name == f"{stack.name}-api-1"
    assert connect_from(stack, "web", container_name, 8000) == "connected"
