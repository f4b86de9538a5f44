"""examples/reach-the-host, taught on docs/networking.md: a container reaching a server that runs
on the host itself (a dev server, a database installed on the machine)."""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator

import pytest

from primer.stacks import http_get

pytestmark = pytest.mark.docker

GET = ("import urllib.request as u\n"
       "try:\n"
       "    print(u.urlopen('http://{host}:{port}/', timeout=3).read().decode())\n"
       "except OSError as error:\n"
       "    print(type(error).__name__, error)\n")


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from the host"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@contextlib.contextmanager
def server_on_the_host(address: str) -> Iterator[int]:
    """A web server on this machine, listening on `address`; yields its port."""
    server = http.server.ThreadingHTTPServer((address, 0), functools.partial(_Answer))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def host_gateway(stack) -> str:
    """What host-gateway stands for: the address of this machine on Docker's default bridge."""
    return stack.client.networks.get("bridge").attrs["IPAM"]["Config"][0]["Gateway"]


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("reach-the-host")


def fetch_from(stack, service: str, port: int, host: str = "host.docker.internal") -> str:
    result = stack.exec(service, ["python", "-c", GET.format(host=host, port=port)])
    assert result.exit_code == 0, result.output
    return result.output.strip()


@pytest.mark.claim("host-gateway-reaches-a-server-on-the-host")
def test_with_host_gateway_the_container_reaches_a_server_on_the_host(stack):
    # the line gives the name the address of this machine on Docker's default bridge
    resolve = "import socket; print(socket.gethostbyname('host.docker.internal'))"
    assert stack.exec("client", ["python", "-c", resolve]).output.strip() == host_gateway(stack)
    with server_on_the_host(host_gateway(stack)) as port:
        assert fetch_from(stack, "client", port) == "hello from the host"


@pytest.mark.claim("host-docker-internal-unknown-without-the-line")
def test_without_the_line_the_name_is_unknown_on_linux(stack):
    with server_on_the_host(host_gateway(stack)) as port:
        output = fetch_from(stack, "without-the-line", port)
    assert output.startswith("URLError") and "Name or service not known" in output, output


@pytest.mark.claim("a-host-server-on-127-0-0-1-is-not-reachable-from-containers")
def test_a_server_listening_on_127_0_0_1_only_is_not_reachable_from_the_container(stack):
    with server_on_the_host("127.0.0.1") as port:
        output = fetch_from(stack, "client", port)
    assert output.startswith("URLError") and "Connection refused" in output, output
    with server_on_the_host("0.0.0.0") as port:  # every address of this machine: reachable
        assert fetch_from(stack, "client", port) == "hello from the host"


@pytest.mark.claim("networking-localhost-is-the-container-itself")
def test_localhost_on_the_host_reaches_a_host_server_and_inside_a_container_does_not(stack):
    with server_on_the_host("127.0.0.1") as port:
        status, body = http_get(f"http://localhost:{port}/")  # a program run directly on the machine
        assert (status, body) == (200, b"hello from the host")
        output = fetch_from(stack, "client", port, host="localhost")  # the same, in a container
    assert output.startswith("URLError") and "Connection refused" in output, output
