"""examples/localhost-in-container, taught on docs/networking.md."""
import pytest

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    project = module_compose_project("localhost-in-container")
    project.wait_listening("web", 8000)  # declares no port, so `up` cannot know to wait for it
    return project


@pytest.mark.claim("localhost-in-container-is-itself")
@pytest.mark.claim("networking-table-localhost-row")
@pytest.mark.claim("networking-localhost-is-the-container-itself")
@pytest.mark.claim("trouble-localhost-inside-a-container")
def test_localhost_inside_client_is_client_not_web(stack):
    # web listens on 8000, and inside web, 127.0.0.1 is web itself ...
    assert stack.connect_from("web", "127.0.0.1", 8000) == "connected"
    # ... but inside client, 127.0.0.1 is client, where nothing listens on 8000.
    output = stack.connect_from("client", "127.0.0.1", 8000)
    assert output.startswith("ConnectionRefusedError"), output


@pytest.mark.claim("localhost-name-fails-in-other-container")
def test_the_name_localhost_fails_too(stack):
    # `localhost` is ::1 and 127.0.0.1; since Engine 26 a container's loopback has ::1 too,
    # so both attempts are refused (before, the ::1 attempt failed with errno 99).
    output = stack.connect_from("client", "localhost", 8000)
    assert output == "ConnectionRefusedError [Errno 111] Connection refused", output
    resolve = "import socket; print(*sorted({a[4][0] for a in socket.getaddrinfo('localhost', 8000)}))"
    result = stack.exec("client", ["python", "-c", resolve])
    assert result.output.split() == ["127.0.0.1", "::1"], result.output


@pytest.mark.claim("service-name-reaches-the-other-container")
def test_service_name_reaches_web_from_client(stack):
    assert stack.connect_from("client", "web", 8000) == "connected"


@pytest.mark.claim("networking-each-container-has-its-own-network-stack")
def test_each_container_has_its_own_address_ports_and_localhost(stack):
    addresses = set()
    for service in ("web", "client"):
        container = stack.container(service)
        container.reload()
        (network,) = container.attrs["NetworkSettings"]["Networks"].values()
        addresses.add(network["IPAddress"])
    assert len(addresses) == 2 and "" not in addresses, addresses  # its own IP address
    # its own ports: web listens on 8000, and client can take its own 8000 all the same
    bind = ("import socket; s = socket.socket(); s.bind(('0.0.0.0', 8000)); s.listen(); "
            "print('bound', s.getsockname()[1])")
    result = stack.exec("client", ["python", "-c", bind])
    assert result.output.strip() == "bound 8000", result.output
    # its own localhost: 127.0.0.1:8000 is web inside web, and nothing inside client
    assert stack.connect_from("web", "127.0.0.1", 8000) == "connected"
    assert stack.connect_from("client", "127.0.0.1", 8000).startswith("ConnectionRefusedError")


# "What you will see" on docs/networking.md: the page's own try-it commands, captured.
GET = 'import urllib.request as u; print(u.urlopen("http://{host}:8000").status)'


@pytest.mark.claim("trouble-localhost-inside-a-container")
def test_the_try_it_commands_print_200_for_web_and_fail_for_localhost(stack):
    ok = stack.run_shown("networking-client-to-web", "exec", "client", "python", "-c", GET.format(host="web"))
    assert ok.strip() == "200", ok
    failed = stack.run_shown("networking-client-to-localhost", "exec", "client", "python", "-c",
                             GET.format(host="localhost"), check=False)
    assert "urllib.error.URLError: <urlopen error [Errno 111] Connection refused>" in failed, failed
