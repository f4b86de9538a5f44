"""examples/host-port-vs-container-port, taught on docs/ports.md."""

import pytest

from primer.stacks import http_get, wait_until

pytestmark = pytest.mark.docker

@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("host-port-vs-container-port")


@pytest.mark.claim("host-uses-the-published-host-port")
def test_the_host_reaches_web_on_8080(stack):
    assert stack.host_port("web", 80) == 8080
    status, _ = wait_until(lambda: http_get("http://127.0.0.1:8080/"),
                           message="web on 127.0.0.1:8080")
    assert status == 200


@pytest.mark.claim("containers-use-the-container-port")
def test_other_containers_use_port_80_not_8080(stack):
    assert stack.connect_from("client", "web", 80) == "connected"
    refused = stack.connect_from("client", "web", 8080)
    assert refused.startswith("ConnectionRefusedError"), refused
