"""primer/provision.py without touching the machine: how versions are read and which suite is
taken. (Installing and starting the engine for real: every fresh machine's scripts/test.)"""
import pytest

from primer import provision
from primer.engine import ENGINE_MIN_MAJOR, EngineVersions, versions_from


@pytest.mark.parametrize("version, major", [("28.5.2+dfsg4-5", 28), ("20.10.24+dfsg1-1+deb12u1+b6", 20),
                                            ("5:29.0.1-1~debian.12~bookworm", 29), ("", 0), ("(none)", 0)])
def test_the_major_version_is_read_from_debian_and_docker_version_strings(version, major):
    assert provision.major_of(version) == major


def test_the_first_suite_with_a_current_engine_is_taken_whatever_its_exact_build():
    assert provision.choose_suite({"forky": "28.5.2+dfsg4-5", "unstable": "29.1.0+dfsg-1"}) == "forky"
    assert provision.choose_suite({"forky": "", "unstable": "29.1.0+dfsg-1"}) == "unstable"
    assert provision.choose_suite({"forky": "27.5.1+dfsg1-1"}) is None
    assert ENGINE_MIN_MAJOR == 28


def test_the_engine_s_versions_come_from_its_own_answer():
    answer = {"Version": "28.5.2+dfsg4", "ApiVersion": "1.51",
              "Components": [{"Name": "Engine", "Version": "28.5.2+dfsg4"}, {"Name": "containerd", "Version": "2.1.9"},
                             {"Name": "runc", "Version": "1.1.5+ds1"}]}
    versions = versions_from(answer, buildx="0.29.1+ds1")
    assert versions == EngineVersions("28.5.2+dfsg4", "1.51", "2.1.9", "1.1.5+ds1", "0.29.1+ds1")
    assert versions.summary() == ("docker engine 28.5.2+dfsg4 (API 1.51), containerd 2.1.9, runc 1.1.5+ds1, "
                                  "buildx 0.29.1+ds1")
    assert versions.warning() == ""


def test_an_engine_older_than_25_gets_a_plain_warning():
    assert EngineVersions(engine="24.0.7").warning().startswith(
        "warning: Docker Engine 24.0.7 is older than 25: the pages show what current engines (28 and newer) do")
    assert EngineVersions(engine="25.0.0").warning() == ""
