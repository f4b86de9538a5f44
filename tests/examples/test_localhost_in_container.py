"""examples/localhost-in-container, taught on docs/networking.md."""
import pytest

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    project = module_compose_project("localhost-in-container")
    project.wait_listening("web", 8000)  # declares no port, so `up` cannot know to wait for it
    return project


@pytest.mark.claim("localhost-in-container-is-itself")
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


@pytest.mark.claim("service-name-reaches-the-other-container")
def test_service_name_reaches_web_from_client(stack):
    assert stack.connect_from("client", "web", 8000) == "connected"


# "What you will see" on docs/networking.md: the page's own try-it commands, captured.
GET = 'import urllib.request as u; print(u.urlopen("http://{host}:8000").status)'


def test_the_try_it_commands_print_200_for_web_and_fail_for_localhost(stack):
    ok = stack.run_shown("networking-client-to-web", "exec", "client", "python", "-c", GET.format(host="web"))
    assert ok.strip() == "200", ok
    failed = stack.run_shown("networking-client-to-localhost", "exec", "client", "python", "-c",
                             GET.format(host="localhost"), check=False)
    assert "urllib.error.URLError: <urlopen error [Errno 111] Connection refused>" in failed, failed
