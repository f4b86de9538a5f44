"""Compose projects, driven the way the tests, the bench and the checks need them: bring an
example up under a name of its own, wait until it is ready, look inside it, always tear it
down; sweep what a killed run left; hold machine-wide locks.

Guarantees (each has its test in tests/reliability/):
- every stack runs under a unique project name `primer-t-<session>-<slug>-<random>`, so two
  sessions (or xdist workers) on one engine never meet;
- `down --volumes --remove-orphans` is registered before `up` (start_project), so a failed
  `up` is torn down too;
- a session holds a lock file while it runs; the sweep removes every project whose session no
  longer holds its lock (a run killed with -9 included), and only resources whose Compose
  project label carries our prefix: nothing a user made is touched;
- a fixed host port ("3000:3000") is held under a machine-wide lock for the stack's life.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shlex
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import docker
import docker.errors

from .captures import record_output
from .compose import ComposeError, compose_binary, run_compose
from .examples import Example
from .images import read_report as read_images_report

PROJECT_PREFIX = "primer-t-"
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
_PROJECT_RE = re.compile(rf"^{PROJECT_PREFIX}([0-9a-f]{{8}})-")
_LOCK_DIR = Path(tempfile.gettempdir()) / "primer-test-locks"
UP_TIMEOUT_S = 90
DOWN_TIMEOUT_S = 60
PORT_LOCK_TIMEOUT_S = 600
READY_POLL_S = 0.05
T = TypeVar("T")
E = TypeVar("E", bound=BaseException)

def wait_until(check: Callable[[], T], *, timeout: float = 20, interval: float = 0.1,
               message: str = "condition") -> T:
    """Poll `check` until it returns something truthy; fail with its last error after `timeout`."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            result = check()
            if result:
                return result
        except Exception as error:  # the check's own failure is the diagnostic we report
            last_error = _detached(error)
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{message} not met within {timeout}s (last error: {last_error!r})")
        time.sleep(interval)


def _detached(error: E) -> E:
    """The error without its tracebacks. Kept with them, it keeps the failed attempt's frames
    alive in a reference cycle: a half-read HTTP response there (a server not listening yet)
    holds its socket open until some later garbage collection, which then warns in whatever
    test happens to run."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return error


# --- sessions, locks and the sweep ------------------------------------------------------

def lock_path(kind: str, name: str) -> Path:
    _LOCK_DIR.mkdir(parents=True, exist_ok=True)
    return _LOCK_DIR / f"{kind}-{name}.lock"


def session_alive(session_id: str) -> bool:
    path = lock_path("session", session_id)
    if not path.exists():
        return False
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    path.unlink(missing_ok=True)
    return False


def session_of_project(name: str | None) -> str | None:
    """The session id in one of our project names, or None for anything not ours."""
    match = _PROJECT_RE.match(name or "")
    return match.group(1) if match else None


def sweep(client: docker.DockerClient, *, also_session: str | None = None) -> dict[str, int]:
    """Remove containers, networks and volumes of our projects whose session is gone.

    Only resources labelled with a Compose project named `primer-t-<session>-...` are
    considered, so nothing a user made is touched; and the projects named as an example's
    folder that a dead session noted it had started (`as_a_learner`).
    """
    alive: dict[str, bool] = {}

    def doomed_session(session: str) -> bool:
        if session == also_session:
            return True
        if session not in alive:
            alive[session] = session_alive(session)
        return not alive[session]

    def doomed(labels: dict | None) -> bool:
        session = session_of_project((labels or {}).get(PROJECT_LABEL))
        return session is not None and doomed_session(session)

    removed = {"containers": 0, "networks": 0, "volumes": 0, "images": 0}
    _sweep_learner_projects(client, doomed_session)
    # sparse: one list call, no inspect per container, which raised NotFound (and crashed the
    # session) when another session removed a listed container meanwhile (tests/reliability).
    for container in client.containers.list(all=True, sparse=True, filters={"label": PROJECT_LABEL}):
        if doomed(container.attrs.get("Labels")):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True, v=True)
                removed["containers"] += 1
    for network in client.networks.list(filters={"label": PROJECT_LABEL}):
        if doomed(network.attrs.get("Labels")):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                network.remove()
                removed["networks"] += 1
    for volume in client.volumes.list(filters={"label": PROJECT_LABEL}):
        if doomed(volume.attrs.get("Labels")):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                volume.remove(force=True)
                removed["volumes"] += 1
    # Images Compose built for a project (`build:`) carry its label; untag them by name, so that
    # an image another project also tagged is never removed from under it.
    # The low-level list, for the same reason: images.list() inspects each image it lists, and
    # raised NotFound when a concurrent session removed one in between.
    for image in client.api.images(filters={"label": PROJECT_LABEL}):
        tags = [tag for tag in image.get("RepoTags") or [] if tag != "<none>:<none>"]
        if doomed(image.get("Labels")):
            for name in tags or [image["Id"]]:  # an untagged one: a rebuild's leftover
                with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                    client.images.remove(name)
                    removed["images"] += 1
    return removed


def remove_labelled(client: docker.DockerClient, project: str) -> None:
    """Remove what a test made with plain `docker` commands under `--label <PROJECT_LABEL>=project`:
    containers, then networks and volumes, then images (by id: a rebuild leaves untagged ones)."""
    label = {"label": f"{PROJECT_LABEL}={project}"}
    for container in client.containers.list(all=True, sparse=True, filters=label):
        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            container.remove(force=True, v=True)
    for network in client.networks.list(filters=label):
        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            network.remove()
    for volume in client.volumes.list(filters=label):
        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            volume.remove(force=True)
    for image in client.api.images(filters=label):
        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            client.images.remove(image["Id"], force=True)


# Notes of the learner-named projects a session started: kept where a reboot leaves them (unlike
# the locks in /tmp), since the engine keeps a killed run's containers and volumes across one.
_LEARNER_NOTES = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "docker-primer" / "learner-projects"


def _learner_note(slug: str) -> Path:
    return _LEARNER_NOTES / f"{slug}.session"


class ProjectInTheWay(RuntimeError):
    """A project named as an example's folder exists on the engine, and is not one of ours."""


@contextlib.contextmanager
def as_a_learner(example: Example, folder: Path, client: docker.DockerClient, session_id: str) -> Iterator[Path]:
    """The example copied to `folder/<slug>`, to be run there as a learner runs it: plain
    `docker compose` in that folder, with no --project-name and no -f. Its project is then
    named `<slug>`, as the learner's is, so: one session at a time (a machine-wide lock),
    never over a project of that name that is not ours, and a note for the sweep in case this
    run is killed before it removes what it started. Everything is removed when the block ends."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(machine_lock("learner", example.slug, PORT_LOCK_TIMEOUT_S))
        for port in example.fixed_host_ports():
            stack.enter_context(machine_lock("port", str(port), PORT_LOCK_TIMEOUT_S))
        note = _learner_note(example.slug)
        label = {"label": f"{PROJECT_LABEL}={example.slug}"}
        if not note.exists() and (client.containers.list(all=True, sparse=True, filters=label)
                                  or client.volumes.list(filters=label) or client.networks.list(filters=label)
                                  or client.api.images(filters=label)):
            raise ProjectInTheWay(
                f"a Compose project named {example.slug!r} already exists on this engine and was not made by "
                f"these tests; run `docker compose down` in that example's folder, then run the tests again")
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(session_id)
        stack.callback(note.unlink, missing_ok=True)
        stack.callback(remove_labelled, client, example.slug)
        yield example.copied_to(folder).path


def _sweep_learner_projects(client: docker.DockerClient, doomed_session: Callable[[str], bool]) -> None:
    for note in _LEARNER_NOTES.glob("*.session"):
        slug = note.name.removesuffix(".session")
        # Under the project's own lock, not waiting: a live test holds it, and may have just
        # taken the note over from the dead session that wrote it.
        with contextlib.suppress(OSError, TimeoutError), _locked("learner", slug, 0):
            if note.exists() and doomed_session(note.read_text().strip()):
                remove_labelled(client, slug)
                note.unlink()


_held_here: set[tuple[str, str]] = set()


@contextlib.contextmanager
def machine_lock(kind: str, name: str, timeout: float) -> Iterator[None]:
    """A machine-wide lock, released by the kernel even when the holder is killed."""
    if (kind, name) in _held_here:  # flock would wait on ourselves until the timeout
        raise RuntimeError(f"this test process already holds host {kind} {name} (two stacks publishing it "
                           "at once in one process, e.g. a module-scoped and a function-scoped one); "
                           "move one of them to its own test module")
    _held_here.add((kind, name))
    with contextlib.ExitStack() as release:
        release.callback(_held_here.discard, (kind, name))
        with _locked(kind, name, timeout):
            yield


@contextlib.contextmanager
def _locked(kind: str, name: str, timeout: float) -> Iterator[None]:
    with open(lock_path(kind, name), "a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    what = f"host port {name}" if kind == "port" else f"the machine-wide lock {kind}-{name}"
                    raise TimeoutError(f"{what} stayed held by another test for {timeout}s") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- one running example ----------------------------------------------------------------

@dataclass
class ExecResult:
    exit_code: int
    output: str


# Run by `python` inside a container; needs only the standard library.
_CONNECT = ("import socket\n"
            "try:\n"
            "    socket.create_connection(({host!r}, {port}), timeout=3)\n"
            "    print('connected')\n"
            "except OSError as error:\n"
            "    print(type(error).__name__, error)\n")


class ComposeProject:
    """One example brought up under its own project name; verbs to look inside it."""

    def __init__(self, example: Example, name: str, client: docker.DockerClient, *,
                 compose_file: Path | None = None):
        self.example = example
        self.name = name
        self.client = client
        # Another file that includes the example's (the repository's root docker-compose.yml):
        # the same stack, brought up as `docker compose up` in that file's folder does.
        self.compose_file = compose_file or example.compose_file
        self._by_service: dict[str, object] = {}  # filled by one list call; any compose call resets it
        self._orphaned_volumes: set[str] = set()

    def compose(self, *args: str, check: bool = True, timeout: float = UP_TIMEOUT_S,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        if args and args[0] in ("down", "rm") and not {"-v", "--volumes"} & set(args):
            self.keep_track_of_anonymous_volumes()
        self._by_service.clear()
        return run_compose(["--project-name", self.name, "-f", str(self.compose_file), *args],
                           cwd=self.compose_file.parent, check=check, timeout=timeout, env=env)

    def up(self, *services: str, build: bool = False, env: dict[str, str] | None = None,
           wait: bool = True, timeout: float = UP_TIMEOUT_S) -> None:
        """`docker compose up --detach [--build] [services]`, then (with `wait`) what `--wait`
        promises: every container started is running, and healthy where it has a healthcheck."""
        try:
            self.compose("up", "--detach", "--quiet-pull", *(["--build"] if build else []), *services,
                         timeout=timeout + 30 + (90 if build else 0), env=env)
            if wait:
                self.wait_ready(*services, timeout=timeout)
        except (ComposeError, subprocess.TimeoutExpired) as error:
            raise ComposeError(f"{error}\n\n--- service logs ---\n{self.logs()}") from None

    def wait_ready(self, *services: str, timeout: float = UP_TIMEOUT_S) -> None:
        """Until the services (all when none is named) and what they depend on are running,
        healthy where they have a healthcheck, and listening on their ports: after `up`, or a
        `restart` run through `compose()`."""
        # Not `up --wait`: Compose checks every 500 ms, which cost each `up` half a second even
        # with no healthcheck to wait for (scripts/bench); the engine's API answers in 2 ms.
        # Compose 2.40.3's --wait also exited 0 now and then with a healthcheck still "starting".
        wanted = self.example.with_dependencies(services)
        deadline = time.monotonic() + timeout
        while True:
            waiting, broken = self._not_ready(wanted)
            if broken:
                raise ComposeError(f"{self.name}: " + "; ".join(broken))
            if not waiting:
                return
            if time.monotonic() >= deadline:
                raise ComposeError(f"{self.name}: not ready after {timeout:g}s: " + "; ".join(waiting))
            time.sleep(READY_POLL_S)

    def _not_ready(self, wanted: set[str]) -> tuple[list[str], list[str]]:
        """(containers still on their way, containers that will never be ready), each described."""
        waiting, broken, seen = [], [], set()
        for container in self.containers():
            service = container.labels.get(SERVICE_LABEL)
            if service not in wanted:
                continue
            seen.add(service)
            state = container.attrs["State"]
            health = (state.get("Health") or {}).get("Status")
            if state["Status"] in ("exited", "dead"):
                broken.append(f"{container.name} exited with code {state.get('ExitCode')}")
            elif health == "unhealthy":
                broken.append(f"{container.name} is unhealthy: its healthcheck failed")
            elif state["Status"] != "running":
                waiting.append(f"{container.name} is {state['Status']}")
            elif health not in (None, "healthy"):
                waiting.append(f"{container.name} is {health}: its healthcheck has not passed yet")
            elif health is None and (closed := self._declared_ports_not_listening(container)):
                waiting.append(f"{container.name} is running, but nothing listens on {closed} yet")
        waiting += [f"service {service} has no container yet" for service in sorted(wanted - seen)]
        return waiting, broken

    def _declared_ports_not_listening(self, container) -> list[int]:
        """With no healthcheck, "running" is all `--wait` knows; a server may need a moment more
        to listen. The TCP ports the image and the compose file declare (EXPOSE, expose:,
        ports:) are the ones a client will try: wait until each has a listener."""
        declared = {int(spec.split("/")[0]) for spec in (container.attrs["Config"].get("ExposedPorts") or {})
                    if spec.endswith("/tcp")}
        listening = _listening_tcp_ports(container) if declared else set()
        return [] if listening is None else sorted(declared - listening)

    def wait_listening(self, service: str, *ports: int, timeout: float = 30) -> None:
        """Wait until `service` listens on these ports: for a server on a port that neither its
        image nor the compose file declares, so `up` could not know to wait for it."""
        def listening():
            found = _listening_tcp_ports(self.container(service))
            return found is None or set(ports) <= found
        wait_until(listening, timeout=timeout, interval=READY_POLL_S,
                   message=f"{service} of {self.name} listening on {', '.join(map(str, ports))}")

    def wait_for_log(self, service: str, text: str, timeout: float = 30) -> str:
        """Wait until `service` has printed `text` (a process that reports something once it
        has started: being "running" does not mean it has printed yet); its logs so far."""
        def printed():
            logs = self.compose("logs", "--no-color", service, timeout=30).stdout
            return logs if text in logs else None
        return wait_until(printed, timeout=timeout, interval=0.1, message=f"{service} of {self.name} to print {text!r}")

    def keep_track_of_anonymous_volumes(self) -> None:
        """Note, for the teardown, the volumes the engine made for an image's VOLUME with nothing
        mounted there: they carry no label, so a `down` without -v (a test of what survives it)
        would leave them behind for good. `compose("down")` does it; call it before a `down` that
        does not go through `compose()`."""
        self._orphaned_volumes |= {
            mount["Name"] for container in self.containers() for mount in container.attrs.get("Mounts", [])
            if mount.get("Type") == "volume" and re.fullmatch(r"[0-9a-f]{64}", mount.get("Name", ""))}

    def down(self) -> None:
        # --profile "*": the containers of every profile too, which `down -f FILE` leaves otherwise
        self.compose("--profile", "*", "down", "--volumes", "--remove-orphans", "--timeout", "10",
                     timeout=DOWN_TIMEOUT_S)
        for name in self._orphaned_volumes:
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                self.client.volumes.get(name).remove()

    @contextlib.contextmanager
    def running(self, *args: str, log: Path) -> Iterator[subprocess.Popen]:
        """A compose command that runs until stopped (`watch`, `up` without --detach), its
        output going to `log`; stopped, with everything it started, when the block ends."""
        with open(log, "w") as output:
            process = subprocess.Popen(
                [*compose_binary(), "--project-name", self.name, "-f", str(self.compose_file), *args],
                cwd=self.compose_file.parent, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own group: the whole group is stopped, helpers included
        try:
            yield process
        finally:
            for sig, grace in ((signal.SIGINT, 15), (signal.SIGKILL, 5)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
                try:
                    process.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
            self._by_service.clear()

    def logs(self) -> str:
        proc = self.compose("logs", "--no-color", "--timestamps", check=False, timeout=30)
        return (proc.stdout + proc.stderr).strip() or "(no logs)"

    def containers(self) -> list:
        return self.client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={self.name}"})

    def states(self) -> dict[str, str]:
        """{service: its container's state ("running", "exited"...)}, for every container of the project."""
        return {c.labels[SERVICE_LABEL]: c.status for c in self.containers()}

    def container(self, service: str):
        if service not in self._by_service:
            self._by_service.update({c.labels.get(SERVICE_LABEL): c for c in self.containers()})
        if service not in self._by_service:
            raise LookupError(f"no container for service {service!r} in project {self.name}")
        return self._by_service[service]

    def exec(self, service: str, command: list[str] | str, **kwargs) -> ExecResult:
        """Run a command inside a service's container: the place for container-to-container checks."""
        result = self.container(service).exec_run(command, demux=False, **kwargs)
        return ExecResult(result.exit_code, (result.output or b"").decode(errors="replace"))

    def connect_from(self, service: str, host: str, port: int) -> str:
        """Open a TCP connection from inside `service`: "connected", or the error's type and text
        (e.g. "ConnectionRefusedError [Errno 111] Connection refused"), so tests assert the exact failure."""
        result = self.exec(service, ["python", "-c", _CONNECT.format(host=host, port=port)])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    def host_port(self, service: str, container_port: int, protocol: str = "tcp") -> int:
        """The host port the engine published for a container port (raises if unpublished)."""
        container = self.container(service)
        container.reload()
        bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{container_port}/{protocol}")
        if not bindings:
            raise LookupError(f"{service}:{container_port}/{protocol} is not published to the host")
        return int(bindings[0]["HostPort"])

    def shown(self, text: str) -> str:
        """Text as the learner would see it: their project is named after the example's folder."""
        return text.replace(self.name, self.example.slug)

    def capture(self, key: str, command: str, output: str) -> None:
        """Record real output of a command a page tells the learner to run (primer.captures)."""
        images = read_images_report()
        kinds = {images[i].kind for i in self.example.images() if i in images}
        record_output(key, command, self.shown(output), engine=self.client.version().get("Version", ""),
                      images="stand-in images" if "stand-in" in kinds else "official images" if kinds else "")

    def run_shown(self, key: str, *args: str, check: bool = True) -> str:
        """Run `docker compose <args>` as a page shows it, record its output under `key`, return it."""
        proc = self.compose(*args, check=check)
        output = (proc.stdout + proc.stderr).rstrip()
        self.capture(key, "docker compose " + shlex.join(args), output)
        return output

    def run_on_host(self, key: str, command: list[str], timeout: float = 30) -> tuple[int, str]:
        """Run a command on the host as a page shows it (curl, docker run ...), record and return it."""
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.example.path)
        output = (proc.stdout + proc.stderr).rstrip()
        self.capture(key, shlex.join(command), output)
        return proc.returncode, output

    def network_names(self) -> list[str]:
        return [n.name for n in self.client.networks.list(filters={"label": f"{PROJECT_LABEL}={self.name}"})]

    def volume_names(self) -> list[str]:
        return [v.name for v in self.client.volumes.list(filters={"label": f"{PROJECT_LABEL}={self.name}"})]

    def host_address(self) -> str:
        """An address of this machine that is not loopback, as a Wi-Fi address would be: the
        host's side (the gateway) of the project's network."""
        network = self.client.networks.get(self.network_names()[0])
        gateway = network.attrs["IPAM"]["Config"][0]["Gateway"]
        assert gateway and not gateway.startswith("127."), gateway
        return gateway


def _listening_tcp_ports(container) -> set[int] | None:
    """The TCP ports something listens on inside a container, read from its own /proc (any
    address: a server bound to the container's 127.0.0.1 listens too); None when the image has
    no `cat` to ask with, so that such a container is never waited for in vain."""
    try:
        result = container.exec_run(["cat", "/proc/net/tcp", "/proc/net/tcp6"])
    except docker.errors.APIError:
        return None
    if result.exit_code not in (0, 1) or not result.output:  # 1: no IPv6 in the container
        return None
    ports = set()
    for line in result.output.decode(errors="replace").splitlines():
        fields = line.split()
        if len(fields) > 3 and fields[3] == "0A":  # st 0A: TCP_LISTEN
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def tcp_listen_addresses(proc_net_tcp: str, port: int) -> set[str]:
    """The IPv4 addresses a server listens on at `port`, read from a container's /proc/net/tcp."""
    found = set()
    for fields in (line.split() for line in proc_net_tcp.splitlines()[1:]):
        address, hex_port = fields[1].split(":")
        if fields[3] == "0A" and int(hex_port, 16) == port:  # st 0A: TCP_LISTEN
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def http_get(url: str, timeout: float = 3) -> tuple[int, bytes]:
    """GET from the host: (status, body), the connection closed before it returns."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def connect_from_host(port: int, host: str = "127.0.0.1", timeout: float = 3) -> socket.socket:
    """Open a TCP connection from the host; tests reach containers only through published ports."""
    return socket.create_connection((host, port), timeout=timeout)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on at this moment (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]



# --- sessions and projects ------------------------------------------------------------------

@contextlib.contextmanager
def session(session_id: str) -> Iterator[None]:
    """Hold a session's lock while its stacks live: the sweep leaves them alone meanwhile, and
    removes them once the lock is free (released by the kernel, even on kill -9)."""
    path = lock_path("session", session_id)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def hold_session(session_id: str):
    """The session's lock, held until the returned handle is closed or the process ends: for a
    session that cannot be a `with` block (pytest's configure and unconfigure)."""
    handle = open(lock_path("session", session_id), "a")  # noqa: SIM115 - closed by release_session
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def release_session(handle) -> None:
    Path(handle.name).unlink(missing_ok=True)
    handle.close()


def project_name(session_id: str, slug: str, suffix: str) -> str:
    return f"{PROJECT_PREFIX}{session_id}-{slug[:20]}-{suffix}"


def start_project(stack: contextlib.ExitStack, project: ComposeProject, *services: str, up: bool = True,
                  wait: bool = True, timeout: float = UP_TIMEOUT_S) -> ComposeProject:
    """`project`, brought up unless `up` is false, and torn down when `stack` closes, also when
    `up` itself fails. Its fixed host ports ("3000:3000") cannot be shared: each is held under a
    machine-wide lock for the stack's life, across xdist workers and concurrent sessions alike."""
    for port in project.example.fixed_host_ports(services):
        stack.enter_context(machine_lock("port", str(port), PORT_LOCK_TIMEOUT_S))
    stack.callback(project.down)  # registered before `up`: a failed up is torn down too
    if up:
        project.up(*services, wait=wait, timeout=timeout)
    return project
