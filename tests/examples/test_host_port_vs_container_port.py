"""examples/host-port-vs-container-port, taught on docs/ports.md."""
import urllib.request

import pytest

from tests.harness import wait_until

pytestmark = pytest.mark.docker

CONNECT = ("import socket\n"
           "try:\n"
           "    socket.create_connection(({host!r}, {port}), timeout=3)\n"
           "    print('connected')\n"
           "except OSError as error:\n"
           "    print(type(error).__name__, error)\n")


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("host-port-vs-container-port")


@pytest.mark.claim("host-uses-the-published-host-port")
def test_the_host_reaches_web_on_8080(stack):
    assert stack.host_port("web", 80) == 8080
    response = wait_until(lambda: urllib.request.urlopen("http://127.0.0.1:8080/", timeout=3),
                          message="web on 127.0.0.1:8080")
    assert response.status == 200


@pytest.mark.claim("containers-use-the-container-port")
def test_other_containers_use_port_80_not_8080(stack):
    def connect(port):
        result = stack.exec("client", ["python", "-c", CONNECT.format(host="web", port=port)])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    assert connect(80) == "connected"
    assert connect(8080).startswith("ConnectionRefusedError"), connect(8080)
