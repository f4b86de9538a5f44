"""examples/named-volume, taught on docs/volumes-and-bind-mounts.md (and run as docs/index.md
shows); also what the official database images this site uses are."""
import pytest

from primer.compose import run_compose

pytestmark = pytest.mark.docker

KEY = "primer:greeting"


def redis_cli(project, *args: str):
    return project.exec("redis", ["redis-cli", *args])


@pytest.fixture(scope="module")
def stack(module_compose_project):
    """One stack for the tests that only look at it."""
    return module_compose_project("named-volume")


@pytest.mark.claim("named-volume-survives-down")
@pytest.mark.claim("compose-down-keeps-named-volumes")
@pytest.mark.claim("commands-down-is-safe-down-v-resets")
@pytest.mark.claim("trouble-down-v-empties-the-database")
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
@pytest.mark.claim("commands-down-is-safe-down-v-resets")
@pytest.mark.claim("trouble-down-v-empties-the-database")
@pytest.mark.claim("housekeeping-down-v-removes-anonymous-volume")
@pytest.mark.claim("down-v-removes-named-and-anonymous-volumes")
@pytest.mark.claim("home-run-an-example-up-and-down-v")
def test_down_v_removes_the_named_volume_and_its_data(compose_project):
    project = compose_project("named-volume")
    result = redis_cli(project, "SET", KEY, "about to vanish")
    assert result.exit_code == 0, result.output

    project.compose("down", "-v")
    assert project.volume_names() == [], project.volume_names()
    assert project.containers() == [] and project.network_names() == [], "down -v removes it all"

    project.up()
    result = redis_cli(project, "EXISTS", KEY)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0", f"the key came back after down -v: {result.output}"
    assert redis_cli(project, "DBSIZE").output.strip() == "0", "the new database is empty"


@pytest.mark.claim("compose-prefixes-volume-names")
def test_compose_names_the_volume_after_the_project(stack):
    assert stack.volume_names() == [f"{stack.name}_redis-data"]


@pytest.mark.claim("redis-image-is-redis-7", about=["redis:7"])
def test_the_redis_image_runs_redis_7(stack, docker_client):
    result = stack.exec("redis", ["redis-server", "--version"])
    assert result.exit_code == 0, result.output
    assert "v=7." in result.output, result.output
    assert "ID=debian" in stack.exec("redis", ["cat", "/etc/os-release"]).output
    # the image's own command is the server, and it runs as the container's main process (1)
    assert docker_client.images.get("redis:7").attrs["Config"]["Cmd"] == ["redis-server"]
    main = stack.exec("redis", ["cat", "/proc/1/cmdline"]).output.split("\0")
    assert main[0].split()[0].split("/")[-1] == "redis-server", main  # redis shows its address after its name


@pytest.mark.claim("postgres-image-is-postgres-15", about=["postgres:15"])
def test_the_postgres_image_is_debian_with_postgresql_15(docker_client, docker_names):
    _, labels = docker_names("named-volume")
    # Not remove=True: the SDK removes the container without its anonymous volume (the image
    # declares one); the labelled container is removed with it after the test.
    shown = docker_client.containers.run("postgres:15", ["sh", "-c", "cat /etc/os-release; postgres --version"],
                                         labels=labels).decode()
    assert "ID=debian" in shown and "(PostgreSQL) 15." in shown, shown


@pytest.mark.claim("mount-kind-named-volume-or-path")
@pytest.mark.claim("mount-kind-where-files-live")
def test_a_named_volume_lives_in_a_storage_area_docker_manages(stack, docker_client):
    (mount,) = stack.container("redis").attrs["Mounts"]
    assert (mount["Type"], mount["Name"], mount["Destination"]) == ("volume", f"{stack.name}_redis-data", "/data")
    root = docker_client.info()["DockerRootDir"]
    volume = docker_client.volumes.get(mount["Name"])
    assert volume.attrs["Driver"] == "local"
    assert volume.attrs["Mountpoint"] == f"{root}/volumes/{mount['Name']}/_data" == mount["Source"], volume.attrs


@pytest.mark.claim("down-v-removes-named-and-anonymous-volumes")
def test_down_says_v_is_short_for_volumes_and_what_it_removes(stack):
    shown = run_compose(["down", "--help"], cwd=stack.example.path).stdout
    option = shown.split("-v, --volumes", 1)[1].split("\n  -", 1)[0]  # up to the next option
    assert " ".join(option.split()) == ('Remove named volumes declared in the "volumes" section of the Compose '
                                        'file and anonymous volumes attached to containers'), shown


@pytest.mark.claim("official-images-declare-data-folders", about=["redis:7", "postgres:15", "mongo:7"])
@pytest.mark.parametrize("image, folder", [
    ("redis:7", "/data"),
    ("postgres:15", "/var/lib/postgresql/data"),
    ("mongo:7", "/data/db"),
])
def test_database_images_declare_where_they_keep_data(docker_client, image, folder):
    volumes = docker_client.images.get(image).attrs["Config"].get("Volumes") or {}
    assert folder in volumes, f"{image} declares {sorted(volumes)}"
