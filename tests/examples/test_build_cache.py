"""examples/build-cache, taught on docs/build-an-image.md: the layer cache, .dockerignore,
`docker image history`, ARG and ENV. Each test builds a copy of the example (it edits files)
with `docker build`, as the page tells the learner to, and reads BuildKit's own report."""
from __future__ import annotations

import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from primer.builds import docker_build
from primer.captures import record_output
from primer.examples import get_example
from primer.stacks import http_get, machine_lock, tcp_listen_addresses, wait_until
from tests.docker_cli import docker, label_args, run_output
from tests.health import assert_about_every_second, assert_about_ten_seconds, pause_after, pauses_while_starting, this_start

pytestmark = pytest.mark.docker

SLUG = "build-cache"
PIP_STEP = "RUN pip install --no-cache-dir -r requirements.txt"


@pytest.fixture
def folder(tmp_path) -> Path:
    return get_example(SLUG).copied_to(tmp_path).path


def edit_code(folder: Path) -> None:
    """A change to the code only, one no earlier build has seen."""
    with open(folder / "app.py", "a") as app:
        app.write(f"# edited {uuid.uuid4().hex}\n")


@pytest.mark.claim("build-cache-reuses-dependencies-after-code-change")
@pytest.mark.claim("build-cache-reuses-until-the-first-change")
def test_a_code_change_reuses_the_installed_dependencies(folder, docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    edit_code(folder)
    rebuild = docker_build(folder, tag, labels=labels)
    assert rebuild.cached("WORKDIR /app") and rebuild.cached("RUN useradd"), rebuild.output
    assert rebuild.cached("COPY requirements.txt") and rebuild.cached(PIP_STEP), rebuild.output
    assert not rebuild.cached("COPY . ."), rebuild.output


@pytest.mark.claim("build-cache-reinstalls-after-requirements-change")
@pytest.mark.claim("build-cache-reuses-until-the-first-change")
def test_a_change_to_requirements_installs_again(folder, docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    with open(folder / "requirements.txt", "a") as requirements:
        requirements.write(f"# {uuid.uuid4().hex}\n")  # the file changed, the packages did not
    rebuild = docker_build(folder, tag, labels=labels)
    assert rebuild.cached("WORKDIR /app") and rebuild.cached("RUN useradd"), rebuild.output  # before the change
    assert not rebuild.cached("COPY requirements.txt") and not rebuild.cached(PIP_STEP), rebuild.output
    assert not rebuild.cached("COPY . ."), rebuild.output  # after the first changed step: run again, unchanged or not
    assert "Successfully installed" in rebuild.output and "flask-3.1.2" in rebuild.output, rebuild.output


@pytest.mark.claim("build-cache-code-first-reinstalls-on-every-change")
def test_with_the_code_copied_first_a_code_change_installs_again(folder, docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, dockerfile="Dockerfile.code-first", labels=labels)
    edit_code(folder)
    rebuild = docker_build(folder, tag, dockerfile="Dockerfile.code-first", labels=labels)
    assert not rebuild.cached("COPY . .") and not rebuild.cached(PIP_STEP), rebuild.output
    assert "Successfully installed" in rebuild.output, rebuild.output


@pytest.mark.claim("dockerignore-keeps-files-out-of-context-and-image")
@pytest.mark.claim("dockerignore-makes-builds-small-and-keeps-secrets-out")
def test_an_ignored_folder_is_neither_sent_nor_in_the_image(folder, docker_names):
    venv = folder / ".venv"  # a learner's local virtualenv: big, and useless in the image
    venv.mkdir()
    (venv / "big.bin").write_bytes(b"\0" * 20_000_000)
    (folder / ".env").write_text("SECRET_KEY=not-for-the-image\n")
    tag, labels = docker_names(SLUG)
    build = docker_build(folder, tag, labels=labels)
    assert build.context_bytes is not None and build.context_bytes < 100_000, build.output
    in_the_image = run_output(tag, "ls", "-A", "/app").split()
    assert ".venv" not in in_the_image and ".env" not in in_the_image and "app.py" in in_the_image, in_the_image
    # The same build without .dockerignore: the folder is sent, and copied into the image.
    (folder / ".dockerignore").unlink()
    unignored = docker_build(folder, tag, labels=labels)
    assert unignored.context_bytes is not None and unignored.context_bytes > 15_000_000, unignored.output
    assert {".venv", ".env"} <= set(run_output(tag, "ls", "-A", "/app").split())


@pytest.mark.claim("dockerignore-patterns-match-from-the-top")
def test_a_pattern_without_double_star_matches_only_at_the_top_of_the_context(tmp_path, docker_names):
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm-slim\nCOPY . /context\n")
    (tmp_path / "top.pyc").write_text("top")
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "sub" / "deep.pyc").write_text("deep")
    tag, labels = docker_names(SLUG)

    def copied_with(pattern: str) -> set[str]:
        (tmp_path / ".dockerignore").write_text(f"{pattern}\n")
        docker_build(tmp_path, tag, labels=labels)
        return set(run_output(tag, "find", "/context", "-name", "*.pyc").split())

    assert copied_with("*.pyc") == {"/context/pkg/sub/deep.pyc"}  # only the top folder's file left out
    assert copied_with("**/*.pyc") == set()  # at any depth


# Instructions of build-cache/Dockerfile that store files, and those that only record settings.
STORE_FILES = ("RUN ", "COPY ")
ONLY_SETTINGS = ("CMD ", "HEALTHCHECK ", "EXPOSE ", "USER ", "ENV ", "ARG ")


@pytest.mark.claim("image-history-shows-which-instructions-add-bytes")
@pytest.mark.claim("image-history-lists-the-steps-newest-first")
def test_history_shows_bytes_for_run_and_copy_and_none_for_settings(folder, docker_names, docker_client):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    base = docker_client.images.get("python:3.11-slim").history()
    history = docker_client.images.get(tag).history()
    own = history[:-len(base)]
    assert [step["CreatedBy"] for step in history[len(own):]] == [step["CreatedBy"] for step in base]  # the base's last
    # newest first: the Dockerfile's last instruction at the top, its first after FROM at the bottom
    assert own[0]["CreatedBy"] == 'CMD ["python" "app.py"]' and own[-1]["CreatedBy"] == "ARG APP_VERSION=1", own
    for step in own:
        created_by = step["CreatedBy"].removeprefix("/bin/sh -c #(nop) ").strip()
        if created_by.startswith(ONLY_SETTINGS):
            assert step["Size"] == 0, step
        elif created_by.startswith(STORE_FILES):
            assert step["Size"] > 0, step
        if created_by.startswith("RUN "):  # the build's ARG values, there for anyone with the image
            assert created_by.startswith("RUN |1 APP_VERSION=1 "), step
    kinds = {step["CreatedBy"].split()[0] for step in own}
    assert set(s.strip() for s in STORE_FILES + ONLY_SETTINGS) <= kinds, kinds
    history = subprocess.run(["docker", "image", "history", "--format", "table {{.CreatedBy}}\t{{.Size}}", tag],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    shown = "\n".join(history.splitlines()[:len(own) + 1])  # the header and this Dockerfile's lines
    record_output("build-cache-image-history", "docker image history myapp", shown)


@pytest.mark.claim("build-arg-sets-env-in-container")
@pytest.mark.claim("build-cache-arg-is-for-the-build-only")
@pytest.mark.claim("build-cache-env-reaches-every-container")
def test_a_build_arg_reaches_the_container_only_through_env(folder, docker_names, docker_client):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    assert run_output(tag, "printenv", "APP_VERSION") == "1\n"
    docker_build(folder, tag, labels=labels, build_args={"APP_VERSION": "2"})
    assert run_output(tag, "printenv", "APP_VERSION") == "2\n"
    # Without the ENV line the ARG still reaches the build's RUN steps, and not the container.
    dockerfile = folder / "Dockerfile"
    text = dockerfile.read_text()
    env_line = "ENV APP_VERSION=$APP_VERSION \\\n    PYTHONUNBUFFERED=1\n"
    assert env_line in text, text
    dockerfile.write_text(text.replace(env_line, "ENV PYTHONUNBUFFERED=1\n"))
    docker_build(folder, tag, labels=labels, build_args={"APP_VERSION": "2"})
    assert any(step["CreatedBy"].startswith("RUN |1 APP_VERSION=2 ") for step in docker_client.images.get(tag).history())
    assert docker("run", "--rm", tag, "printenv", "APP_VERSION").returncode == 1  # not set in the container


@pytest.mark.claim("build-cache-from-python-slim-is-debian-with-python", about=["python:3.11-slim"])
@pytest.mark.claim("build-cache-workdir-is-where-things-happen")
@pytest.mark.claim("build-cache-run-runs-while-building")
@pytest.mark.claim("build-cache-copy-brings-files-from-the-context")
@pytest.mark.claim("build-cache-user-runs-the-program-unprivileged")
@pytest.mark.claim("build-cache-expose-publishes-nothing")
def test_each_instruction_does_what_the_table_says(folder, docker_names, docker_client):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    assert docker("run", "--rm", *label_args(labels), "python:3.11-slim", "ls", "/app").returncode != 0  # WORKDIR made it
    shown = run_output(tag, "sh", "-c", "python --version; grep '^PRETTY_NAME=' /etc/os-release; pwd; id -u; "
                                        "getent passwd app | cut -d: -f3; python -c 'import flask'; cat app.py")
    version, os_name, workdir, uid, app_uid, app = shown.split("\n", 5)
    assert version.startswith("Python 3.11.") and os_name.startswith('PRETTY_NAME="Debian GNU/Linux'), shown
    assert workdir == "/app" and app == (folder / "app.py").read_text(), shown  # COPY put the context's file there
    assert uid == "10001" and app_uid == "10001", shown  # USER; the user RUN made while building
    config = docker_client.images.get(tag).attrs["Config"]
    assert config["ExposedPorts"] == {"5000/tcp": {}}, config
    name = tag + "-exposed"
    started = docker("run", "-d", "--name", name, *label_args(labels), tag)  # no -p
    assert started.returncode == 0, started
    assert docker("port", name).stdout == ""  # EXPOSE published nothing


@pytest.mark.claim("build-cache-run-then-ctrl-c-stops-it")
@pytest.mark.claim("build-cache-cmd-runs-when-you-give-none")
def test_docker_run_serves_the_app_on_5000_and_ctrl_c_stops_it(folder, docker_names):
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)
    # Ctrl+C in the terminal sends SIGINT to `docker run`, which passes it on to the container.
    command = ["docker", "run", "--rm", "--name", tag, *label_args(labels), "-p", "127.0.0.1:5000:5000", tag]
    with machine_lock("port", "5000", 600), subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                                             stderr=subprocess.DEVNULL) as run:
        try:
            status, body = wait_until(lambda: http_get("http://127.0.0.1:5000/"), timeout=60, message="the app")
            assert (status, body) == (200, b"Hello from version 1 of an image you built yourself!\n")
            run.send_signal(signal.SIGINT)
            run.wait(timeout=30)  # it ends; without the signal passed on, `docker run` would go on running
        finally:
            if run.poll() is None:
                run.kill()
    assert docker("ps", "-a", "--filter", f"name=^{tag}$", "--format", "{{.Names}}").stdout == ""  # --rm removed it


@pytest.mark.claim("build-cache-image-serves-the-app")
@pytest.mark.claim("build-cache-compose-builds-the-same-dockerfile")
@pytest.mark.claim("build-cache-healthcheck-decides-healthy")
@pytest.mark.claim("build-cache-cmd-runs-when-you-give-none")
def test_the_built_image_serves_the_app_and_its_healthcheck_passes(compose_project):
    project = compose_project(SLUG)  # `up` builds the Dockerfile, and waits for its HEALTHCHECK to pass
    port = project.host_port("web", 5000)
    assert http_get(f"http://127.0.0.1:{port}/") == (200, b"Hello from version 1 of an image you built yourself!\n")
    container = project.container("web")
    container.reload()
    assert container.attrs["Config"]["Cmd"] == ["python", "app.py"] and container.attrs["Config"]["User"] == "10001"
    health = container.attrs["State"]["Health"]
    assert health["Status"] == "healthy", health
    healthcheck = container.attrs["Config"]["Healthcheck"]
    assert (healthcheck["StartInterval"], healthcheck["Interval"]) == (1_000_000_000, 10_000_000_000), healthcheck
    started_at = container.attrs["State"]["StartedAt"]
    passed = this_start(started_at, health["Log"])[-1]  # the first that passed (those before it may have failed)
    assert passed["ExitCode"] == 0, health
    assert_about_every_second(pauses_while_starting(started_at, health["Log"]))

    def pause_after_the_pass() -> float | None:
        container.reload()
        return pause_after(container.attrs["State"]["Health"]["Log"], passed)
    assert_about_ten_seconds(wait_until(pause_after_the_pass, timeout=25, interval=0.5, message="the next check, 10 seconds later"))


@pytest.mark.claim("trouble-flask-run-listens-on-the-loopback-unless-told")
def test_flask_run_listens_on_the_loopback_unless_told_to_listen_on_every_interface(folder, docker_names):
    """The example's Flask app started with `flask run`, Flask's development server, instead of
    the image's CMD."""
    tag, labels = docker_names(SLUG)
    docker_build(folder, tag, labels=labels)

    def listening(container: str, *options: str) -> tuple[set[str], str]:
        started = docker("run", "-d", "--name", container, *label_args(labels), tag, "flask", "--app", "app", "run", *options)
        assert started.returncode == 0, started.stderr

        def said_and_listening() -> tuple[set[str], str] | None:
            said = docker("logs", container).stderr
            addresses = tcp_listen_addresses(docker("exec", container, "cat", "/proc/net/tcp").stdout, 5000)
            return (addresses, said) if addresses and "Running on" in said else None
        return wait_until(said_and_listening, timeout=30, interval=0.2, message=f"`flask run {' '.join(options)}` to listen")

    addresses, said = listening(f"{tag}-loopback")
    assert addresses == {"127.0.0.1"} and "Running on http://127.0.0.1:5000" in said, (addresses, said)
    addresses, said = listening(f"{tag}-every-interface", "--host", "0.0.0.0")
    assert addresses == {"0.0.0.0"} and "Running on all addresses (0.0.0.0)" in said, (addresses, said)
