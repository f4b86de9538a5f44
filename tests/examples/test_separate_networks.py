"""examples/separate-networks, taught on docs/networking.md."""
import pytest

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    project = module_compose_project("separate-networks")
    project.wait_listening("api", 8000)  # declares no port, so `up` cannot know to wait for it
    return project


@pytest.mark.claim("compose-creates-one-network-per-entry")
def test_compose_creates_the_two_networks(stack):
    assert sorted(stack.network_names()) == [f"{stack.name}_backend", f"{stack.name}_frontend"]


@pytest.mark.claim("service-name-resolves-on-shared-network")
def test_services_sharing_a_network_reach_each_other_by_name(stack):
    assert stack.connect_from("web", "api", 8000) == "connected"  # both on frontend
    ping = ("import socket; s = socket.create_connection(('db', 6379), timeout=3); "
            "s.sendall(b'PING\\r\\n'); print(s.recv(64))")
    result = stack.exec("api", ["python", "-c", ping])  # both on backend
    assert result.exit_code == 0, result.output
    assert "+PONG" in result.output, result.output


@pytest.mark.claim("separate-networks-cannot-reach")
def test_web_cannot_even_resolve_db(stack):
    output = stack.connect_from("web", "db", 6379)
    assert output == "gaierror [Errno -2] Name or service not known", output


@pytest.mark.claim("container-name-also-resolves")
def test_the_container_name_resolves_too(stack):
    container_name = stack.container("api").name
    assert container_name == f"{stack.name}-api-1"
    assert stack.connect_from("web", container_name, 8000) == "connected"


@pytest.mark.claim("separate-networks-drop-traffic-by-address")
def test_web_cannot_reach_db_by_its_address_either(stack):
    db = stack.container("db")
    db.reload()
    (address,) = [n["IPAddress"] for n in db.attrs["NetworkSettings"]["Networks"].values()]
    assert stack.connect_from("api", address, 6379) == "connected"  # on db's network: it answers
    assert stack.connect_from("web", address, 6379) == "TimeoutError timed out"  # dropped, not refused
