"""The pytest side of the harness: fixtures and hooks over primer.stacks, which does the work.

Fixtures are nouns: `docker_client`, `compose_project` (and `module_compose_project`), each a
factory that brings an example up under the session's name and always tears it down. Hooks:
the session's lock and its sweeps (primer.stacks), SIGTERM turned into KeyboardInterrupt so
that finalizers run, the engine's versions in the header, the service logs of a failed test,
the example each test brought up (for the claims report), and a watchdog that ends the run
with one line when the engine stops answering.
"""
from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from primer.engine import ENGINE_LOST_EXIT, EngineWatchdog, engine_lost_message, engine_versions, kill_descendants
from primer.examples import Example, get_example
from primer.images import inspect_status
from primer.images import read_report as read_images_report
from primer.stacks import (
    PROJECT_LABEL,
    UP_TIMEOUT_S,
    ComposeProject,
    as_a_learner,
    hold_session,
    project_name,
    release_session,
    remove_labelled,
    start_project,
    sweep,
)

_SESSION_ENV = "PRIMER_TEST_SESSION"  # the controller's session id, inherited by its xdist workers
_SESSION_LOCK = pytest.StashKey[object]()
_WATCHDOG = pytest.StashKey[EngineWatchdog]()
_SWEPT = pytest.StashKey[dict]()
_PROJECTS = pytest.StashKey[list]()
_PLAIN_DOCKER = pytest.StashKey[list]()  # slugs of the examples a test ran with plain `docker` commands
EXAMPLE_PROPERTY = "example"  # user_properties: each example a test brought up (tests/claims_report.py)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
    config.stash[_SESSION_LOCK] = hold_session(session_id)  # held until the process ends, even on kill -9

    def _interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _interrupt)
    # A shell without job control starts background commands with SIGINT ignored, and Python
    # then keeps ignoring it: a run started so (`scripts/test &`, some CI runners) could not
    # be interrupted, and its finalizers would never run. Ctrl-C always interrupts.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_unconfigure(config: pytest.Config) -> None:
    if handle := config.stash.get(_SESSION_LOCK, None):
        release_session(handle)


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
        session.config.stash[_SWEPT] = {"start": sweep(client)}
        watchdog = EngineWatchdog(lambda seconds: _stop_the_run(session.config, seconds))
        watchdog.start()
        session.config.stash[_WATCHDOG] = watchdog


def _stop_the_run(config: pytest.Config, seconds: float) -> None:
    """The engine went away: one line that says so, then the run ends at once. Every test left
    would fail on its own, after its own timeouts; what this run made is swept by the next."""
    capture = config.pluginmanager.getplugin("capturemanager")
    with contextlib.suppress(Exception):  # the terminal back from pytest's capture, to be seen
        capture.suspend_global_capture(in_=True)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    os.write(2, f"\n{engine_lost_message(seconds)}\n".encode())
    kill_descendants()
    os._exit(ENGINE_LOST_EXIT)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _is_xdist_worker(session.config):
        return
    if watchdog := session.config.stash.get(_WATCHDOG, None):
        watchdog.stop()
    client = _client_or_none()
    if client:
        session.config.stash.setdefault(_SWEPT, {})["end"] = sweep(client, also_session=_session_id(session.config))


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    for when, removed in config.stash.get(_SWEPT, {}).items():
        if any(removed.values()):
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
    projects = [p for node in item.listchain() for p in node.stash.get(_PROJECTS, [])]
    built = [slug for node in item.listchain() for slug in node.stash.get(_PLAIN_DOCKER, [])]
    for slug in sorted({project.example.slug for project in projects} | set(built)):
        report.user_properties.append((EXAMPLE_PROPERTY, slug))
    if report.failed and call.when == "call":
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
        # The report says what provisioning found; the engine, asked now, may have it since.
        if status and status.kind == "unavailable" and inspect_status(image) is None:
            message = f"image unavailable offline: {image} ({status.how})"
            if in_ci():  # CI runs every example: an image it cannot get is an error there
                pytest.fail(f"CI=true: {message}", pytrace=False)
            # Outside CI: neither pullable nor buildable offline, said plainly next to the claim.
            pytest.skip(message)


@contextlib.contextmanager
def _project_factory(request: pytest.FixtureRequest, client) -> Iterator[Callable[..., ComposeProject]]:
    with contextlib.ExitStack() as stack:
        projects = request.node.stash.setdefault(_PROJECTS, [])

        def start(slug: str, *services: str, up: bool = True, wait: bool = True,
                  timeout: float = UP_TIMEOUT_S, copy_to: Path | None = None,
                  compose_file: Path | None = None) -> ComposeProject:
            example = get_example(slug)
            if copy_to is not None:  # a test that edits the example's files edits a copy
                example = example.copied_to(copy_to)
            _require_image(example)
            project = ComposeProject(example, project_name(_session_id(request.config), slug, uuid.uuid4().hex[:6]),
                                     client, compose_file=compose_file)
            projects.append(project)  # before up: a test whose up failed reports its logs too
            return start_project(stack, project, *services, up=up, wait=wait, timeout=timeout)

        yield start


@pytest.fixture
def docker_names(request: pytest.FixtureRequest, docker_client) -> Iterator[Callable[[str], tuple[str, dict]]]:
    """Factory for tests that run plain `docker` commands (build, run, network create...):
    `docker_names("first-container")` gives a name of this session's and the label to put on
    all they create. Everything carrying it is removed at the end of the test, and by the sweep
    if the run is killed first."""
    names: list[str] = []
    built = request.node.stash.setdefault(_PLAIN_DOCKER, [])

    def new(slug: str) -> tuple[str, dict]:
        get_example(slug)  # a misspelt slug fails here, naming the examples there are
        name = project_name(_session_id(request.config), slug, uuid.uuid4().hex[:6])
        names.append(name)
        built.append(slug)
        return name, {PROJECT_LABEL: name}

    yield new
    for name in names:
        remove_labelled(docker_client, name)


@pytest.fixture
def learner_folder(request: pytest.FixtureRequest, docker_client, tmp_path) -> Iterator[Callable[[str], Path]]:
    """Factory: `learner_folder("named-volume")` is a copy of the example in a folder of that
    name, for tests that run `docker compose` there as a learner does (primer.stacks.as_a_learner),
    so that the names Compose derives from the folder are the learner's."""
    with contextlib.ExitStack() as stack:
        plain = request.node.stash.setdefault(_PLAIN_DOCKER, [])

        def copy(slug: str) -> Path:
            example = get_example(slug)
            _require_image(example)
            plain.append(slug)
            return stack.enter_context(as_a_learner(example, tmp_path / uuid.uuid4().hex[:6], docker_client,
                                                    _session_id(request.config)))

        yield copy


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
