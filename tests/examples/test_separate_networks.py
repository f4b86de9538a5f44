"""examples/separate-networks, taught on docs/networking.md."""
import pytest

from primer.examples import Example
from tests.docker_cli import docker

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
@pytest.mark.claim("networking-services-talk-only-on-a-shared-network")
def test_services_sharing_a_network_reach_each_other_by_name(stack):
    assert stack.connect_from("web", "api", 8000) == "connected"  # both on frontend
    ping = ("import socket; s = socket.create_connection(('db', 6379), timeout=3); "
            "s.sendall(b'PING\\r\\n'); print(s.recv(64))")
    result = stack.exec("api", ["python", "-c", ping])  # both on backend
    assert result.exit_code == 0, result.output
    assert "+PONG" in result.output, result.output


@pytest.mark.claim("separate-networks-cannot-reach")
@pytest.mark.claim("networking-services-talk-only-on-a-shared-network")
@pytest.mark.claim("trouble-no-shared-network-name-not-known")
def test_web_cannot_even_resolve_db(stack):
    output = stack.connect_from("web", "db", 6379)
    assert output == "gaierror [Errno -2] Name or service not known", output


@pytest.mark.claim("container-name-also-resolves")
@pytest.mark.claim("networking-container-name-changes-service-name-stays")
def test_the_container_name_resolves_too(stack):
    container_name = stack.container("api").name
    assert container_name == f"{stack.name}-api-1"
    assert stack.connect_from("web", container_name, 8000) == "connected"


@pytest.mark.claim("separate-networks-drop-traffic-by-address")
@pytest.mark.claim("networking-services-talk-only-on-a-shared-network")
def test_web_cannot_reach_db_by_its_address_either(stack):
    db = stack.container("db")
    db.reload()
    (address,) = [n["IPAddress"] for n in db.attrs["NetworkSettings"]["Networks"].values()]
    assert stack.connect_from("api", address, 6379) == "connected"  # on db's network: it answers
    assert stack.connect_from("web", address, 6379) == "TimeoutError timed out"  # dropped, not refused


@pytest.mark.claim("networking-see-the-networks-commands")
def test_network_ls_inspect_and_getent_show_the_networks_from_outside_and_inside(stack):
    listed = docker("network", "ls", "--format", "{{.Name}}")
    assert {"bridge", "host", "none", f"{stack.name}_frontend", f"{stack.name}_backend"} <= set(
        listed.stdout.split()), listed.stdout  # Docker's own networks and the project's
    inspected = docker("network", "inspect", f"{stack.name}_frontend", "--format",
                       "{{range .Containers}}{{.Name}} {{.IPv4Address}}\n{{end}}")
    attached = dict(line.split() for line in inspected.stdout.splitlines() if line.strip())
    api = stack.container("api")
    api.reload()
    api_address = api.attrs["NetworkSettings"]["Networks"][f"{stack.name}_frontend"]["IPAddress"]
    assert sorted(attached) == [f"{stack.name}-api-1", f"{stack.name}-web-1"], attached  # not db
    assert attached[f"{stack.name}-api-1"].split("/")[0] == api_address, attached
    resolved = stack.compose("exec", "-T", "web", "getent", "hosts", "api").stdout
    assert resolved.split()[:2] == [api_address, "api"], resolved


@pytest.mark.claim("networking-getent-in-debian-based-images", about=["python:3.11-slim"])
def test_python_slim_has_getent_and_python_answers_the_same(stack):
    result = stack.exec("web", ["getent", "hosts", "api"])
    assert result.exit_code == 0, result.output
    one_liner = stack.exec("web", ["python", "-c", "import socket; print(socket.gethostbyname('api'))"])
    assert one_liner.output.strip() == result.output.split()[0], (one_liner.output, result.output)


@pytest.mark.claim("networking-default-is-one-network-per-project")
def test_the_assignment_stack_declares_no_network_and_so_gets_the_one_default(stack):
    # `docker compose config` resolves the file as `up` will: every service on `default` only
    config = Example("assignment-stack").config
    assert list(config["networks"]) == ["default"], config["networks"]
    assert {name: list(service["networks"]) for name, service in config["services"].items()} == {
        name: ["default"] for name in config["services"]}
