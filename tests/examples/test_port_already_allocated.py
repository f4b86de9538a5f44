"""examples/port-already-allocated, taught on docs/troubleshooting.md."""
import re
import socket

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


@pytest.mark.claim("port-held-by-a-program-says-address-in-use")
def test_a_port_held_by_a_program_on_the_host_fails_with_address_in_use(compose_project):
    with socket.socket() as program:  # a dev server of the learner's, not a container
        program.bind(("127.0.0.1", 0))
        program.listen()
        port = program.getsockname()[1]
        project = compose_project("port-already-allocated", up=False)
        proc = project.compose("up", "--detach", env={"WEB_PORT": str(port)}, check=False)
    output = (proc.stdout + proc.stderr).rstrip()
    project.capture("troubleshooting-port-held-by-a-program", f"WEB_PORT={port} docker compose up -d", output)
    assert proc.returncode != 0, output
    assert re.search(rf"failed to bind host port for 127\.0\.0\.1:{port}:\S+: address already in use", output), output
    assert "port is already allocated" not in output, output
