"""examples/listen-address, taught on docs/troubleshooting.md."""
import urllib.request

import pytest

from primer.stacks import http_get, wait_until

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("listen-address")


@pytest.mark.claim("app-on-all-container-interfaces-is-reachable")
def test_a_server_on_0_0_0_0_answers_through_its_published_port(stack):
    port = stack.host_port("right", 8000)
    status, _ = wait_until(lambda: http_get(f"http://127.0.0.1:{port}/"),
                           message=f"right on 127.0.0.1:{port}")
    assert status == 200


@pytest.mark.claim("app-on-container-loopback-resets-the-connection")
def test_a_server_on_127_0_0_1_inside_resets_the_connection(stack):
    # first make sure the server is up: inside its own container it answers
    check = "import urllib.request as u; print(u.urlopen('http://127.0.0.1:8000/', timeout=3).status)"
    wait_until(lambda: stack.exec("wrong", ["python", "-c", check]).output.strip() == "200",
               message="wrong answers inside its own container")
    port = stack.host_port("wrong", 8000)
    with pytest.raises(ConnectionResetError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=3)
