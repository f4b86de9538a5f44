"""examples/named-volume, taught on docs/volumes-and-bind-mounts.md."""
import pytest

pytestmark = pytest.mark.docker

KEY = "primer:greeting"


def redis_cli(project, *args: str):
    return project.exec("redis", ["redis-cli", *args])


@pytest.mark.claim("named-volume-survives-down")
@pytest.mark.claim("compose-down-keeps-named-volumes")
def test_data_in_a_named_volume_survives_down_and_up(compose_project):
    project = compose_project("named-volume")
    result = redis_cli(project, "SET", KEY, "still here")
    assert result.exit_code == 0 and "OK" in result.output, result.output

    project.compose("down")  # no -v: containers and network go, the volume stays
    assert project.containers() == [], "down should remove the containers"
    assert project.network_names() == [], "down should remove the network"
    volumes = project.volume_names()
    assert volumes == [f"{project.name}_redis-data"], volumes

    project.up()
    result = redis_cli(project, "GET", KEY)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "still here", result.output


@pytest.mark.claim("down-v-removes-named-volume")
@pytest.mark.claim("compose-down-keeps-named-volumes")
def test_down_v_removes_the_named_volume_and_its_data(compose_project):
    project = compose_project("named-volume")
    result = redis_cli(project, "SET", KEY, "about to vanish")
    assert result.exit_code == 0, result.output

    project.compose("down", "-v")
    assert project.volume_names() == [], project.volume_names()

    project.up()
    result = redis_cli(project, "EXISTS", KEY)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0", f"the key came back after down -v: {result.output}"


@pytest.mark.claim("compose-prefixes-volume-names")
def test_compose_names_the_volume_after_the_project(compose_project):
    project = compose_project("named-volume")
    assert project.volume_names() == [f"{project.name}_redis-data"]


@pytest.mark.claim("redis-image-is-redis-7", about=["redis:7"])
def test_the_redis_image_runs_redis_7(compose_project):
    project = compose_project("named-volume")
    result = project.exec("redis", ["redis-server", "--version"])
    assert result.exit_code == 0, result.output
    assert "v=7." in result.output, result.output


@pytest.mark.claim("official-images-declare-data-folders", about=["redis:7", "postgres:15", "mongo:7"])
@pytest.mark.parametrize("image, folder", [
    ("redis:7", "/data"),
    ("postgres:15", "/var/lib/postgresql/data"),
    ("mongo:7", "/data/db"),
])
def test_database_images_declare_where_they_keep_data(docker_client, image, folder):
    volumes = docker_client.images.get(image).attrs["Config"].get("Volumes") or {}
    assert folder in volumes, f"{image} declares {sorted(volumes)}"
