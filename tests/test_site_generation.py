"""What the build generates from the tested files: diagrams, captured output, bundles. No engine needed."""
import io
import zipfile
from pathlib import Path

import pytest

from primer import bundles, captures, topology
from primer.examples import InvalidExample, load_config


def _config(tmp_path: Path, compose_yaml: str) -> dict:
    (tmp_path / "docker-compose.yml").write_text(compose_yaml)
    return load_config(tmp_path / "docker-compose.yml")


def test_the_diagram_shows_published_ports_with_their_bound_address(tmp_path):
    config = _config(tmp_path, 'services:\n  web:\n    image: python:3.11-slim\n    ports: ["127.0.0.1:3000:3000"]\n')
    assert 'host -- "127.0.0.1:3000 → 3000" --> svc_web' in topology.mermaid_for_config(config, tmp_path)


def test_changing_a_port_in_the_compose_file_changes_the_diagram(tmp_path):
    before = topology.mermaid_for_config(_config(tmp_path, 'services:\n  web:\n    image: redis:7\n    ports: ["8080:80"]\n'), tmp_path)
    after = topology.mermaid_for_config(_config(tmp_path, 'services:\n  web:\n    image: redis:7\n    ports: ["9090:80"]\n'), tmp_path)
    assert '"8080 → 80 (all interfaces)"' in before and "9090" not in before
    assert '"9090 → 80 (all interfaces)"' in after and "8080" not in after


def test_the_diagram_shows_exposed_ports_volumes_binds_and_dependencies(tmp_path):
    config = _config(tmp_path, """services:
  app:
    image: python:3.11-slim
    volumes: ["./src:/app", "data:/data"]
    depends_on:
      db: {condition: service_healthy}
  db:
    image: redis:7
    expose: ["6379"]
volumes:
  data:
""")
    diagram = topology.mermaid_for_config(config, tmp_path)
    assert "expose: 6379" in diagram
    assert 'svc_app -- "/data" --- vol_data' in diagram
    assert 'bind mount: ./src' in diagram
    assert 'svc_app -. "depends on (healthy)" .-> svc_db' in diagram


def test_services_on_several_networks_are_drawn_with_network_nodes(tmp_path):
    config = _config(tmp_path, """services:
  a: {image: redis:7, networks: [front]}
  b: {image: redis:7, networks: [front, back]}
  c: {image: redis:7, networks: [back]}
networks: {front: {}, back: {}}
""")
    diagram = topology.mermaid_for_config(config, tmp_path)
    assert "svc_b --- net_front" in diagram and "svc_b --- net_back" in diagram
    assert "svc_a --- net_back" not in diagram


def test_a_malformed_compose_file_is_refused_with_its_name_and_line(tmp_path):
    (tmp_path / "docker-compose.yml").write_text("services:\n  web: [\n")
    with pytest.raises(InvalidExample, match=rf"{tmp_path}/docker-compose.yml: yaml: line \d+"):
        load_config(tmp_path / "docker-compose.yml")


BLOCK = '<!-- output: demo-ps -->\n```text\n$ docker compose ps\n(expected)\n```\n'


def test_without_a_capture_the_page_keeps_its_expected_output():
    html = captures.render_outputs(BLOCK, {})
    assert "(expected)" in html and "this build carries no capture of it" in html


def test_a_captured_output_replaces_the_expected_one_and_says_when_and_against_what(tmp_path):
    report = tmp_path / "captures.json"
    captures.record_output("demo-ps", "docker compose ps", "NAME  STATUS\nweb   Up\n", engine="20.10.24",
                           images="stand-in images", path=report)
    html = captures.render_outputs(BLOCK, captures.read_captures(report))
    assert "(expected)" not in html
    assert "$ docker compose ps\nNAME  STATUS\nweb   Up\n```" in html
    assert "against Docker engine 20.10.24, stand-in images" in html


def test_a_bundle_holds_exactly_the_files_of_its_example_folder():
    archive = zipfile.ZipFile(io.BytesIO(bundles.example_zip("publish-vs-expose")))
    folder = bundles.EXAMPLES_DIR / "publish-vs-expose"
    expected = {f"publish-vs-expose/{p.relative_to(folder).as_posix()}": p.read_bytes()
                for p in folder.rglob("*") if p.is_file()}
    assert {name: archive.read(name) for name in archive.namelist()} == expected


def test_bundle_links_are_relative_to_the_page():
    assert bundles.bundle_link("x", "ports.md") == "downloads/x.zip"
    assert bundles.bundle_link("x", "learn/ports.md") == "../downloads/x.zip"


def test_the_all_examples_bundle_unpacks_to_a_folder_where_compose_resolves_the_assignment(tmp_path):
    from primer.compose import run_compose

    with zipfile.ZipFile(io.BytesIO(bundles.all_examples_zip())) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    root = tmp_path / bundles.ALL_EXAMPLES
    assert f"{bundles.ALL_EXAMPLES}/docker-compose.yml" in names
    for example in bundles.list_examples():
        assert (root / "examples" / example.slug / "docker-compose.yml").is_file(), example.slug
    proc = run_compose(["config", "--services"], cwd=root, check=False)
    assert proc.returncode == 0, proc.stderr
    assert set(proc.stdout.split()) == {"backend", "postgres", "redis", "mongo"}, proc.stdout
