"""examples/assignment-stack taken down and up, and edited under `docker compose watch`.

Apart from test_assignment_stack.py: these tests own a stack each (function scope), and a
module-scoped stack holding port 3000 in the same module would keep them waiting.
Taught on docs/assignment-design.md and docs/troubleshooting.md.
"""

import re
from pathlib import Path

import pytest

from primer.stacks import http_get, wait_until

pytestmark = pytest.mark.docker


@pytest.mark.claim("assignment-data-survives-down-but-not-down-v", about=["postgres:15"])
@pytest.mark.claim("assignment-run-it-up-wait-and-down")
@pytest.mark.claim("assignment-postgres-data-volume-outlives-the-container", about=["postgres:15"])
@pytest.mark.claim("assignment-postgres-init-folder-runs-once", about=["postgres:15"])
@pytest.mark.claim("assignment-postgres-variables-count-on-first-start-only", about=["postgres:15"])
@pytest.mark.claim("assignment-postgres-healthcheck-waits-for-the-tcp-server", about=["postgres:15"])
@pytest.mark.claim("assignment-redis-cache-is-lost-on-down", about=["redis:7"])
def test_postgres_data_survives_down_but_not_down_v(compose_project, tmp_path):
    # Its own stack (function scope): this test takes the stack down and up again. Only the
    # databases that keep (or lose) data are started (`up postgres redis`); `down` and `down -v`
    # act on the whole project as the page's commands do. Without the backend, port 3000 stays
    # free for the tests that need it. A copy: the test changes the password file and adds an
    # init script.
    project = compose_project("assignment-stack", "postgres", "redis", copy_to=tmp_path)
    folder = project.example.path
    psql = ["psql", "-U", "app", "-d", "app", "-tAc"]
    first_password = (folder / "postgres_password.txt").read_text().strip()

    def count_notes() -> str:
        result = project.exec("postgres", [*psql, "SELECT count(*) FROM notes"])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    def log_in(password: str) -> str:
        """A login over the network, as the backend's (a socket in the container needs no password)."""
        return project.exec("postgres", ["env", f"PGPASSWORD={password}", "psql", "--host", "postgres", *psql[1:],
                                         "SELECT current_user"]).output.strip()

    def redis_volume() -> str:
        redis = project.container("redis")
        redis.reload()
        (mount,) = [m for m in redis.attrs["Mounts"] if m["Destination"] == "/data"]
        return mount["Name"]

    # First start: the user, the database and the password come from postgres.env and the secret.
    assert log_in(first_password) == "app"
    insert = project.exec("postgres", [*psql, "INSERT INTO notes (text) VALUES ('mine')"])
    assert insert.exit_code == 0, insert.output
    assert count_notes() == "2"
    assert project.exec("redis", ["redis-cli", "SET", "cached", "yes"]).output.strip() == "OK"
    cache_volume = redis_volume()

    volumes = set(project.volume_names())
    assert f"{project.name}_postgres-data" in volumes, volumes
    project.compose("down", timeout=60)  # keeps the named volumes
    assert project.containers() == [] and set(project.volume_names()) == volumes  # containers gone, volumes kept
    (folder / "postgres_password.txt").write_text("a-new-password\n")
    project.up("postgres", "redis")
    assert count_notes() == "2"  # the data, kept; the init script not run again
    # A later start: the secret file now says something else, and postgres ignores it.
    assert project.exec("postgres", ["cat", "/run/secrets/postgres_password"]).output.strip() == "a-new-password"
    assert 'password authentication failed for user "app"' in log_in("a-new-password")
    assert log_in(first_password) == "app"
    # redis had no volume of ours: a new anonymous one, empty; the old one is left behind, unused.
    assert project.exec("redis", ["redis-cli", "GET", "cached"]).output.strip() == ""
    assert redis_volume() != cache_volume
    project.client.volumes.get(cache_volume)  # still there

    # A first start again, held in the image's setup phase by one more init script (00-, before
    # 01-schema.sql) until this test lets it go: the setup server answers on the socket only.
    (folder / "postgres-init" / "00-hold.sh").write_text("while [ ! -e /tmp/go ]; do sleep 0.1; done\n")
    project.compose("down", "--volumes", timeout=60)  # deletes them: a fresh, empty database
    assert project.volume_names() == []
    project.up("postgres", "redis", wait=False)

    def pg_isready(*args: str) -> int:
        return project.exec("postgres", ["pg_isready", *args]).exit_code

    wait_until(lambda: pg_isready() == 0, timeout=60, interval=0.1, message="the setup server on the socket")
    assert pg_isready("--host", "127.0.0.1") != 0  # plain pg_isready says ready; over TCP: nobody yet
    postgres = project.container("postgres")
    postgres.reload()
    assert postgres.attrs["State"]["Health"]["Status"] == "starting", postgres.attrs["State"]["Health"]
    # `$$` in the file: the variables are left for the shell inside the container
    assert postgres.attrs["Config"]["Healthcheck"]["Test"] == [
        "CMD-SHELL", 'pg_isready --host 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"']
    assert project.exec("postgres", ["touch", "/tmp/go"]).exit_code == 0
    project.up("postgres", "redis")  # healthy: the real server, over TCP
    assert count_notes() == "1"  # only the init script's row, written again on first start
    assert log_in("a-new-password") == "app"  # a first start reads the (new) password file


@pytest.mark.claim("assignment-watch-syncs-code-without-rebuild")
@pytest.mark.claim("assignment-init-passes-the-stop-signal")
@pytest.mark.claim("assignment-watch-copies-new-files-but-no-deletes")
@pytest.mark.claim("assignment-watch-starts-the-stack")
def test_compose_watch_serves_an_edited_app_py_within_seconds_without_a_rebuild(compose_project, tmp_path):
    # A copy of the example: this test edits app.py. `up=False`: `watch` starts the stack itself,
    # as it does for a learner who types `docker compose watch`.
    project = compose_project("assignment-stack", up=False, copy_to=tmp_path)
    log = tmp_path / "watch.log"
    with project.running("watch", log=log):
        wait_until(lambda: "Watch enabled" in log.read_text(), timeout=150, interval=0.5,
                   message=f"`docker compose watch` to start watching (its output: {log})")
        wait_until(lambda: http_get("http://127.0.0.1:3000/healthz")[0] == 200, timeout=60,
                   interval=0.2, message="the backend started by `watch` to answer /healthz")
        states = project.states()
        assert states == dict.fromkeys(("backend", "postgres", "redis", "mongo"), "running"), states
        image = project.container("backend").attrs["Image"]
        app = project.example.path / "backend" / "app.py"
        app.write_text(app.read_text().replace("The backend is running", "The backend is running, edited"))

        def edited_page() -> bytes | None:
            body = http_get("http://127.0.0.1:3000/")[1]  # fails while the server restarts: polled again
            return body if b"The backend is running, edited" in body else None

        wait_until(edited_page, timeout=30, interval=0.2, message=f"the edited page (watch's output: {log})")
        project.container("backend").reload()
        assert project.container("backend").attrs["Image"] == image, "the backend's image was rebuilt"
        assert 'Syncing service "backend"' in log.read_text(), log.read_text()

        # A new file is copied in; deleting it is not passed on (add_then_delete_a_file). Now and
        # then Compose 2.40.3 logs the engine's "exec command ... is already running" for its
        # `rm` instead of rm's answer: then the same again.
        extra = project.example.path / "backend" / "notes.txt"
        for _ in range(3):
            if add_then_delete_a_file(project, extra, log) == "refused":
                break
        assert WATCH_REFUSED_DELETE.search(log.read_text()), f"watch never got to try the delete (its output: {log})"
        assert project.exec("backend", ["test", "-e", "/app/notes.txt"]).exit_code == 0, "the delete was synced"

        # A change to requirements.txt rebuilds the image, and the stack runs the new one.
        requirements = project.example.path / "backend" / "requirements.txt"
        requirements.write_text(requirements.read_text() + "# rebuilt by watch\n")

        def rebuilt() -> bool:  # the container is made anew: look it up each time
            (backend,) = [c for c in project.containers() if c.labels.get("com.docker.compose.service") == "backend"]
            return backend.attrs["Image"] != image and backend.status == "running"

        wait_until(rebuilt, timeout=180, interval=0.5,
                   message=f"the backend rebuilt from the new requirements.txt (watch's output: {log})")
    project.compose("ps", timeout=30)  # any compose call forgets the containers seen before the rebuild
    backend = project.container("backend")
    backend.reload()
    assert backend.status == "running", "stopping `watch` (Ctrl+C) stopped the stack too"
    # init: true passes `docker stop`'s SIGTERM on to Python, which ends of it: 128 + 15
    project.compose("stop", "--timeout", "5", "backend", timeout=60)
    backend.reload()
    assert backend.attrs["State"]["ExitCode"] == 143, backend.attrs["State"]


@pytest.mark.claim("commands-up-three-databases-not-the-backend")
@pytest.mark.claim("commands-up-backend-starts-all-four")
def test_up_with_the_three_databases_starts_only_them_and_up_backend_starts_all_four(compose_project):
    project = compose_project("assignment-stack", up=False)

    project.up("postgres", "redis", "mongo")
    assert project.states() == {"postgres": "running", "redis": "running", "mongo": "running"}  # no backend container at all
    project.compose("down", timeout=60)
    project.up("backend")  # and what it depends on
    assert project.states() == {"backend": "running", "postgres": "running", "redis": "running", "mongo": "running"}


# watch passes a delete on as `rm` run as the container's user, which is refused (Compose 2.40
# prints rm's output with the engine's stream framing bytes around each part)
WATCH_REFUSED_DELETE = re.compile(r"rm:[\s\S]{0,16}cannot remove '/app/notes.txt'[\s\S]{0,16}: Permission denied")
COMPOSE_EXEC_RACE = re.compile(r"exec command [0-9a-f]+ is already running")


def add_then_delete_a_file(project, extra: Path, log: Path) -> str:
    """Under `watch`: a new file is copied in and the server restarted; deleting it is not
    passed on, since /app belongs to root and the container's user `app` may not remove what is
    in it. "refused" once watch has logged rm's refusal, "race" for Compose's exec race."""
    backend = project.container("backend")
    backend.reload()
    started = backend.attrs["State"]["StartedAt"]
    extra.write_text("a new file\n")

    def synced_and_restarted() -> bool:
        backend.reload()
        return (backend.attrs["State"]["StartedAt"] != started and backend.status == "running"
                and project.exec("backend", ["cat", "/app/notes.txt"]).output == "a new file\n")

    wait_until(synced_and_restarted, timeout=30, interval=0.3,
               message=f"notes.txt synced into the container, and the server restarted ({log})")
    owners = project.exec("backend", ["stat", "-c", "%U", "/app", "/app/notes.txt"]).output.split()
    assert owners == ["root", "app"], owners  # the file is app's, but the folder it is in is root's
    refused = project.exec("backend", ["rm", "/app/notes.txt"])  # as the container's user, app
    assert refused.exit_code != 0 and "Permission denied" in refused.output, refused.output
    races_before = len(COMPOSE_EXEC_RACE.findall(log.read_text()))
    extra.unlink()

    def tried() -> str | None:
        text = log.read_text()
        if WATCH_REFUSED_DELETE.search(text):
            return "refused"
        return "race" if len(COMPOSE_EXEC_RACE.findall(text)) > races_before else None

    return wait_until(tried, timeout=30, interval=0.2, message=f"watch's attempt to delete notes.txt (its output: {log})")
