"""examples/restart-policies, profiles, override-files and interpolation, taught on
docs/compose-features.md. Where a page has the learner run Compose in the example's folder
with no -f (so that Compose finds its files itself), so do these tests."""
from __future__ import annotations

import json
import os
import time

import pytest

from primer.compose import ComposeError, run_compose
from primer.examples import get_example
from primer.stacks import connect_from_host, wait_until

pytestmark = pytest.mark.docker


def state(project, service: str) -> dict:
    container = project.container(service)
    container.reload()
    return {"status": container.attrs["State"]["Status"], "exit": container.attrs["State"]["ExitCode"],
            "restarts": container.attrs["RestartCount"]}


def config_in_folder(folder, *args: str, env: dict | None = None) -> dict:
    """`docker compose [args] config` typed in the example's folder: Compose finds the files."""
    proc = run_compose([*args, "config", "--format", "json"], cwd=folder, env=env)
    return json.loads(proc.stdout)


# --- restart policies -------------------------------------------------------------------

@pytest.fixture(scope="module")
def restarting(module_compose_project):
    project = module_compose_project("restart-policies", wait=False)  # some end at once, by design
    wait_until(lambda: state(project, "fails-on-failure")["restarts"] >= 2
               and state(project, "succeeds-unless-stopped")["restarts"] >= 2,
               timeout=30, interval=0.2, message="two restarts of the restarting services")
    return project


@pytest.mark.claim("restart-no-stays-stopped")
def test_restart_no_leaves_a_failed_program_stopped(restarting):
    assert state(restarting, "fails-no-restart") == {"status": "exited", "exit": 1, "restarts": 0}


@pytest.mark.claim("restart-no-stays-stopped")
def test_without_a_restart_key_the_policy_is_no(docker_names, docker_client, tmp_path):
    name, _ = docker_names("restart-policies")  # Compose labels what it makes with the project name: removed after
    (tmp_path / "docker-compose.yml").write_text(
        'services:\n  fails:\n    image: debian:bookworm-slim\n    command: ["sh", "-c", "exit 1"]\n')
    run_compose(["--project-name", name, "up", "--detach"], cwd=tmp_path, timeout=120)
    container = docker_client.containers.get(f"{name}-fails-1")
    assert container.attrs["HostConfig"]["RestartPolicy"]["Name"] == "no", container.attrs["HostConfig"]


@pytest.mark.claim("restart-policies-ps-shows-who-stays-exited")
def test_compose_ps_shows_the_programs_that_stay_exited(restarting):
    listed = [json.loads(line) for line in restarting.compose("ps", "-a", "--format", "json").stdout.splitlines()]
    states = {entry["Service"]: entry["State"] for entry in listed}
    assert states["fails-no-restart"] == states["succeeds-on-failure"] == "exited", states
    assert state(restarting, "fails-on-failure")["restarts"] >= 2  # the ones that come and go


@pytest.mark.claim("restart-on-failure-restarts-after-failure")
def test_on_failure_starts_a_failed_program_again(restarting):
    assert state(restarting, "fails-on-failure")["restarts"] >= 2

    def three_runs_logged() -> bool:  # the count goes up as a restart begins, before it prints
        logs = restarting.compose("logs", "--no-color", "fails-on-failure").stdout
        assert logs.count("started") >= 3, logs  # the first run and two restarts printed it
        return True

    wait_until(three_runs_logged, timeout=10, interval=0.2, message="three runs in the logs")


@pytest.mark.claim("restart-on-failure-not-after-success")
def test_on_failure_leaves_a_successful_program_stopped(restarting):
    assert state(restarting, "succeeds-on-failure") == {"status": "exited", "exit": 0, "restarts": 0}


@pytest.mark.claim("restart-unless-stopped-until-stopped")
def test_unless_stopped_restarts_until_you_stop_it(restarting):
    assert state(restarting, "succeeds-unless-stopped")["restarts"] >= 2
    restarting.compose("stop", "succeeds-unless-stopped", timeout=60)
    stopped = state(restarting, "succeeds-unless-stopped")
    # A negative, so a plain wait, three times the program's one-second run: a `stop` also
    # cancels a restart the engine had scheduled, so nothing can bring it back later either.
    time.sleep(3)
    assert state(restarting, "succeeds-unless-stopped") == stopped and stopped["status"] == "exited", stopped


# --- profiles ---------------------------------------------------------------------------

def running_services(project) -> set[str]:
    return {c.labels["com.docker.compose.service"] for c in project.containers() if c.status == "running"}


# The fixture's teardown removes the containers of every profile (ComposeProject.down).

@pytest.mark.claim("profiles-plain-up-skips-profiled-services")
def test_a_plain_up_starts_only_the_services_without_a_profile(compose_project):
    project = compose_project("profiles", up=False)
    project.compose("up", "-d")
    assert running_services(project) == {"redis"}
    project.compose("--profile", "backend", "up", "-d")
    assert running_services(project) == {"redis", "backend"}


@pytest.mark.claim("profiles-compose-profiles-variable")
def test_compose_profiles_in_the_environment_does_the_same(compose_project, tmp_path):
    project = compose_project("profiles", up=False, copy_to=tmp_path)  # a .env is written into it below
    project.compose("up", "-d", env={"COMPOSE_PROFILES": "backend"})  # from the shell
    assert running_services(project) == {"redis", "backend"}
    project.compose("rm", "--stop", "--force", "backend")
    assert running_services(project) == {"redis"}
    (project.example.path / ".env").write_text("COMPOSE_PROFILES=backend\n")  # from the .env file
    project.compose("up", "-d")
    assert running_services(project) == {"redis", "backend"}


@pytest.mark.claim("profiles-naming-a-service-starts-it")
def test_naming_a_profiled_service_starts_it_without_the_flag(compose_project):
    project = compose_project("profiles", up=False)
    project.compose("up", "-d", "backend")
    assert running_services(project) == {"backend"}


@pytest.mark.claim("profiles-plain-down-removes-all")
def test_a_plain_down_removes_the_profiled_service_too(compose_project):
    project = compose_project("profiles", up=False)
    project.compose("--profile", "backend", "up", "-d")
    assert running_services(project) == {"redis", "backend"}
    # Typed in the folder, as the page has it: Compose finds the file itself (with `-f FILE`,
    # Compose 2.40.3's `down` leaves the profiled container).
    project.keep_track_of_anonymous_volumes()  # redis's, which a plain `down` leaves
    run_compose(["--project-name", project.name, "down", "--timeout", "5"], cwd=project.example.path)
    assert project.containers() == []


# --- several compose files ---------------------------------------------------------------

@pytest.mark.claim("override-file-names")
def test_both_the_old_and_the_new_file_names_get_their_override_read(tmp_path):
    for base, override in (("docker-compose.yml", "docker-compose.override.yml"),
                           ("compose.yaml", "compose.override.yaml")):
        folder = tmp_path / base.split(".")[0]
        folder.mkdir()
        (folder / base).write_text("services:\n  web:\n    image: redis:7\n    environment:\n      MODE: base\n")
        (folder / override).write_text("services:\n  web:\n    environment:\n      MODE: development\n")
        assert config_in_folder(folder)["services"]["web"]["environment"] == {"MODE": "development"}, base


@pytest.mark.claim("override-file-read-automatically")
def test_the_override_file_is_merged_in_without_being_named(compose_project):
    project = compose_project("override-files", up=False)
    folder = project.example.path
    assert config_in_folder(folder)["services"]["web"]["environment"] == {
        "MODE": "development", "WORKERS": "1", "DEBUG": "1"}
    run_compose(["--project-name", project.name, "up", "-d", "--wait"], cwd=folder, timeout=120)
    env = project.exec("web", ["printenv", "MODE", "WORKERS", "DEBUG"]).output.split()
    assert env == ["development", "1", "1"], env


@pytest.mark.claim("compose-config-shows-what-compose-will-run")
def test_config_shows_the_files_merged_the_variables_filled_in_and_the_short_forms_written_out():
    web = config_in_folder(get_example("override-files").path)["services"]["web"]
    assert web["environment"] == {"MODE": "development", "WORKERS": "1", "DEBUG": "1"}  # merged
    assert web["ports"] == [{"mode": "ingress", "host_ip": "127.0.0.1", "target": 8000, "protocol": "tcp"}], web
    cache = config_in_folder(get_example("interpolation").path)["services"]["cache"]  # "127.0.0.1::8000" above
    assert cache["ports"][0]["published"] == "6380", cache  # ${REDIS_PORT:?...} filled in


@pytest.mark.claim("interpolation-shell-first-then-dot-env")
def test_a_shell_variable_wins_over_the_dot_env_file():
    folder = get_example("interpolation").path
    assert "REDIS_PORT" not in os.environ
    assert config_in_folder(folder)["services"]["cache"]["ports"][0]["published"] == "6380"  # from .env
    shell = config_in_folder(folder, env={"REDIS_PORT": "6390"})["services"]["cache"]
    assert shell["ports"][0]["published"] == "6390", shell  # the shell's, though .env says 6380


@pytest.mark.claim("override-f-files-merge-in-order")
def test_named_files_merge_in_order_and_the_override_is_not_read(compose_project):
    project = compose_project("override-files", up=False)
    merged = config_in_folder(project.example.path, "-f", "docker-compose.yml", "-f", "docker-compose.prod.yml")
    assert merged["services"]["web"]["environment"] == {"MODE": "production", "WORKERS": "4"}
    assert merged["services"]["web"]["command"] == ["python", "-m", "http.server", "8000"]  # kept from the first


# --- interpolation ----------------------------------------------------------------------

@pytest.mark.claim("interpolation-default-when-unset")
def test_a_default_fills_in_an_unset_variable_and_a_set_one_wins(compose_project):
    folder = compose_project("interpolation", up=False).example.path
    assert "REDIS_TAG" not in os.environ
    assert config_in_folder(folder)["services"]["cache"]["image"] == "redis:7"  # unset
    assert config_in_folder(folder, env={"REDIS_TAG": ""})["services"]["cache"]["image"] == "redis:7"  # empty
    assert config_in_folder(folder, env={"REDIS_TAG": "7.2"})["services"]["cache"]["image"] == "redis:7.2"


@pytest.mark.claim("interpolation-required-variable-message")
def test_a_required_variable_without_a_value_stops_compose_with_the_message(tmp_path):
    copy = get_example("interpolation").copied_to(tmp_path).path  # only `config`: nothing to tear down
    (copy / ".env").unlink()
    with pytest.raises(ComposeError) as failed:
        config_in_folder(copy)
    message = "required variable REDIS_PORT is missing a value: set REDIS_PORT in .env or in your shell"
    assert message in str(failed.value), failed.value
    for command in (["ps"], ["down"]):  # every command reads the file first, and stops there
        proc = run_compose(command, cwd=copy, check=False)
        assert proc.returncode != 0 and message in proc.stderr, (command, proc.stderr)


@pytest.mark.claim("interpolation-dot-env-and-double-dollar")
def test_dot_env_sets_the_port_and_double_dollar_reaches_the_container(compose_project):
    project = compose_project("interpolation")  # healthy: its check used the container's own $HOSTNAME
    connect_from_host(6380).close()
    test = project.container("cache").attrs["Config"]["Healthcheck"]["Test"]
    assert test == ["CMD-SHELL", "redis-cli -h $HOSTNAME ping"], test


@pytest.mark.claim("compose-v2-ignores-version-line")
def test_compose_v2_reads_a_file_with_a_version_line_and_says_it_ignores_it(tmp_path):
    (tmp_path / "docker-compose.yml").write_text('version: "3.8"\nservices:\n  web:\n    image: redis:7\n')
    proc = run_compose(["config", "--format", "json"], cwd=tmp_path)
    assert json.loads(proc.stdout)["services"]["web"]["image"] == "redis:7"
    assert "the attribute `version` is obsolete, it will be ignored" in proc.stderr, proc.stderr
