"""examples/environment-variables, taught on docs/compose.md."""
import pytest

from primer.stacks import wait_until

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
