"""examples/first-container, taught on docs/first-container.md: `docker run` and the commands
around it, typed as the page shows them. Containers get this session's names and label
(docker_names), so parallel runs never meet and the sweep finds what a killed run left."""
from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from primer.examples import get_example
from primer.stacks import connect_from_host, http_get, machine_lock, wait_until
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
    # bash's prompt inside the container: root at the container's own host name, its short id
    assert re.search(r"root@[0-9a-f]{12}:/# ", shown), shown
    assert 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' in shown, shown
    assert docker("ps", "-a", "--filter", f"name=^{name}$", "--format", "{{.Names}}").stdout == ""


@pytest.mark.claim("docker-run-e-sets-a-variable")
def test_e_sets_an_environment_variable(labelled):
    name, label = labelled
    run = docker("run", "--rm", "--name", name, *label, "-e", "GREETING=hello", "debian:bookworm-slim",
                 "printenv", "GREETING")
    assert (run.returncode, run.stdout) == (0, "hello\n"), run.stderr


@pytest.mark.claim("exit-code-of-the-container-is-docker-runs")
@pytest.mark.claim("trouble-exit-codes-say-who-ended-it")
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


def requests_logged(name: str) -> int:
    logs = docker("logs", name)
    return (logs.stdout + logs.stderr).count('"GET / HTTP/1.1" 200')


@pytest.mark.claim("docker-run-d-serves-a-folder")
@pytest.mark.claim("docker-run-everyday-commands-by-name")
@pytest.mark.claim("first-container-d-runs-in-the-background")
@pytest.mark.claim("first-container-name-instead-of-the-id")
@pytest.mark.claim("first-container-e-sets-the-servers-variable")
@pytest.mark.claim("first-container-p-only-for-this-machine")
@pytest.mark.claim("first-container-v-shows-the-folder-read-only")
@pytest.mark.claim("first-container-w-is-where-the-command-starts")
@pytest.mark.claim("read-only-mount-refuses-writes")
def test_a_detached_server_with_a_port_and_a_folder_and_its_everyday_commands(labelled, docker_client):
    name, label = labelled
    site = get_example(SLUG).path / "site"
    with machine_lock("port", str(PORT), 120), contextlib.ExitStack() as cleanup:
        cleanup.callback(docker, "rm", "-f", name)  # inside the lock: port 8080 is free when it is released
        run = docker("run", "-d", "--init", "--name", name, *label, "-p", f"127.0.0.1:{PORT}:8000", "-e", "GREETING=hello",
                     "-v", f"{site}:/srv:ro", "-w", "/srv", "python:3.11-slim", "python", "-m", "http.server", "8000")
        assert run.returncode == 0 and re.fullmatch(r"[0-9a-f]{64}\n", run.stdout), run  # the new container's id
        container_id = run.stdout.strip()
        # http.server serves the folder it starts in: the page it serves shows -w, and -v brought it there
        page = wait_until(lambda: http_get(f"http://127.0.0.1:{PORT}/")[1], timeout=30, message="the server")
        assert page == (site / "index.html").read_bytes()
        assert docker("exec", name, "pwd").stdout == "/srv\n"
        # 127.0.0.1 only: at another address of this machine (its side of Docker's network) nothing answers
        gateway = docker_client.networks.get("bridge").attrs["IPAM"]["Config"][0]["Gateway"]
        with pytest.raises(ConnectionRefusedError):
            connect_from_host(PORT, host=gateway).close()

        ps = docker("ps", "--filter", f"name=^{name}$", "--format", "{{.ID}}\t{{.Status}}\t{{.Ports}}").stdout
        assert container_id.startswith(ps.split("\t")[0]), (container_id, ps)  # the name stands for the id
        assert ps.split("\t")[1].startswith("Up ") and f"127.0.0.1:{PORT}->8000/tcp" in ps, ps
        requests = requests_logged(name)
        assert requests >= 1
        http_get(f"http://127.0.0.1:{PORT}/")
        wait_until(lambda: requests_logged(name) == requests + 1, timeout=10, message="one more line in the logs")
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
        assert docker("inspect", "--format", "{{.Id}}", name).stdout.strip() == container_id  # the same container
        assert docker("rm", "-f", name).returncode == 0  # running: killed, then removed
        assert docker("ps", "-a", "--filter", f"name=^{name}$", "--format", "{{.Names}}").stdout == ""


def stopped_after(container: str, *timeout: str) -> tuple[float, str]:
    """`docker stop [--timeout N] CONTAINER`: how long it took, and the container's exit code."""
    started = time.monotonic()
    assert docker("stop", *timeout, container).returncode == 0
    took = time.monotonic() - started
    return took, docker("inspect", "--format", "{{.State.ExitCode}}", container).stdout.strip()


@pytest.mark.claim("docker-stop-with-init-is-quick")
@pytest.mark.claim("first-container-init-passes-the-signal-on")
@pytest.mark.claim("trouble-exit-codes-say-who-ended-it")
def test_docker_stop_is_quick_with_init_and_waits_without(labelled):
    """143 = 128 + SIGTERM: the server ended when asked. 137 = 128 + SIGKILL: it ignored the
    request (a Python server as PID 1 does) and was killed when the grace period ran out."""
    name, label = labelled
    containers = {kind: f"{name}-{kind}" for kind in ("init", "plain", "plain-timeout")}
    for kind, container in containers.items():
        started = docker("run", "-d", *(["--init"] if kind == "init" else []), "--name", container, *label,
                         "python:3.11-slim", "python", "-m", "http.server", "8000")
        assert started.returncode == 0, started
    assert docker("exec", containers["init"], "cat", "/proc/1/comm").stdout == "docker-init\n"  # a tiny init, first

    with ThreadPoolExecutor(max_workers=1) as background:  # the default grace period, waited out meanwhile
        default_wait = background.submit(stopped_after, containers["plain"])
        took, code = stopped_after(containers["init"])
        assert code == "143" and took < 5, (code, took)  # ended when asked, no grace period waited
        took, code = stopped_after(containers["plain-timeout"], "--timeout", "3")
        assert code == "137" and 3 <= took < 8, (code, took)  # --timeout 3: killed after 3 seconds
        took, code = default_wait.result(timeout=60)
        assert code == "137" and 10 <= took < 20, (code, took)  # no --timeout: killed after 10 seconds


@pytest.mark.claim("docker-images-lists-local-images")
def test_docker_images_lists_the_images_on_this_machine():
    listing = docker("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    assert {"python:3.11-slim", "debian:bookworm-slim"} <= set(listing), listing


@pytest.mark.claim("first-container-compose-file-same-container")
def test_the_compose_file_starts_the_same_server(compose_project, labelled):
    project = compose_project(SLUG)  # holds port 8080's lock while it runs
    page = wait_until(lambda: http_get(f"http://127.0.0.1:{PORT}/")[1], timeout=30, message="the server")
    assert page == (project.example.path / "site" / "index.html").read_bytes()
    assert project.exec("web", ["printenv", "GREETING"]).output == "hello\n"
    assert project.exec("web", ["cat", "/proc/1/comm"]).output == "docker-init\n"  # init: true, as --init
    assert project.exec("web", ["touch", "/srv/new-file"]).exit_code != 0  # :ro
    # The `docker run` server beside it wants the same port: the second of the two cannot start.
    name, label = labelled
    second = docker("run", "-d", "--name", name, *label, "-p", f"127.0.0.1:{PORT}:8000", "python:3.11-slim",
                    "python", "-m", "http.server", "8000")
    assert second.returncode != 0 and "port is already allocated" in second.stderr, second
