"""examples/bind-mount, taught on docs/volumes-and-bind-mounts.md.

The tests add uniquely named files to examples/bind-mount/data/ (so parallel runs never
meet) and always delete them again.
"""
import urllib.request
import uuid

import pytest

from primer.stacks import wait_until

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("bind-mount")


@pytest.fixture
def scratch_file(stack):
    path = stack.example.path / "data" / f"test-{uuid.uuid4().hex[:12]}.txt"
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def get(stack, name: str) -> str:
    port = stack.host_port("web", 8000)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{name}", timeout=3) as response:
        return response.read().decode()


@pytest.mark.claim("bind-mount-shows-host-files")
def test_the_committed_host_file_is_served_from_the_container(stack):
    expected = (stack.example.path / "data" / "hello.txt").read_text()
    assert wait_until(lambda: get(stack, "hello.txt"), message="web serves hello.txt") == expected


@pytest.mark.claim("bind-mount-edit-visible-in-container")
def test_a_host_edit_is_visible_inside_the_running_container(stack, scratch_file):
    container = stack.container("web")
    started_at = container.attrs["State"]["StartedAt"]

    scratch_file.write_text("first version\n")
    assert wait_until(lambda: get(stack, scratch_file.name), message="new file served") == "first version\n"
    scratch_file.write_text("second version\n")
    result = stack.exec("web", ["cat", f"/srv/{scratch_file.name}"])
    assert result.exit_code == 0, result.output
    assert result.output == "second version\n", result.output
    assert get(stack, scratch_file.name) == "second version\n"

    container.reload()
    assert container.attrs["State"]["StartedAt"] == started_at, "the container was restarted"
    assert container.attrs["RestartCount"] == 0


@pytest.mark.claim("bind-mount-container-writes-reach-host")
def test_a_file_written_in_the_container_appears_on_the_host(stack, scratch_file):
    result = stack.exec("web", ["sh", "-c", f"echo 'written inside' > /srv/{scratch_file.name}"])
    assert result.exit_code == 0, result.output
    assert scratch_file.read_text() == "written inside\n"
    assert scratch_file.stat().st_uid == 0, "the container runs as root, so root owns the file"
