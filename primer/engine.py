"""The Docker engine the checks run on: its versions, and whether it still answers.

Every claim on the site is stamped with these versions (reports/claims.json), and the pytest
header prints them, so a reader knows which engine proved a sentence.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

# The engine scripts/test installs where it has to provide one: what learners install today.
ENGINE_MIN_MAJOR = 28
# An engine someone else runs, older than this, gets a warning in the pytest header.
ENGINE_WARN_BELOW = 25
# The exit code of a test run stopped because the engine stopped answering (EX_UNAVAILABLE).
ENGINE_LOST_EXIT = 69


@dataclass(frozen=True)
class EngineVersions:
    engine: str = ""
    api: str = ""
    containerd: str = ""
    runc: str = ""
    buildx: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def major(self) -> int:
        head = self.engine.split(".", 1)[0]
        return int(head) if head.isdigit() else 0

    def summary(self) -> str:
        parts = [f"docker engine {self.engine or '?'} (API {self.api or '?'})"]
        parts += [f"{name} {value}" for name, value in
                  (("containerd", self.containerd), ("runc", self.runc), ("buildx", self.buildx)) if value]
        return ", ".join(parts)

    def warning(self) -> str:
        """A plain warning for an engine older than ENGINE_WARN_BELOW; "" otherwise."""
        if self.engine and self.major < ENGINE_WARN_BELOW:
            return (f"warning: Docker Engine {self.engine} is older than {ENGINE_WARN_BELOW}: the pages "
                    f"show what current engines ({ENGINE_MIN_MAJOR} and newer) do, and some checks may fail on it")
        return ""


def buildx_version() -> str:
    """The BuildKit client's version (`docker buildx version`), or "" without one."""
    try:
        proc = subprocess.run(["docker", "buildx", "version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    fields = proc.stdout.split()
    return fields[1] if proc.returncode == 0 and len(fields) > 1 else ""


def versions_from(version: dict, buildx: str = "") -> EngineVersions:
    """EngineVersions from the engine's `GET /version` answer."""
    components = {c.get("Name"): c.get("Version", "") for c in version.get("Components") or []}
    return EngineVersions(engine=version.get("Version", ""), api=version.get("ApiVersion", ""),
                          containerd=components.get("containerd", ""), runc=components.get("runc", ""),
                          buildx=buildx)


def engine_versions(client) -> EngineVersions:
    """The versions of the engine `client` (a docker.DockerClient) talks to, and of buildx."""
    return versions_from(client.version(), buildx_version())


def _socket_path(host: str) -> str | None:
    parsed = urlparse(host)
    return parsed.path if parsed.scheme == "unix" else None


def engine_answers(timeout: float = 2.0, host: str | None = None) -> bool:
    """True while the engine at `host` (default: DOCKER_HOST's) answers `GET /_ping`: a cheap
    question, asked without the SDK so that a watchdog can ask it every second without leaking
    sockets or warnings."""
    given = host
    host = host or docker_host()
    path = _socket_path(host)
    if path is None:  # tcp:// or ssh:// engines: asked through the SDK (from_env keeps DOCKER_TLS_*)
        try:
            import docker

            client = (docker.DockerClient(base_url=given, timeout=timeout) if given
                      else docker.from_env(timeout=timeout))
            try:
                return bool(client.ping())
            finally:
                client.close()
        except Exception:  # any failure to get an answer means: it does not answer
            return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(path)
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            answer = sock.recv(64)
    except OSError:
        return False
    return answer.startswith(b"HTTP/1.") and b" 200 " in answer[:16]


def docker_host() -> str:
    return os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")


class EngineWatchdog(threading.Thread):
    """Asks the engine every `interval` seconds whether it still answers; once it has given no
    answer for `grace` seconds running, calls `on_lost(seconds)` once and stops asking.

    Without it, a run whose engine went away goes on test by test, each failing with its own
    page of "Cannot connect to the Docker daemon" after its own timeouts."""

    def __init__(self, on_lost: Callable[[float], None], *, interval: float = 1.0, grace: float = 10.0,
                 answers: Callable[[], bool] = engine_answers):
        super().__init__(name="engine-watchdog", daemon=True)
        self.on_lost, self.interval, self.grace, self.answers = on_lost, interval, grace, answers
        self._stopped = threading.Event()

    def run(self) -> None:
        silent_since: float | None = None
        while not self._stopped.wait(self.interval):
            if self.answers():
                silent_since = None
                continue
            now = time.monotonic()
            silent_since = now if silent_since is None else silent_since
            if now - silent_since >= self.grace:
                self.on_lost(now - silent_since)
                return

    def stop(self) -> None:
        self._stopped.set()


def engine_lost_message(seconds: float) -> str:
    return (f"error: the Docker engine stopped answering during the run ({docker_host()}, no answer for "
            f"{seconds:.0f} s): the tests stop here. Start it again (scripts/test does, as root) and "
            "run them again; the next run removes what this one left.")


def kill_descendants() -> None:
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
