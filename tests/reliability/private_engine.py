"""A Docker engine of a test's own, to kill without harming the run around it.

A second `dockerd` with its own data root, exec root, socket and pid file, in a network
namespace of its own (`ip netns`): its bridges, addresses and firewall rules cannot meet
the main engine's, which the other tests are using at the same time. It is entered with
`nsenter --net` rather than `ip netns exec`, which remounts /sys and hides the cgroup
mounts dockerd needs.

Each engine's folder holds a lock its test holds; an engine whose test was killed (its lock
free) is stopped and removed by the next one that starts.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docker
import pytest

from primer.engine import engine_answers

ENGINES_DIR = Path("/var/lib/primer-private-engines")  # beside /var/lib/docker: the same file system
RUN_DIR = Path("/run")  # exec roots: containerd's socket paths must stay short
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30


class PrivateEngineUnavailable(RuntimeError):
    """This machine cannot run a second engine (not root, or no dockerd, ip or nsenter)."""


@dataclass
class PrivateEngine:
    name: str
    folder: Path
    exec_root: Path
    netns: str
    process: subprocess.Popen | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.folder / "dockerd.log"

    @property
    def socket(self) -> Path:
        return self.folder / "docker.sock"

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    def answers(self) -> bool:
        return engine_answers(host=self.host)

    def start(self) -> None:
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                ["nsenter", f"--net=/var/run/netns/{self.netns}", "dockerd",
                 "--data-root", str(self.folder / "data"), "--exec-root", str(self.exec_root),
                 "--pidfile", str(self.folder / "docker.pid"), "--host", self.host],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private dockerd {self.name} did not answer within {START_TIMEOUT_S} s:\n"
                                   + self.log.read_text()[-3000:])
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the daemon, as a crash would; its containers' shims live on."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)  # reaped here, so its pid file names no live process

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.host, timeout=60)

    def load_image(self, image: str) -> None:
        """Copy an image from the main engine (the private one reaches no registry either)."""
        saved = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
        loaded = subprocess.run(["docker", "--host", self.host, "load", "--quiet"], stdin=saved.stdout,
                                capture_output=True, text=True, timeout=300)
        saved.stdout.close()
        if saved.wait(timeout=60) != 0 or loaded.returncode != 0:
            raise RuntimeError(f"could not copy {image} into private engine {self.name}: {loaded.stderr}")


def _check_machine() -> None:
    if os.geteuid() != 0:
        raise PrivateEngineUnavailable("a second Docker engine needs root")
    missing = [tool for tool in ("dockerd", "ip", "nsenter") if not shutil.which(tool)]
    if missing:
        raise PrivateEngineUnavailable(f"a second Docker engine needs {', '.join(missing)}")


def _remove(name: str, folder: Path, exec_root: Path, netns: str, process: subprocess.Popen | None) -> None:
    """Stop what runs there (containers, shims, dockerd), unmount, delete; nothing else is touched."""
    pid_file = folder / "docker.pid"
    with contextlib.suppress(OSError, ValueError):
        pid = int(pid_file.read_text())
        if Path(f"/proc/{pid}/comm").read_text().strip() == "dockerd" and (process is None or process.pid != pid):
            os.kill(pid, signal.SIGTERM)
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
    # Shims outlive a killed daemon; theirs name its exec root's containerd socket.
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if str(exec_root) in cmdline.read_bytes().decode(errors="replace"):
                os.kill(int(cmdline.parent.name), signal.SIGKILL)
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    for mount in sorted((m for m in mounts if m.startswith((str(folder), str(exec_root)))), reverse=True):
        subprocess.run(["umount", "-l", mount], capture_output=True)
    subprocess.run(["ip", "netns", "delete", netns], capture_output=True)
    shutil.rmtree(exec_root, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)


def _sweep_abandoned() -> None:
    """Engines whose test is gone (killed before its cleanup): their lock is free."""
    for folder in ENGINES_DIR.glob("*"):
        lock = folder / "owner.lock"
        if not lock.is_file():
            continue
        with open(lock, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its test still runs
            _remove(folder.name, folder, RUN_DIR / f"primer-e-{folder.name}", f"primer-e-{folder.name}", None)


@contextlib.contextmanager
def private_engine() -> Iterator[PrivateEngine]:
    """A running private engine, stopped and removed afterwards, also when the test fails."""
    _check_machine()
    ENGINES_DIR.mkdir(parents=True, exist_ok=True)
    _sweep_abandoned()
    name = uuid.uuid4().hex[:8]
    folder = ENGINES_DIR / name
    folder.mkdir()
    engine = PrivateEngine(name, folder, RUN_DIR / f"primer-e-{name}", f"primer-e-{name}")
    with open(folder / "owner.lock", "a") as owner:
        fcntl.flock(owner, fcntl.LOCK_EX)
        try:
            subprocess.run(["ip", "netns", "add", engine.netns], check=True, capture_output=True)
            subprocess.run(["nsenter", f"--net=/var/run/netns/{engine.netns}", "ip", "link", "set", "lo", "up"],
                           check=True, capture_output=True)
            engine.start()
            yield engine
        finally:
            with contextlib.suppress(Exception):  # containers first, so that the daemon stops cleanly
                if engine.answers():
                    client = engine.client()
                    for container in client.containers.list(all=True):
                        container.remove(force=True, v=True)
                    client.close()
            _remove(name, folder, engine.exec_root, engine.netns, engine.process)


@contextlib.contextmanager
def private_engine_for_a_test(*images: str) -> Iterator[PrivateEngine]:
    """For a fixture: a private engine holding these images, copied from the main one. Where this
    machine cannot run one, the test fails in CI and elsewhere is skipped, saying why."""
    from tests.harness import in_ci

    try:
        with private_engine() as engine:
            for image in images:
                engine.load_image(image)
            yield engine
    except PrivateEngineUnavailable as error:
        if in_ci():
            pytest.fail(f"CI=true: {error}", pytrace=False)
        pytest.skip(str(error))
