"""examples/host-port-vs-container-port, taught on docs/ports.md."""

import pytest

from primer.stacks import connect_from_host, http_get, wait_until

pytestmark = pytest.mark.docker

@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("host-port-vs-container-port")


@pytest.mark.claim("host-uses-the-published-host-port")
@pytest.mark.claim("ports-table-host-row")
@pytest.mark.claim("networking-host-reaches-published-ports-only")
@pytest.mark.claim("assignment-published-ports-are-used-from-localhost")
def test_the_host_reaches_web_on_8080(stack):
    assert stack.host_port("web", 80) == 8080
    status, _ = wait_until(lambda: http_get("http://127.0.0.1:8080/"),
                           message="web on 127.0.0.1:8080")
    assert status == 200
    assert stack.compose("port", "web", "80").stdout.strip() == "127.0.0.1:8080"


@pytest.mark.claim("ports-mapping-reads-host-colon-container")
def test_the_left_number_is_the_host_port_and_the_right_one_the_container_port(stack):
    web = stack.container("web")
    web.reload()
    assert web.attrs["NetworkSettings"]["Ports"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}
    assert stack.connect_from("web", "127.0.0.1", 80) == "connected"  # the program listens on 80 inside
    with pytest.raises(ConnectionRefusedError):
        connect_from_host(80)  # the container's port, typed on the host: nothing there


@pytest.mark.claim("containers-use-the-container-port")
@pytest.mark.claim("networking-table-service-row")
@pytest.mark.claim("ports-table-container-row")
@pytest.mark.claim("networking-one-network-service-names-are-host-names")
@pytest.mark.claim("ports-summary-loopback-row")
def test_other_containers_use_port_80_not_8080(stack):
    assert stack.connect_from("client", "web", 80) == "connected"
    refused = stack.connect_from("client", "web", 8080)
    assert refused.startswith("ConnectionRefusedError"), refused


@pytest.mark.claim("ports-summary-loopback-row")
def test_a_127_0_0_1_mapping_answers_on_localhost_8080_only(stack):
    status, _ = wait_until(lambda: http_get("http://localhost:8080/"), message="web on localhost:8080")
    assert status == 200
    with pytest.raises(ConnectionRefusedError):
        connect_from_host(8080, host=stack.host_address())
