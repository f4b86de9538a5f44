"""examples/port-already-allocated, taught on docs/troubleshooting.md."""
import pytest

from primer.compose import ComposeError

pytestmark = pytest.mark.docker


@pytest.mark.claim("port-already-allocated-names-the-port")
def test_a_second_stack_on_a_taken_port_fails_naming_it(compose_project):
    first = compose_project("port-already-allocated")  # no WEB_PORT: Docker picks a free port
    port = first.host_port("web", 8000)
    second = compose_project("port-already-allocated", up=False)
    with pytest.raises(ComposeError) as failure:
        second.compose("up", "--detach", env={"WEB_PORT": str(port)})
    assert f"Bind for 127.0.0.1:{port} failed: port is already allocated" in str(failure.value)
