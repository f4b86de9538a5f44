"""Lint gates for every compose file a learner copies: each example's and the root one.

No Docker engine is needed: `docker compose config` only reads files, and compose-lint is a
static linter. A file that deliberately shows a bad practice (the all-interfaces form on the
ports page) passes only through a named, commented entry in an exception list below.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from primer import COMPOSE_FILE_NAME, EXAMPLES_DIR, ROOT
from primer.examples import InvalidExample, list_examples, load_config


def compose_files() -> list[Path]:
    files = [example.compose_file for example in list_examples()]
    root = ROOT / COMPOSE_FILE_NAME
    return files + ([root] if root.is_file() else [])


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


FILES = compose_files()
IDS = [_rel(f) for f in FILES]

# --- exceptions: (compose file, rule) -> why the file breaks the rule on purpose ---------------

# Published ports that may bind every host interface: the page's lesson is that form.
ALL_INTERFACES_OK = {
    # docs/ports.md shows the draft's "3000:3000" and what it exposes to the network.
    "examples/publish-all-interfaces/docker-compose.yml",
}

# compose-lint findings a page keeps on purpose: {(file, rule id): why}.
COMPOSE_LINT_EXCEPTIONS: dict[tuple[str, str], str] = {
}

# --- docker compose config ----------------------------------------------------------------------


@pytest.mark.parametrize("compose_file", FILES, ids=IDS)
def test_compose_file_is_valid(compose_file: Path):
    try:
        config = load_config(compose_file)
    except InvalidExample as error:
        pytest.fail(f"`docker compose config` refuses {_rel(compose_file)}:\n{error}", pytrace=False)
    assert config.get("services"), f"{_rel(compose_file)} defines no service"


# --- compose-lint -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose_lint_report() -> dict:
    """compose-lint over every file at once, in one process: each finding and error names the
    file it grades. (It reads a `.compose-lint.yml` next to the first file only; there is none.)"""
    proc = subprocess.run([sys.executable, "-m", "compose_lint", "check", "--format", "json", *IDS],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    try:  # exit 1: findings at the gate; 2: errors, which the report names by file
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"compose-lint could not lint the compose files (exit {proc.returncode}):\n{proc.stderr}{proc.stdout}",
                    pytrace=False)


@pytest.mark.parametrize("compose_file", FILES, ids=IDS)
def test_compose_lint_finds_nothing_at_its_default_threshold(compose_lint_report: dict, compose_file: Path):
    """compose-lint's default gate (`--fail-on high`): no high or critical finding."""
    report, name = compose_lint_report, _rel(compose_file)

    def about_this_file(entry: dict) -> bool:  # graded_file: the file linted, where the evidence is in another
        return entry.get("graded_file", entry["file"]) == name

    errors = [e for e in report["errors"] if e["file"] == "" or about_this_file(e)]  # "": the whole run
    assert not errors, f"compose-lint errors on {name}: {errors}"
    findings = [f for f in report["findings"]
                if about_this_file(f) and f["severity"] in ("high", "critical") and not f.get("suppressed")
                and (name, f["rule_id"]) not in COMPOSE_LINT_EXCEPTIONS]
    assert not findings, f"{name}: compose-lint {report['tool']['version']}:\n" + "\n".join(
        f"  {f['file']}:{f['line']} {f['rule_id']} ({f['severity']}, service {f['service']}): {f['message']}"
        for f in findings)


# --- the project's own rules (docs: the conventions every example follows) ----------------------

def _services(compose_file: Path) -> dict[str, dict]:
    return load_config(compose_file).get("services", {})


@pytest.mark.parametrize("compose_file", FILES, ids=IDS)
def test_published_ports_bind_only_localhost(compose_file: Path):
    wide = [f"{name}: {port.get('host_ip') or '0.0.0.0'}:{port.get('published') or '(any)'}->{port['target']}"
            for name, service in _services(compose_file).items() for port in service.get("ports", [])
            if port.get("host_ip") not in ("127.0.0.1", "::1")]
    if _rel(compose_file) in ALL_INTERFACES_OK:
        assert wide, f"{_rel(compose_file)} no longer binds all interfaces: drop it from ALL_INTERFACES_OK"
        return
    assert not wide, (f"{_rel(compose_file)} publishes ports on every host interface; write "
                      f"\"127.0.0.1:HOST:CONTAINER\": {wide}")


@pytest.mark.parametrize("compose_file", FILES, ids=IDS)
def test_pulled_images_have_pinned_tags(compose_file: Path):
    unpinned = []
    for name, service in _services(compose_file).items():
        image = service.get("image")
        if not image or service.get("build"):
            continue  # a built image's name is a local label, not something pulled
        if "@sha256:" in image:
            continue
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        if not tag or tag == "latest":
            unpinned.append(f"{name}: {image}")
    assert not unpinned, f"{_rel(compose_file)}: pin a tag (e.g. python:3.11-slim), never latest: {unpinned}"


@pytest.mark.parametrize("compose_file", FILES, ids=IDS)
def test_no_privileged_service_and_no_docker_socket(compose_file: Path):
    bad = []
    for name, service in _services(compose_file).items():
        if service.get("privileged"):
            bad.append(f"{name}: privileged: true")
        for volume in service.get("volumes", []):
            if "docker.sock" in str(volume.get("source", "")) or "docker.sock" in str(volume.get("target", "")):
                bad.append(f"{name}: mounts the Docker socket ({volume.get('source')})")
    assert not bad, f"{_rel(compose_file)} hands the container control of the host: {bad}"


@pytest.mark.parametrize("compose_file", FILES, ids=IDS)
def test_postgres_healthchecks_ask_over_tcp(compose_file: Path):
    """On its first start the postgres image serves the init scripts from a temporary server on
    a local socket only; a `pg_isready` without --host calls that "ready" while the tables are
    still being made (a test that ran right after such a healthcheck met no database)."""
    socket_only = []
    for name, service in _services(compose_file).items():
        test = " ".join((service.get("healthcheck") or {}).get("test") or [])
        if "pg_isready" in test and not re.search(r"(--host[ =]|-h ?)\S+", test):
            socket_only.append(f"{name}: {test}")
    assert not socket_only, f"{_rel(compose_file)}: give pg_isready --host 127.0.0.1: {socket_only}"


_SECRET_KEY = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|(^|_)(API_?)?KEY($|_)", re.IGNORECASE)


def _inline_environment(raw_service: dict) -> dict[str, str]:
    """`environment:` entries as written in the file (before Compose merges env files into it)."""
    env = raw_service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {k: v for k, v in env.items() if v is not None}


@pytest.mark.parametrize("compose_file", FILES, ids=IDS)
def test_no_secret_is_written_in_the_compose_file(compose_file: Path):
    """A credential-like variable gets its value from an env file, `${VAR}` (.env) or `secrets:`."""
    raw = yaml.safe_load(compose_file.read_text(encoding="utf-8")) or {}
    inline = [f"{name}: {key}" for name, service in (raw.get("services") or {}).items()
              for key, value in _inline_environment(service or {}).items()
              if _SECRET_KEY.search(key) and "$" not in str(value)]
    assert not inline, (f"{_rel(compose_file)} writes secrets inline; move them to an env file or "
                        f"`secrets:`: {inline}")


_COMPOSE_NAMES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")


def test_every_compose_file_is_linted():
    candidates = [p for name in _COMPOSE_NAMES for p in [ROOT / name, *EXAMPLES_DIR.rglob(name)]]
    found = sorted(_rel(p) for p in candidates if p.is_file())
    missing = sorted(set(found) - set(IDS))
    assert not missing, f"compose files outside the lint gates (examples/<slug>/ or the root): {missing}"
