"""examples/first-container, taught on docs/first-container.md: `docker run` and the commands
around it, typed as the page shows them. Containers get this session's names and label
(docker_names), so parallel runs never meet and the sweep finds what a killed run left."""
from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import time

import pytest

from primer.examples import get_example
from primer.stacks import http_get, machine_lock, wait_until
from tests.docker_cli import docker, label_args

pytestmark = pytest.mark.docker

SLUG = "first-container"
PORT = 8080


@pytest.fixture
def labelled(docker_names):
    name, labels = docker_names(SLUG)
    return name, label_args(labels)


@pytest.mark.claim("docker-run-prints-and-exits")
@pytest.mark.claim("home-first-container-says-hello")
def test_docker_run_runs_one_command_and_rm_removes_the_container(labelled):
    name, label = labelled
    run = docker("run", "--rm", "--name", name, *label, "debian:bookworm-slim", "echo", "Hello from a container")
    assert (run.returncode, run.stdout) == (0, "Hello from a container\n"), run.stderr
    assert docker("ps", "-a", "--filter", f"name=^{name}$", "--format", "{{.Names}}").stdout == ""


def typed_into_a_terminal(command: list[str], lines: list[str], timeout: float = 60) -> tuple[int, str]:
    """Run `command` on a pseudo-terminal of its own, as from a terminal window, type `lines`,
    and return its exit code and everything the terminal showed."""
    main, terminal = pty.openpty()
    with subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal, close_fds=True) as process:
        os.close(terminal)
        shown, deadline, typed = b"", time.monotonic() + timeout, False
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the terminal closed: the command ended
                    break
                if not chunk:
                    break
                shown += chunk
            if not typed and b"# " in shown:  # bash's prompt, as root
                os.write(main, "".join(f"{line}\r" for line in lines).encode())
                typed = True
            if process.poll() is not None and not ready:
                break
        else:
            process.kill()
        os.close(main)
        return process.wait(timeout=30), shown.decode(errors="replace")


@pytest.mark.claim("docker-run-it-gives-a-shell")
def test_an_interactive_shell_runs_inside_the_container_until_exit(labelled):
    name, label = labelled
    code, shown = typed_into_a_terminal(["docker", "run", "--rm", "-it", "--name", name, *label,
                                         "debian:bookworm-slim", "bash"],
                                        ["grep PRETTY_NAME /etc/os-release", "exit"])
    assert code == 0, shown
    assert "root@" in shown, shown  # a bash prompt, inside the container
    assert 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' in shown, shown
    assert docker("ps", "-a", "--filter", f"name=^{name}$", "--format", "{{.Names}}").stdout == ""


@pytest.mark.claim("docker-run-e-sets-a-variable")
def test_e_sets_an_environment_variable(labelled):
    name, label = labelled
    run = docker("run", "--rm", "--name", name, *label, "-e", "GREETING=hello", "debian:bookworm-slim",
                 "printenv", "GREETING")
    assert (run.returncode, run.stdout) == (0, "hello\n"), run.stderr


@pytest.mark.claim("exit-code-of-the-container-is-docker-runs")
def test_docker_run_returns_the_exit_code_of_the_containers_command(labelled):
    name, label = labelled
    assert docker("run", "--rm", *label, "debian:bookworm-slim", "sh", "-c", "exit 3").returncode == 3
    missing = docker("run", "--rm", *label, "debian:bookworm-slim", "nosuchcommand")
    assert missing.returncode == 127, missing
    assert 'exec: "nosuchcommand": executable file not found in $PATH' in missing.stderr, missing.stderr
    failed = docker("run", "--name", name, *label, "debian:bookworm-slim", "ls", "/nonexistent")
    assert failed.returncode == 2 and "No such file or directory" in failed.stderr, failed
    # `docker run` has returned; the engine records the container as exited a moment later.
    wait_until(lambda: docker("ps", "-a", "--filter", f"name=^{name}$", "--format", "{{.Status}}").stdout
               .startswith("Exited (2)"), timeout=10, interval=0.1, message=f"{name} listed as Exited (2)")
    logs = docker("logs", name)
    assert "ls: cannot access '/nonexistent': No such file or directory" in logs.stderr, logs


@pytest.mark.claim("docker-run-d-serves-a-folder")
@pytest.mark.claim("read-only-mount-refuses-writes")
def test_a_detached_server_with_a_port_and_a_folder_and_its_everyday_commands(labelled):
    name, label = labelled
    site = get_example(SLUG).path / "site"
    with machine_lock("port", str(PORT), 120), contextlib.ExitStack() as cleanup:
        cleanup.callback(docker, "rm", "-f", name)  # inside the lock: port 8080 is free when it is released
        run = docker("run", "-d", "--init", "--name", name, *label, "-p", f"127.0.0.1:{PORT}:8000", "-e", "GREETING=hello",
                     "-v", f"{site}:/srv:ro", "-w", "/srv", "python:3.11-slim", "python", "-m", "http.server", "8000")
        assert run.returncode == 0 and len(run.stdout.strip()) == 64, run  # the new container's id
        page = wait_until(lambda: http_get(f"http://127.0.0.1:{PORT}/")[1], timeout=30, message="the server")
        assert page == (site / "index.html").read_bytes()

        ps = docker("ps", "--filter", f"name=^{name}$", "--format", "{{.Names}}\t{{.Status}}\t{{.Ports}}").stdout
        assert ps.split("\t")[1].startswith("Up ") and f"127.0.0.1:{PORT}->8000/tcp" in ps, ps
        logs = docker("logs", name)
        assert '"GET / HTTP/1.1" 200' in logs.stdout + logs.stderr, logs
        listing = docker("exec", name, "ls", "/srv")
        assert listing.stdout == "index.html\n", listing
        assert docker("exec", name, "printenv", "GREETING").stdout == "hello\n"
        read_only = docker("exec", name, "touch", "/srv/new-file")  # :ro
        assert read_only.returncode != 0 and "Read-only file system" in read_only.stderr, read_only

        assert docker("stop", name).returncode == 0
        assert docker("ps", "--filter", f"name=^{name}$", "--format", "{{.Names}}").stdout == ""
        stopped = docker("ps", "-a", "--filter", f"name=^{name}$", "--format", "{{.Status}}").stdout
        assert stopped.startswith("Exited ("), stopped
        assert docker("start", name).returncode == 0
        wait_until(lambda: http_get(f"http://127.0.0.1:{PORT}/")[0] == 200, timeout=30, message="the restarted server")
        assert docker("rm", "-f", name).returncode == 0
        assert docker("ps", "-a", "--filter", f"name=^{name}$", "--format", "{{.Names}}").stdout == ""


@pytest.mark.claim("docker-stop-with-init-is-quick")
def test_docker_stop_is_quick_with_init_and_waits_without(labelled):
    """143 = 128 + SIGTERM: the server ended when asked. 137 = 128 + SIGKILL: it ignored the
    request (a Python server as PID 1 does) and was killed when the grace period ran out."""
    name, label = labelled
    for extra, expected_code in ((["--init"], 143), ([], 137)):
        container = f"{name}-{'init' if extra else 'plain'}"
        started = docker("run", "-d", *extra, "--name", container, *label, "python:3.11-slim",
                         "python", "-m", "http.server", "8000")
        assert started.returncode == 0, started
        assert docker("stop", "--timeout", "3", container).returncode == 0
        code = docker("inspect", "--format", "{{.State.ExitCode}}", container).stdout.strip()
        assert code == str(expected_code), (extra, code)


@pytest.mark.claim("docker-images-lists-local-images")
def test_docker_images_lists_the_images_on_this_machine():
    listing = docker("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    assert {"python:3.11-slim", "debian:bookworm-slim"} <= set(listing), listing


@pytest.mark.claim("first-container-compose-file-same-container")
def test_the_compose_file_starts_the_same_server(compose_project):
    project = compose_project(SLUG)  # holds port 8080's lock while it runs
    page = wait_until(lambda: http_get(f"http://127.0.0.1:{PORT}/")[1], timeout=30, message="the server")
    assert page == (project.example.path / "site" / "index.html").read_bytes()
    assert project.exec("web", ["printenv", "GREETING"]).output == "hello\n"
