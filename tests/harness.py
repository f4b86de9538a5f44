"""The test harness: bring an example up with real Compose, inspect it, always tear it down.

Public fixtures are nouns (`docker_client`, `compose_project`); helpers are verbs
(`wait_until`); internals start with `_`.

Lifecycle guarantees:
- every stack runs under a unique project name `primer-t-<session>-<slug>-<random>`, so two
  test sessions (or xdist workers) on one engine never meet;
- `down --volumes --remove-orphans` runs in a `finally`, also when `up` itself failed;
- the session holds a lock file while it runs; the sweep at start and end removes every
  project whose session no longer holds its lock (a run killed with -9 included), and only
  resources whose Compose project label carries our prefix;
- SIGTERM becomes KeyboardInterrupt, so finalizers run when CI or a user stops the run.
"""
from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import docker
import docker.errors
import pytest

from primer.captures import record_output
from primer.compose import ComposeError, run_compose
from primer.engine import ENGINE_LOST_EXIT, EngineWatchdog, engine_lost_message, engine_versions
from primer.examples import Example, get_example
from primer.images import read_report as read_images_report

PROJECT_PREFIX = "primer-t-"
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
_PROJECT_RE = re.compile(rf"^{PROJECT_PREFIX}([0-9a-f]{{8}})-")
_LOCK_DIR = Path(tempfile.gettempdir()) / "primer-test-locks"
_SESSION_ENV = "PRIMER_TEST_SESSION"
UP_TIMEOUT_S = 90
DOWN_TIMEOUT_S = 60
PORT_LOCK_TIMEOUT_S = 600
READY_POLL_S = 0.05


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def wait_until(check: Callable[[], object], *, timeout: float = 20, interval: float = 0.1,
               message: str = "condition") -> object:
    """Poll `check` until it returns something truthy; fail with its last error after `timeout`."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
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


def _detached(error: BaseException) -> BaseException:
    """The error without its tracebacks. Kept with them, it keeps the failed attempt's frames
    alive in a reference cycle: a half-read HTTP response there (a server not listening yet)
    holds its socket open until some later garbage collection, which then warns in whatever
    test happens to run."""
    seen, link = set(), error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return error


# --- sessions, locks and the sweep ------------------------------------------------------

def _lock_path(kind: str, name: str) -> Path:
    _LOCK_DIR.mkdir(parents=True, exist_ok=True)
    return _LOCK_DIR / f"{kind}-{name}.lock"


def _session_alive(session_id: str) -> bool:
    path = _lock_path("session", session_id)
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


def _our_project(name: str | None) -> str | None:
    """The session id in one of our project names, or None for anything not ours."""
    match = _PROJECT_RE.match(name or "")
    return match.group(1) if match else None


def sweep(client: docker.DockerClient, *, also_session: str | None = None) -> dict[str, int]:
    """Remove containers, networks and volumes of our projects whose session is gone.

    Only resources labelled with a Compose project named `primer-t-<session>-...` are
    considered, so nothing a user made is touched.
    """
    alive: dict[str, bool] = {}

    def doomed(labels: dict | None) -> bool:
        session = _our_project((labels or {}).get(PROJECT_LABEL))
        if session is None:
            return False
        if session == also_session:
            return True
        if session not in alive:
            alive[session] = _session_alive(session)
        return not alive[session]

    removed = {"containers": 0, "networks": 0, "volumes": 0, "images": 0}
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


_held_here: set[tuple[str, str]] = set()


@contextlib.contextmanager
def _file_lock(kind: str, name: str, timeout: float) -> Iterator[None]:
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
    with open(_lock_path(kind, name), "a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"host port {name} stayed in use by another test for {timeout}s")
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

    def __init__(self, example: Example, name: str, client: docker.DockerClient):
        self.example = example
        self.name = name
        self.client = client
        self._by_service: dict[str, object] = {}  # filled by one list call; any compose call resets it
        self._orphaned_volumes: set[str] = set()

    def compose(self, *args: str, check: bool = True, timeout: float = UP_TIMEOUT_S,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        if args and args[0] in ("down", "rm") and not {"-v", "--volumes"} & set(args):
            self._orphaned_volumes |= self._anonymous_volumes()
        self._by_service.clear()
        return run_compose(["--project-name", self.name, "-f", str(self.example.compose_file), *args],
                           cwd=self.example.path, check=check, timeout=timeout, env=env)

    def up(self, *services: str, build: bool = False, env: dict[str, str] | None = None,
           wait: bool = True, timeout: float = UP_TIMEOUT_S) -> None:
        """`docker compose up --detach [--build] [services]`, then (with `wait`) what `--wait`
        promises: every container started is running, and healthy where it has a healthcheck."""
        try:
            self.compose("up", "--detach", "--quiet-pull", *(["--build"] if build else []), *services,
                         timeout=timeout + 30 + (90 if build else 0), env=env)
            if wait:
                self._wait_ready(services, timeout)
        except (ComposeError, subprocess.TimeoutExpired) as error:
            raise ComposeError(f"{error}\n\n--- service logs ---\n{self.logs()}") from None

    def _wait_ready(self, services: tuple[str, ...], timeout: float) -> None:
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

    def _anonymous_volumes(self) -> set[str]:
        """Volumes the engine made for an image's VOLUME with nothing mounted there: they carry no
        label, so a `down` without -v (a test of what survives it) would leave them behind for good."""
        return {mount["Name"] for container in self.containers() for mount in container.attrs.get("Mounts", [])
                if mount.get("Type") == "volume" and re.fullmatch(r"[0-9a-f]{64}", mount.get("Name", ""))}

    def down(self) -> None:
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "10",
                     timeout=DOWN_TIMEOUT_S)
        for name in self._orphaned_volumes:
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                self.client.volumes.get(name).remove()

    def logs(self) -> str:
        proc = self.compose("logs", "--no-color", "--timestamps", check=False, timeout=30)
        return (proc.stdout + proc.stderr).strip() or "(no logs)"

    def containers(self) -> list:
        return self.client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={self.name}"})

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


def http_get(url: str, timeout: float = 3) -> tuple[int, bytes]:
    """GET from the host: (status, body), the connection closed before it returns."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def connect_from_host(port: int, host: str = "127.0.0.1", timeout: float = 3) -> socket.socket:
    """Open a TCP connection from the host; tests reach containers only through published ports."""
    return socket.create_connection((host, port), timeout=timeout)


# --- pytest plumbing --------------------------------------------------------------------

def _session_id(config: pytest.Config) -> str:
    return os.environ[_SESSION_ENV]


def _is_xdist_worker(config: pytest.Config) -> bool:
    # Not the PYTEST_XDIST_WORKER variable: a pytest started from inside a test inherits it.
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if _is_xdist_worker(config):
        return  # workers inherit the controller's session id through the environment
    session_id = uuid.uuid4().hex[:8]
    os.environ[_SESSION_ENV] = session_id
    handle = open(_lock_path("session", session_id), "a")
    fcntl.flock(handle, fcntl.LOCK_EX)
    config._primer_session_lock = handle  # held until the process ends, even on kill -9

    def _interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _interrupt)
    # A shell without job control starts background commands with SIGINT ignored, and Python
    # then keeps ignoring it: a run started so (`scripts/test &`, some CI runners) could not
    # be interrupted, and its finalizers would never run. Ctrl-C always interrupts.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_unconfigure(config: pytest.Config) -> None:
    handle = getattr(config, "_primer_session_lock", None)
    if handle:
        Path(handle.name).unlink(missing_ok=True)
        handle.close()


def _client_or_none() -> docker.DockerClient | None:
    # docker-py leaves the socket of a failed unix connection open (docker/docker-py PR #3356,
    # unmerged): collect it here, its ResourceWarning ignored, or filterwarnings=error turns
    # "no engine" into an error in whichever test runs next instead of a clean skip.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            client = docker.from_env(timeout=30)
            client.ping()
            return client
        except docker.errors.DockerException:
            pass
        gc.collect()
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    if _is_xdist_worker(session.config):
        return
    client = _client_or_none()
    if client:
        removed = sweep(client)
        if any(removed.values()):
            session.config._primer_swept_at_start = removed
        watchdog = EngineWatchdog(lambda seconds: _stop_the_run(session.config, seconds))
        watchdog.start()
        session.config.stash[_WATCHDOG] = watchdog


_WATCHDOG = pytest.StashKey[EngineWatchdog]()


def _stop_the_run(config: pytest.Config, seconds: float) -> None:
    """The engine went away: one line that says so, then the run ends at once. Every test left
    would fail on its own, after its own timeouts; what this run made is swept by the next."""
    capture = config.pluginmanager.getplugin("capturemanager")
    with contextlib.suppress(Exception):  # the terminal back from pytest's capture, to be seen
        capture.suspend_global_capture(in_=True)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    os.write(2, f"\n{engine_lost_message(seconds)}\n".encode())
    _kill_descendants()
    os._exit(ENGINE_LOST_EXIT)


def _kill_descendants() -> None:
    """SIGKILL every process this one started, and theirs: xdist workers, Compose, sub-sessions.
    Each is stopped first, so that none can start another between the look and the kill."""
    stopped: set[int] = set()
    while True:
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        found, todo = [], [os.getpid()]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        new = [pid for pid in found if pid not in stopped]
        if not new:
            break
        for pid in new:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
            stopped.add(pid)
    for pid in stopped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _is_xdist_worker(session.config):
        return
    if watchdog := session.config.stash.get(_WATCHDOG, None):
        watchdog.stop()
    client = _client_or_none()
    if client:
        session.config._primer_swept_at_end = sweep(client, also_session=_session_id(session.config))


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    for when in ("start", "end"):
        removed = getattr(config, f"_primer_swept_at_{when}", None)
        if removed and any(removed.values()):
            terminalreporter.write_line(f"harness sweep at session {when} removed leftovers: {removed}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    client = _client_or_none()
    if client:
        versions = engine_versions(client)
        lines.append(versions.summary())
        if versions.warning():
            lines.append(versions.warning())
    else:
        lines.append("docker engine: none answers")
    images = read_images_report()
    if images:
        by_kind: dict[str, list[str]] = {}
        for status in images.values():
            by_kind.setdefault(status.kind, []).append(status.image)
        for kind, names in sorted(by_kind.items()):
            lines.append(f"images, {kind}: {', '.join(sorted(names))}")
    return lines


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    report = yield
    if report.failed and call.when == "call":
        projects = [p for node in item.listchain() for p in getattr(node, "_primer_projects", [])]
        for project in projects:
            report.sections.append((f"logs of {project.name} ({project.example.slug})", project.logs()))
    return report


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    client = _client_or_none()
    if client is None:
        message = ("no Docker engine answers. Start Docker (Linux: `sudo systemctl start docker`; "
                   "macOS/Windows: start Docker Desktop), or run `scripts/test` as root on Debian/Ubuntu "
                   "to have one installed and started.")
        if in_ci():
            pytest.fail(f"CI=true: {message}", pytrace=False)
        # Outside CI only: a learner without Docker can still run the docs-only tests.
        pytest.skip(message)
    return client


def _require_image(example: Example) -> None:
    statuses = read_images_report()
    for image in sorted(example.images()):
        status = statuses.get(image)
        if status and status.kind == "unavailable":
            message = f"image unavailable offline: {image} ({status.how})"
            if in_ci():  # CI runs every example: an image it cannot get is an error there
                pytest.fail(f"CI=true: {message}", pytrace=False)
            # Outside CI: neither pullable nor buildable offline, said plainly next to the claim.
            pytest.skip(message)


@contextlib.contextmanager
def _project_factory(request: pytest.FixtureRequest, client) -> Iterator[Callable[..., ComposeProject]]:
    with contextlib.ExitStack() as stack:
        request.node._primer_projects = []

        def start(slug: str, *services: str, up: bool = True, wait: bool = True,
                  timeout: float = UP_TIMEOUT_S) -> ComposeProject:
            example = get_example(slug)
            _require_image(example)
            name = f"{PROJECT_PREFIX}{_session_id(request.config)}-{slug[:20]}-{uuid.uuid4().hex[:6]}"
            project = ComposeProject(example, name, client)
            # Fixed host ports ("3000:3000") cannot be shared: hold a machine-wide lock per port
            # for the life of the stack, across xdist workers and concurrent sessions alike.
            for port in example.fixed_host_ports(services):
                stack.enter_context(_file_lock("port", str(port), PORT_LOCK_TIMEOUT_S))
            stack.callback(project.down)  # registered before `up`: a failed up is torn down too
            request.node._primer_projects.append(project)
            if up:
                project.up(*services, wait=wait, timeout=timeout)
            return project

        yield start


@pytest.fixture
def compose_project(request: pytest.FixtureRequest, docker_client) -> Iterator[Callable[..., ComposeProject]]:
    """Factory: `compose_project("publish-vs-expose")` brings the example up and returns it.

    Pass `up=False` to get the project without starting it (for tests that drive `up`/`down`
    themselves); it is torn down at the end of the test either way.
    """
    with _project_factory(request, docker_client) as start:
        yield start


@pytest.fixture(scope="module")
def module_compose_project(request: pytest.FixtureRequest, docker_client) -> Iterator[Callable[..., ComposeProject]]:
    """Like `compose_project`, but the stack lives for the whole test module: for tests that
    only look at a running stack and change nothing in it."""
    with _project_factory(request, docker_client) as start:
        yield start
