"""A Docker engine that answers, before any check runs (the test command's first step).

An engine that already answers is used as it is: its versions go in the pytest header, with a
warning below Engine 25. Where none answers and this runs as root on Debian/Ubuntu, a current
engine is provided: Debian 12's own docker.io is Engine 20.10 (end of life), whose messages
and defaults differ from what learners install today, so Engine >= 28 with BuildKit
(docker-buildx) comes from Debian's newer suites, fetched through a private apt sources list
and lists folder; the system's own apt sources are never changed, and runc, iptables and libc
come from the system's own release. An installed engine older than 28 that is not running is
upgraded the same way. Then dockerd is started fully detached, and waited for.

    python -m primer.provision        (primer.checks runs it first)
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .engine import ENGINE_MIN_MAJOR, engine_answers, engine_versions

WAIT_SECONDS = float(os.environ.get("ENGINE_WAIT_SECONDS", "60"))
DOCKERD_LOG = Path(os.environ.get("DOCKERD_LOG", "/var/log/primer-dockerd.log"))
# Tried in order; the first whose docker.io is at or above ENGINE_MIN_MAJOR is taken. Testing
# changes less often than the development release; any version at or above the minimum is
# taken, so a build Debian stops serving does not break the command.
SUITES = os.environ.get("ENGINE_SUITES", "forky unstable").split()
APT_DIR = Path(os.environ.get("ENGINE_APT_DIR", "/var/cache/docker-primer/apt"))
ENGINE_PACKAGES = ["docker.io", "docker-cli", "containerd", "docker-buildx", "tini-static"]
# What else the checks need from Debian (the stand-ins' base, the browser, dockerd's firewall).
OTHER_PACKAGES = {"debootstrap": "debootstrap", "chromium": "chromium", "iptables": "iptables"}
ARCHIVE_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
PID_FILE = Path("/var/run/docker.pid")

HOW_TO_GET_DOCKER = """\
no Docker engine answers.
  Linux:   install Docker Engine 28 or newer (https://docs.docker.com/engine/install/) and
           start it (sudo systemctl start docker), or run scripts/test as root on
           Debian/Ubuntu to have a current engine installed and started for you.
  macOS / Windows: install and start Docker Desktop, then run scripts/test again."""


class ProvisionError(RuntimeError):
    """No engine could be had; the message says why and what to do."""


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def major_of(version: str) -> int:
    """28 for "28.5.2+dfsg4-5" (an epoch such as "5:" is skipped); 0 for none."""
    head = version.split(":", 1)[-1].split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def can_provision() -> bool:
    return os.geteuid() == 0 and Path("/etc/debian_version").is_file() and shutil.which("apt-get") is not None


def _run(command: Sequence[str], what: str, log: Path | None = None, **options) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    proc = subprocess.run(list(command), capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, **options)
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
        raise ProvisionError(f"{what} failed (exit {proc.returncode}){f'; log: {log}' if log else ''}:\n{tail}")


def install_missing_packages() -> None:
    missing = [package for package, program in OTHER_PACKAGES.items()
               if not shutil.which(program) and not Path("/usr/sbin", program).exists()]
    if missing:
        say(f"installing Debian packages: {' '.join(missing)}")
        _run(["apt-get", "update", "-qq"], "apt-get update")
        _run(["apt-get", "install", "-y", "-qq", *missing], f"apt-get install {' '.join(missing)}")


def installed_dockerd_version() -> str:
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    if not os.access(dockerd, os.X_OK):
        return ""
    out = subprocess.run([dockerd, "--version"], capture_output=True, text=True).stdout
    # "Docker version 28.5.2+dfsg4, build ..."
    return out.removeprefix("Docker version ").split(",", 1)[0].strip() if out.startswith("Docker version ") else ""


def buildx_available() -> bool:
    return shutil.which("docker") is not None and \
        subprocess.run(["docker", "buildx", "version"], capture_output=True).returncode == 0


def _suite_apt(suite: str) -> list[str]:
    """apt options that make apt-get and apt-cache see one suite only, in folders of its own."""
    folder = APT_DIR / suite
    return ["-o", f"Dir::Etc::sourcelist={folder / 'sources.list'}", "-o", "Dir::Etc::sourceparts=/dev/null",
            "-o", f"Dir::State::Lists={folder / 'lists'}", "-o", f"Dir::Cache::Archives={folder / 'archives'}"]


def suite_engine_version(suite: str) -> str:
    """The docker.io version Debian's `suite` serves ("" when it serves none or cannot be reached)."""
    folder = APT_DIR / suite
    for sub in ("lists/partial", "archives/partial"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "sources.list").write_text(
        f"deb [signed-by={ARCHIVE_KEYRING}] http://deb.debian.org/debian {suite} main\n")
    if subprocess.run(["apt-get", *_suite_apt(suite), "update", "-qq"], capture_output=True).returncode != 0:
        return ""
    policy = subprocess.run(["apt-cache", *_suite_apt(suite), "policy", "docker.io"], capture_output=True, text=True).stdout
    for line in policy.splitlines():
        if line.strip().startswith("Candidate:"):
            candidate = line.split(":", 1)[1].strip()
            return "" if candidate == "(none)" else candidate
    return ""


def choose_suite(versions: dict[str, str]) -> str | None:
    """The first suite (in the order given) whose engine is at or above the minimum."""
    return next((suite for suite, version in versions.items() if major_of(version) >= ENGINE_MIN_MAJOR), None)


def install_current_engine() -> None:
    if not ARCHIVE_KEYRING.is_file():
        raise ProvisionError(f"no {ARCHIVE_KEYRING} to check Debian's packages with (apt-get install debian-archive-keyring)")
    found: dict[str, str] = {}
    for name in SUITES:
        found[name] = suite_engine_version(name)
        if choose_suite({name: found[name]}):
            break
        say(f"Debian's {name} has no Docker Engine >= {ENGINE_MIN_MAJOR} (found: {found[name] or 'none'})")
    suite = choose_suite(found)
    if suite is None:
        raise ProvisionError(f"no Debian suite among {' '.join(SUITES)} serves Docker Engine >= {ENGINE_MIN_MAJOR}; "
                             "install Docker Engine by hand (https://docs.docker.com/engine/install/)")
    say(f"installing Docker Engine {found[suite]} with BuildKit (docker-buildx) from Debian's {suite} packages")
    debs = APT_DIR / suite / "debs"
    shutil.rmtree(debs, ignore_errors=True)
    debs.mkdir(parents=True)
    _run(["apt-get", *_suite_apt(suite), "download", "-qq", "-o", "APT::Sandbox::User=root", *ENGINE_PACKAGES],
         f"apt-get download {' '.join(ENGINE_PACKAGES)} from Debian's {suite}", cwd=debs)
    _run(["apt-get", "update", "-qq"], "apt-get update")
    # No service is started by the packages' scripts: start_dockerd starts it, detached.
    policy = Path("/usr/sbin/policy-rc.d")
    added_policy = not policy.exists()
    if added_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        _run(["apt-get", "install", "-y", "-qq", "-o", "Dpkg::Options::=--force-confold",
              *map(str, sorted(debs.glob("*.deb")))], "apt-get install of the engine's packages", log=APT_DIR / "install.log")
    finally:
        if added_policy:
            policy.unlink(missing_ok=True)
    shutil.rmtree(debs, ignore_errors=True)


def remove_stale_pid_file() -> None:
    """A daemon killed with its session leaves its pid file, and a new dockerd refuses to start
    while it names a live process; removed only when that pid is not a running dockerd."""
    try:
        pid = PID_FILE.read_text().strip()
    except OSError:
        return
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() == "dockerd":
            return
    except OSError:
        pass
    say(f"removing stale {PID_FILE} (pid {pid or '?'} is not a running dockerd)")
    PID_FILE.unlink(missing_ok=True)


def _start_detached() -> subprocess.Popen:
    # A session of its own, no stdin, output to a log: a daemon holding our stdout would keep
    # CI's pipe open forever.
    DOCKERD_LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(DOCKERD_LOG, "a") as log:
        return subprocess.Popen(["dockerd"], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def start_dockerd() -> None:
    remove_stale_pid_file()
    say(f"starting dockerd in the background (log: {DOCKERD_LOG})")
    daemon = _start_detached()
    started = time.monotonic()
    retried = False
    while not engine_answers(timeout=5):
        waited = time.monotonic() - started
        if waited > WAIT_SECONDS:
            tail = "\n".join(DOCKERD_LOG.read_text(errors="replace").splitlines()[-20:])
            raise ProvisionError(f"dockerd did not answer within {WAIT_SECONDS:g} s (log: {DOCKERD_LOG}):\n{tail}")
        # The first start may have lost a race with a dying daemon's pid file: once more.
        if not retried and waited > 10 and daemon.poll() is not None:
            retried = True
            remove_stale_pid_file()
            daemon = _start_detached()
        time.sleep(0.5)


def describe_engine() -> None:
    """Its versions; a warning for an old one; a stop where builds could not use BuildKit."""
    import docker

    client = docker.from_env(timeout=30)
    try:
        versions = engine_versions(client)
    finally:
        client.close()
    say(versions.summary())
    if versions.warning():
        print(versions.warning(), file=sys.stderr)
    if not versions.buildx:
        raise ProvisionError("docker buildx is missing: image builds need BuildKit (Debian/Ubuntu: apt-get install "
                             "docker-buildx; Docker's own packages: docker-buildx-plugin)")


def ensure_engine() -> None:
    if can_provision():
        install_missing_packages()
    if not engine_answers(timeout=10):
        if not can_provision():
            raise ProvisionError(HOW_TO_GET_DOCKER)
        installed = installed_dockerd_version()
        if major_of(installed) < ENGINE_MIN_MAJOR or not buildx_available():
            if installed:
                say(f"the installed engine ({installed}) is older than {ENGINE_MIN_MAJOR} or lacks BuildKit: upgrading it")
            install_current_engine()
        start_dockerd()
    describe_engine()


def main() -> int:
    try:
        ensure_engine()
    except ProvisionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
