"""examples/one-image-two-containers, taught on docs/images-and-containers.md."""
import pytest

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("one-image-two-containers")


@pytest.mark.claim("one-image-many-containers")
def test_both_containers_run_the_same_image(stack):
    first, second = stack.container("first"), stack.container("second")
    assert first.id != second.id
    assert first.image.id == second.image.id


@pytest.mark.claim("containers-have-separate-filesystems")
def test_a_file_written_in_one_container_is_not_in_the_other(stack):
    result = stack.exec("first", ["sh", "-c", "echo mine > /tmp/note.txt && cat /tmp/note.txt"])
    assert result.exit_code == 0 and result.output == "mine\n", result.output
    result = stack.exec("second", ["cat", "/tmp/note.txt"])
    assert result.exit_code == 1, result.output
    assert "No such file or directory" in result.output, result.output


@pytest.mark.claim("python-image-is-debian-plus-python", about=["python:3.11-slim"])
def test_the_python_image_is_debian_with_python_3_11(stack):
    result = stack.exec("first", ["python", "--version"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Python 3.11."), result.output
    result = stack.exec("first", ["cat", "/etc/os-release"])
    assert "ID=debian" in result.output, result.output


@pytest.mark.claim("containers-share-the-host-kernel")
def test_containers_report_the_host_kernel(stack):
    import platform

    result = stack.exec("first", ["uname", "-r"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == platform.release(), "a container has no kernel of its own"


@pytest.mark.claim("container-changes-kept-on-stop-lost-on-down")
def test_changes_outside_volumes_survive_stop_but_not_down(compose_project):
    project = compose_project("one-image-two-containers")
    result = project.exec("first", ["sh", "-c", "echo mine > /tmp/note.txt"])
    assert result.exit_code == 0, result.output

    project.compose("stop", "first")
    project.compose("start", "first")
    result = project.exec("first", ["cat", "/tmp/note.txt"])
    assert result.output == "mine\n", f"the file should survive stop + start: {result.output}"

    project.compose("down")
    project.up()
    result = project.exec("first", ["cat", "/tmp/note.txt"])
    assert result.exit_code == 1 and "No such file or directory" in result.output, result.output
