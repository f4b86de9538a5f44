"""examples/environment-variables, taught on docs/compose.md."""
import json
from pathlib import Path

import pytest
import yaml

from primer.compose import run_compose
from primer.examples import get_example
from primer.stacks import wait_until
from tests.docker_cli import docker

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(module_compose_project):
    return module_compose_project("environment-variables")


def process_environment(stack) -> dict[str, str]:
    """The environment of the container's main process (PID 1), as the kernel holds it.

    Read right after `up`, it once came back empty in CI (exit code 0, no output): PID 1 was
    still being exec'd, or the exec lost its output (docker/docker-py#2042). A started process
    always has an environment, so an empty read means "not yet" and is read again, within a bound."""
    def read():
        result = stack.exec("app", ["cat", "/proc/1/environ"])
        assert result.exit_code == 0, result.output
        return dict(entry.split("=", 1) for entry in result.output.split("\0") if "=" in entry)
    return wait_until(read, timeout=10, interval=0.05, message="PID 1 of app to have an environment")


def exec_env(stack) -> dict[str, str]:
    """What `docker compose exec app env` prints (never nothing: an empty read is read again)."""
    def read():
        result = stack.exec("app", ["env"])
        assert result.exit_code == 0, result.output
        return dict(line.split("=", 1) for line in result.output.splitlines() if "=" in line)
    return wait_until(read, timeout=10, interval=0.05, message="`env` in app to print the environment")


@pytest.mark.claim("environment-reaches-process")
def test_environment_and_dot_env_values_reach_the_process(stack):
    for env in (process_environment(stack), exec_env(stack)):
        assert env.get("GREETING") == "Hello from the .env file", env
        assert env.get("APP_MODE") == "set-in-compose-file", env


@pytest.mark.claim("env-file-reaches-process")
def test_env_file_values_reach_the_process(stack):
    env = process_environment(stack)
    assert env.get("LOG_LEVEL") == "debug", env


@pytest.mark.claim("environment-overrides-env-file")
def test_environment_wins_over_env_file(stack):
    assert "APP_MODE=set-in-app.env" in (stack.example.path / "app.env").read_text()
    assert process_environment(stack).get("APP_MODE") == "set-in-compose-file"


@pytest.mark.claim("dot-env-is-not-passed-to-containers")
def test_a_variable_only_in_dot_env_does_not_reach_the_container(stack):
    assert "ONLY_FOR_COMPOSE=" in (stack.example.path / ".env").read_text()
    assert "ONLY_FOR_COMPOSE" not in process_environment(stack)
    assert "ONLY_FOR_COMPOSE" not in exec_env(stack)


@pytest.mark.claim("shell-variable-overrides-dot-env")
def test_a_variable_set_in_the_shell_wins_over_dot_env(compose_project):
    project = compose_project("environment-variables", up=False)
    project.up(env={"GREETING": "Hello from the shell"})
    assert process_environment(project).get("GREETING") == "Hello from the shell"


@pytest.mark.claim("project-name-is-folder-name")
def test_the_default_project_name_is_the_folder_name(stack):
    assert stack.example.config["name"] == "environment-variables"


@pytest.mark.claim("compose-v2-container-names")
def test_compose_v2_names_the_container_project_service_number(stack):
    assert stack.container("app").name == f"{stack.name}-app-1"


def variables_in(path) -> dict[str, str]:
    lines = [line.strip() for line in path.read_text().splitlines()]
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


@pytest.mark.claim("env-file-passes-every-variable")
def test_env_file_passes_every_variable_of_the_file(stack):
    from_file = variables_in(stack.example.path / "app.env")
    set_in_compose_file = yaml.safe_load(stack.example.compose_file.read_text())["services"]["app"]["environment"]
    assert len(from_file) >= 2, from_file
    env = process_environment(stack)
    for key, value in from_file.items():
        assert env.get(key) == (set_in_compose_file.get(key) or value), (key, env)


@pytest.mark.claim("dot-env-is-read-next-to-the-compose-file")
def test_compose_reads_dot_env_next_to_the_compose_file_whatever_the_working_folder(tmp_path):
    example = get_example("environment-variables")
    env_files = yaml.safe_load(example.compose_file.read_text())["services"]["app"].get("env_file", [])
    assert ".env" not in [Path(f).name for f in env_files] and not (tmp_path / ".env").exists()  # nothing points to it
    proc = run_compose(["--file", str(example.compose_file), "config", "--format", "json"], cwd=tmp_path, timeout=60)
    config = json.loads(proc.stdout)
    assert config["services"]["app"]["environment"]["GREETING"] == "Hello from the .env file", config


@pytest.mark.claim("commands-exec-env-shows-the-environment")
@pytest.mark.claim("compose-exec-env-prints-the-environment")
def test_exec_env_prints_the_environment_the_container_got(stack):
    given = dict(entry.split("=", 1) for entry in stack.container("app").attrs["Config"]["Env"])
    assert {"APP_MODE", "GREETING", "LOG_LEVEL"} <= set(given), given
    printed = exec_env(stack)
    assert {key: printed.get(key) for key in given} == given, printed


@pytest.mark.claim("docker-inspect-shows-environment-variables")
@pytest.mark.claim("compose-mounts-the-secret-file")
def test_docker_inspect_shows_the_environment_variables(stack):
    proc = docker("inspect", "--format", "{{json .Config.Env}}", stack.container("app").name)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert "APP_MODE=set-in-compose-file" in shown and "LOG_LEVEL=debug" in shown, shown
