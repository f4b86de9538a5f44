"""examples/publish-all-interfaces (and publish-vs-expose's 127.0.0.1 form), taught on docs/ports.md."""

from pathlib import Path

import pytest

from primer.stacks import http_get, wait_until

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("publish-all-interfaces")


def host_has_ipv6() -> bool:
    """Whether this machine has IPv6 addresses at all; the engine publishes on `::` only then."""
    inet6 = Path("/proc/net/if_inet6")
    return inet6.is_file() and bool(inet6.read_text().strip())


@pytest.mark.claim("short-ports-bind-all-interfaces")
@pytest.mark.claim("ports-no-address-means-every-interface")
@pytest.mark.claim("ports-summary-all-interfaces-row")
@pytest.mark.claim("assignment-draft-ports-publish-on-every-interface")
def test_3000_3000_binds_every_host_address(stack):
    web = stack.container("web")
    web.reload()
    host_ips = {b["HostIp"] for b in web.attrs["NetworkSettings"]["Ports"]["3000/tcp"]}
    assert host_ips == ({"0.0.0.0", "::"} if host_has_ipv6() else {"0.0.0.0"}), host_ips  # every IPv4 and IPv6 address
    address = stack.host_address()
    assert not address.startswith("127."), address
    for url in (f"http://{address}:3000/", "http://localhost:3000/"):
        status, _ = wait_until(lambda url=url: http_get(url), message=f"web on {url}")
        assert status == 200


@pytest.mark.claim("ps-ports-column-forms")
def test_compose_ps_shows_every_interface_as_0_0_0_0(stack):
    ports = stack.compose("ps", "--format", "{{.Service}}\t{{.Ports}}").stdout
    column = dict(line.split("\t", 1) for line in ports.splitlines())["web"]
    assert "0.0.0.0:3000->3000/tcp" in column and ("[::]:3000->3000/tcp" in column) == host_has_ipv6(), ports
    assert stack.compose("port", "web", "3000").stdout.strip() == "0.0.0.0:3000"


@pytest.mark.claim("ports-summary-all-interfaces-row")
def test_another_container_of_the_stack_reaches_web_on_3000(stack):
    web = stack.container("web")
    web.reload()
    web_address = next(iter(web.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
    # a second container of the stack: `docker compose run`, on the same network (no ports of its own)
    code = ("import socket; print(*sorted({a[4][0] for a in socket.getaddrinfo('web', 3000)})); "
            "socket.create_connection(('web', 3000), timeout=3); print('connected')")
    proc = stack.compose("run", "--rm", "--no-deps", "--no-TTY", "web", "python", "-c", code, timeout=60)
    assert proc.stdout.split() == [web_address, "connected"], proc.stdout + proc.stderr
