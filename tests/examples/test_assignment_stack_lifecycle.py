"""examples/assignment-stack taken down and up, and edited under `docker compose watch`.

Apart from test_assignment_stack.py: these tests own a stack each (function scope), and a
module-scoped stack holding port 3000 in the same module would keep them waiting.
Taught on docs/assignment-design.md and docs/troubleshooting.md.
"""

import time

import pytest

from primer.stacks import http_get, wait_until

pytestmark = pytest.mark.docker


@pytest.mark.claim("assignment-data-survives-down-but-not-down-v", about=["postgres:15"])
def test_postgres_data_survives_down_but_not_down_v(compose_project):
    # Its own stack (function scope): this test takes the stack down and up again. Only the
    # service that owns the volume is started (`up postgres`); `down` and `down -v` act on the
    # whole project as the page's commands do. Without the backend, port 3000 stays free for
    # the tests that need it.
    project = compose_project("assignment-stack", "postgres")
    psql = ["psql", "-U", "app", "-d", "app", "-tAc"]

    def count_notes() -> str:
        result = project.exec("postgres", [*psql, "SELECT count(*) FROM notes"])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    insert = project.exec("postgres", [*psql, "INSERT INTO notes (text) VALUES ('mine')"])
    assert insert.exit_code == 0, insert.output
    assert count_notes() == "2"

    project.compose("down", timeout=60)  # keeps the named volumes
    project.up("postgres")
    assert count_notes() == "2"

    project.compose("down", "--volumes", timeout=60)  # deletes them: a fresh, empty database
    project.up("postgres")
    assert count_notes() == "1"  # only the init script's row, written again on first start


@pytest.mark.claim("assignment-watch-syncs-code-without-rebuild")
@pytest.mark.claim("assignment-init-passes-the-stop-signal")
@pytest.mark.claim("assignment-watch-copies-new-files-but-no-deletes")
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

        # A new file is copied in; deleting it is not passed on: /app belongs to root, and the
        # container's user `app` may not remove what is in it.
        extra = project.example.path / "backend" / "notes.txt"
        extra.write_text("a new file\n")
        wait_until(lambda: project.exec("backend", ["cat", "/app/notes.txt"]).output == "a new file\n",
                   timeout=30, interval=0.3, message="notes.txt synced into the container")
        extra.unlink()
        time.sleep(3)  # watch's own delay for a change, several times over
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
