"""examples/publish-all-interfaces (and publish-vs-expose's 127.0.0.1 form), taught on docs/ports.md."""

import pytest

from primer.stacks import http_get, wait_until

pytestmark = pytest.mark.docker


def another_host_address(stack) -> str:
    """An address of this machine that is not loopback: the host's side of the stack's network."""
    network = stack.client.networks.get(stack.network_names()[0])
    return network.attrs["IPAM"]["Config"][0]["Gateway"]


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("publish-all-interfaces")


@pytest.mark.claim("short-ports-bind-all-interfaces")
def test_3000_3000_binds_every_host_address(stack):
    web = stack.container("web")
    web.reload()
    host_ips = {b["HostIp"] for b in web.attrs["NetworkSettings"]["Ports"]["3000/tcp"]}
    assert "0.0.0.0" in host_ips, host_ips
    address = another_host_address(stack)
    assert not address.startswith("127."), address
    status, _ = wait_until(lambda: http_get(f"http://{address}:3000/"),
                           message=f"web on {address}:3000")
    assert status == 200


@pytest.mark.claim("ps-ports-column-forms")
def test_compose_ps_shows_every_interface_as_0_0_0_0(stack):
    ports = stack.compose("ps", "--format", "{{.Service}}\t{{.Ports}}").stdout
    assert "0.0.0.0:3000->3000/tcp" in dict(line.split("\t", 1) for line in ports.splitlines())["web"], ports
