"""examples/bind-mount, taught on docs/volumes-and-bind-mounts.md.

The tests add uniquely named files to examples/bind-mount/data/ (so parallel runs never
meet) and always delete them again.
"""
import json
import os
import re
import shutil
import subprocess
import urllib.request
import uuid

import pytest

from primer.compose import run_compose
from primer.examples import get_example
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


@pytest.fixture
def scratch_dir(stack):
    """A uniquely named folder in data/, removed afterwards by the container (as root) and then
    here, whoever owns what is in it."""
    path = stack.example.path / "data" / f"test-{uuid.uuid4().hex[:12]}"
    path.mkdir()
    try:
        yield path
    finally:
        stack.exec("web", ["rm", "-rf", f"/srv/{path.name}"])
        shutil.rmtree(path, ignore_errors=True)


# "Your own user": with root running the tests, an ordinary user id; otherwise the user itself.
YOU = 1000 if os.geteuid() == 0 else os.getuid()


def as_you(*command: str) -> subprocess.CompletedProcess[str]:
    prefix = ["setpriv", f"--reuid={YOU}", f"--regid={YOU}", "--clear-groups"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=30)


def get(stack, name: str) -> str:
    port = stack.host_port("web", 8000)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{name}", timeout=3) as response:
        return response.read().decode()


@pytest.mark.claim("bind-mount-shows-host-files")
def test_the_committed_host_file_is_served_from_the_container(stack):
    expected = (stack.example.path / "data" / "hello.txt").read_text()
    assert wait_until(lambda: get(stack, "hello.txt"), message="web serves hello.txt") == expected


@pytest.mark.claim("bind-mount-edit-visible-in-container")
@pytest.mark.claim("commands-copied-code-needs-build")
@pytest.mark.claim("trouble-bind-mount-shows-edits")
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
    # Many editors save by writing a new file and renaming it over the old one: seen at once too.
    saved = scratch_file.with_name(f".{scratch_file.name}.swp")
    saved.write_text("third version\n")
    os.replace(saved, scratch_file)
    result = stack.exec("web", ["cat", f"/srv/{scratch_file.name}"])
    assert result.output == "third version\n", result.output

    container.reload()
    assert container.attrs["State"]["StartedAt"] == started_at, "the container was restarted"
    assert container.attrs["RestartCount"] == 0


@pytest.mark.claim("bind-mount-container-writes-reach-host")
def test_a_file_written_in_the_container_appears_on_the_host(stack, scratch_file):
    result = stack.exec("web", ["sh", "-c", f"echo 'written inside' > /srv/{scratch_file.name}"])
    assert result.exit_code == 0, result.output
    assert scratch_file.read_text() == "written inside\n"
    assert scratch_file.stat().st_uid == 0, "the container runs as root, so root owns the file"
    assert stack.exec("web", ["id", "-u"]).output.strip() == "0"


@pytest.mark.claim("bind-mount-container-writes-reach-host")
def test_a_file_written_by_another_user_belongs_to_that_user_on_the_host(stack, scratch_dir):
    scratch_dir.chmod(0o777)  # anyone may write in it
    result = stack.exec("web", ["sh", "-c", f"id -u && echo mine > /srv/{scratch_dir.name}/by-1234.txt"],
                        user="1234:1234")
    assert result.exit_code == 0 and result.output == "1234\n", result.output
    assert (scratch_dir / "by-1234.txt").stat().st_uid == 1234


@pytest.mark.claim("bind-mount-root-files-need-sudo")
def test_files_a_root_container_leaves_belong_to_root_and_resist_your_own_user(stack, scratch_dir):
    if os.geteuid() == 0:
        os.chown(scratch_dir, YOU, YOU)  # your bind-mounted folder is yours
    inside = f"/srv/{scratch_dir.name}"
    result = stack.exec("web", ["sh", "-c", f"echo made > {inside}/by-root.txt && mkdir {inside}/made "
                                            f"&& echo made > {inside}/made/inside.txt"])
    assert result.exit_code == 0, result.output
    assert {(scratch_dir / name).stat().st_uid for name in ("by-root.txt", "made", "made/inside.txt")} == {0}

    change = as_you("sh", "-c", f"echo mine >> {scratch_dir}/by-root.txt")
    assert change.returncode != 0 and "Permission denied" in change.stderr, change
    remove = as_you("rm", "-r", str(scratch_dir / "made"))
    assert remove.returncode != 0 and "Permission denied" in remove.stderr, remove
    assert (scratch_dir / "made" / "inside.txt").read_text() == "made\n"
    if os.geteuid() == 0:  # with sudo (root), both work
        with open(scratch_dir / "by-root.txt", "a") as file:
            file.write("mine\n")
        shutil.rmtree(scratch_dir / "made")


@pytest.mark.claim("bind-mount-is-one-folder-not-a-copy")
def test_the_container_sees_the_very_same_folder_on_the_same_disk(stack):
    host_file = stack.example.path / "data" / "hello.txt"
    seen = stack.exec("web", ["stat", "-c", "%d %i", "/srv/hello.txt"]).output.split()
    assert [int(n) for n in seen] == [host_file.stat().st_dev, host_file.stat().st_ino], "one file, not a copy"
    kind_inside = stack.exec("web", ["stat", "-f", "-c", "%T", "/srv"]).output.strip()
    kind_here = subprocess.run(["stat", "-f", "-c", "%T", str(host_file.parent)], capture_output=True, text=True,
                               timeout=30).stdout.strip()
    assert kind_inside == kind_here, (kind_inside, kind_here)
    mountinfo = stack.exec("web", ["cat", "/proc/self/mountinfo"]).output
    (line,) = [line for line in mountinfo.splitlines() if line.split()[4] == "/srv"]
    fstype = line.split(" - ", 1)[1].split()[0]
    assert not re.match(r"(nfs|cifs|smb|9p|fuse|virtiofs)", fstype), f"/srv is mounted over the network: {line}"


@pytest.mark.claim("bind-mount-relative-to-the-compose-file")
@pytest.mark.claim("mount-kind-where-files-live")
def test_a_relative_path_is_read_from_the_compose_files_folder(stack, tmp_path):
    compose_file = stack.example.compose_file
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    model = json.loads(run_compose(["-f", str(compose_file), "config", "--format", "json"], cwd=elsewhere).stdout)
    (mount,) = model["services"]["web"]["volumes"]
    assert (mount["type"], mount["source"]) == ("bind", str(compose_file.parent / "data")), mount
    assert not (elsewhere / "data").exists()
    # The running container: the folder you chose, on your machine, mounted as it is.
    (running,) = stack.container("web").attrs["Mounts"]
    assert (running["Type"], running["Source"], running["Destination"]) == \
        ("bind", str(stack.example.path / "data"), "/srv"), running


@pytest.mark.claim("mount-kind-named-volume-or-path")
def test_compose_reads_a_name_as_a_named_volume_and_a_path_as_a_bind_mount(stack, tmp_path):
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  app:\n    image: python:3.11-slim\n    volumes:\n"
        "      - redis-data:/a\n      - ./data:/b\n      - /srv/data:/c\n      - ~/data:/d\n"
        "volumes:\n  redis-data:\n")
    model = json.loads(run_compose(["-f", str(tmp_path / "docker-compose.yml"), "config", "--format", "json"],
                                   cwd=tmp_path).stdout)
    kinds = {mount["target"]: (mount["type"], mount["source"]) for mount in model["services"]["app"]["volumes"]}
    assert kinds == {"/a": ("volume", "redis-data"), "/b": ("bind", str(tmp_path / "data")),
                     "/c": ("bind", "/srv/data"), "/d": ("bind", os.path.expanduser("~/data"))}, kinds
    assert stack.container("web").attrs["Mounts"][0]["Type"] == "bind"  # ./data:/srv, as the engine has it


@pytest.mark.claim("bind-mount-compose-port-gives-the-address")
def test_compose_port_prints_the_address_where_the_file_is_served(stack):
    shown = stack.compose("port", "web", "8000").stdout.strip()
    match = re.fullmatch(r"127\.0\.0\.1:(\d+)", shown)
    assert match, shown
    with urllib.request.urlopen(f"http://{shown}/hello.txt", timeout=3) as response:
        assert response.read().decode() == (stack.example.path / "data" / "hello.txt").read_text()


@pytest.mark.claim("compose-never-deletes-bind-mounted-folders")
def test_down_v_leaves_the_bind_mounted_folder_and_all_in_it(compose_project, tmp_path):
    project = compose_project("bind-mount", copy_to=tmp_path)
    folder = project.example.path / "data"
    result = project.exec("web", ["sh", "-c", "mkdir /srv/made && echo kept > /srv/made/by-the-container.txt"])
    assert result.exit_code == 0, result.output
    before = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    project.compose("down", "--volumes", "--remove-orphans", timeout=60)
    assert project.containers() == []
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == before
    # (the copy may hold other tests' scratch files too, copied with it)
    assert {"hello.txt", "made", "made/by-the-container.txt"} <= set(before), before


@pytest.mark.claim("read-only-mount-refuses-writes")
def test_ro_in_a_compose_file_makes_writes_fail_as_in_the_start_order_example(compose_project):
    """The tip's own example: healthy-start-order mounts ./app:/app:ro. Its app service alone
    (`run --no-deps`), told to write there."""
    example = get_example("healthy-start-order")
    (mount,) = example.services["app"]["volumes"]
    assert (mount["type"], mount["target"], mount.get("read_only")) == ("bind", "/app", True), mount
    project = compose_project("healthy-start-order", up=False)
    attempt = project.compose("run", "--rm", "--no-deps", "app", "touch", "/app/new-file", check=False, timeout=60)
    assert attempt.returncode != 0
    assert "Read-only file system" in attempt.stdout + attempt.stderr, attempt
    assert not (example.path / "app" / "new-file").exists()
