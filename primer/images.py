"""Have every image the examples need: reuse, pull, or build a stand-in with the same tag.

    python -m primer.images          # provision, print a table, write reports/images.json

Where a registry answers, official images are pulled and used. Where none does, images
listed in STAND_INS are built from Debian bookworm packages (see primer/standins/).
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import reports
from .examples import list_examples

STAND_IN_LABEL = "io.github.docker-primer.stand-in"
BUILT_FROM_LABEL = "io.github.docker-primer.built-from"
RECIPE_LABEL = "io.github.docker-primer.recipe"  # hash of the stand-in's folder: a changed recipe is rebuilt
BASE_IMAGE = "debian:bookworm-slim"
STANDINS_DIR = Path(__file__).parent / "standins"
PULL_TIMEOUT_S = 300
# A stand-in whose Dockerfile names MACHINE_CA_NAME gets this machine's CA bundle in its build
# context: where the machine reaches PyPI through a certificate authority of its own, an
# example's `pip install` inside such a stand-in then works as it does on a learner's machine.
MACHINE_CA_BUNDLE = Path(os.environ.get("PRIMER_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
MACHINE_CA_NAME = "build-machine-ca.crt"

# official tag -> folder under primer/standins/ (BASE_IMAGE is made by debootstrap instead)
STAND_INS = {
    "python:3.11-slim": "python",
    "redis:7": "redis",
    "postgres:15": "postgres",
    "mongo:7": "mongo",
    "registry:2": "registry",
}


@dataclass
class ImageStatus:
    image: str
    kind: str  # "official", "stand-in" or "unavailable"
    how: str  # "present", "pulled", "built", or why it is unavailable
    built_from: str = ""


def _docker(*args: str, timeout: float = 600, input_bytes: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    # DOCKER_BUILDKIT=1: every build goes through BuildKit; without buildx the build fails and
    # says so, rather than falling back to the legacy builder.
    return subprocess.run(["docker", *args], capture_output=True, timeout=timeout, input=input_bytes,
                          env={**os.environ, "DOCKER_BUILDKIT": "1"})


def _trusts_machine_ca(image: str) -> bool:
    return MACHINE_CA_NAME in (STANDINS_DIR / STAND_INS[image] / "Dockerfile").read_text()


def _machine_ca_bundle() -> bytes:
    try:
        return MACHINE_CA_BUNDLE.read_bytes()
    except OSError as error:
        raise RuntimeError(f"the stand-ins that run pip need this machine's CA bundle: {error}") from error


def recipe_hash(image: str) -> str:
    digest = hashlib.sha256()
    for path in sorted((STANDINS_DIR / STAND_INS[image]).rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STANDINS_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    if _trusts_machine_ca(image):
        try:
            bundle = _machine_ca_bundle()
        except RuntimeError:  # no bundle here: the build says so; the hash only has to differ
            bundle = b"(no bundle)"
        digest.update(MACHINE_CA_NAME.encode() + b"\0" + bundle)
    return digest.hexdigest()[:16]


def _labels(image: str) -> dict | None:
    """The image's labels, or None when the engine does not have it."""
    proc = _docker("image", "inspect", "--format", "{{json .Config.Labels}}", image, timeout=30)
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout or b"null") or {}


def _status_from(image: str, labels: dict, how: str) -> ImageStatus:
    if labels.get(STAND_IN_LABEL) == "true":
        return ImageStatus(image, "stand-in", how, labels.get(BUILT_FROM_LABEL, ""))
    return ImageStatus(image, "official", how)


def _outdated_stand_in(image: str, labels: dict) -> bool:
    """A stand-in built from an older recipe than primer/standins/ holds now."""
    return (image in STAND_INS and labels.get(STAND_IN_LABEL) == "true"
            and labels.get(RECIPE_LABEL) != recipe_hash(image))


def _status_after(image: str, how: str) -> ImageStatus:
    """The status of an image just pulled or built; unavailable if the engine lacks it even so."""
    return inspect_status(image, how) or ImageStatus(image, "unavailable", f"{how}, but the engine does not list it")


def inspect_status(image: str, how: str = "present") -> ImageStatus | None:
    labels = _labels(image)
    return None if labels is None else _status_from(image, labels, how)


def _try_pull(image: str) -> tuple[bool, str]:
    try:
        proc = _docker("pull", "--quiet", image, timeout=PULL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return False, f"docker pull {image} timed out after {PULL_TIMEOUT_S}s"
    return proc.returncode == 0, proc.stderr.decode(errors="replace").strip()


def _build_base_image() -> None:
    """debian:bookworm-slim from debootstrap: a genuine Debian root filesystem, imported."""
    if not shutil.which("debootstrap"):
        raise RuntimeError("debootstrap is not installed (apt-get install debootstrap); it builds the "
                           f"{BASE_IMAGE} base of the stand-in images")
    with tempfile.TemporaryDirectory(prefix="primer-rootfs-") as rootfs:
        bootstrap = subprocess.run(["debootstrap", "--variant=minbase", "bookworm", rootfs,
                                    "http://deb.debian.org/debian"], capture_output=True, text=True, timeout=900)
        if bootstrap.returncode != 0:
            raise RuntimeError(f"debootstrap failed:\n{bootstrap.stdout[-2000:]}{bootstrap.stderr[-2000:]}")
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (Path(rootfs) / cache).glob("*.deb" if "archives" in cache else "*_*"):
                entry.unlink()
        tar = subprocess.run(["tar", "-C", rootfs, "-c", "."], capture_output=True, check=True)
        proc = _docker("import", "--change", 'CMD ["bash"]', "--change", "ENV LANG=C.UTF-8",
                       "--change", f'LABEL {STAND_IN_LABEL}="true"',
                       "--change", f'LABEL {BUILT_FROM_LABEL}="debootstrap --variant=minbase bookworm"',
                       "-", BASE_IMAGE, input_bytes=tar.stdout)
        if proc.returncode != 0:
            raise RuntimeError(f"docker import failed: {proc.stderr.decode(errors='replace')}")


def _download_wheels(requirements: Path, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp",
         "--platform", "manylinux2014_x86_64", "--platform", "any",
         "-r", str(requirements), "-d", str(into)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"pip download for {requirements} failed:\n{proc.stderr[-2000:]}")
    shutil.copy(requirements, into / "requirements.txt")


def _build_stand_in(image: str) -> None:
    source = STANDINS_DIR / STAND_INS[image]
    with tempfile.TemporaryDirectory(prefix="primer-standin-") as context:
        shutil.copytree(source, context, dirs_exist_ok=True)
        if (source / "requirements.txt").is_file():
            _download_wheels(source / "requirements.txt", Path(context) / "wheels")
        if _trusts_machine_ca(image):
            (Path(context) / MACHINE_CA_NAME).write_bytes(_machine_ca_bundle())
        proc = _docker("build", "--quiet", "--label", f"{RECIPE_LABEL}={recipe_hash(image)}",
                       "--tag", image, context, timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"building stand-in {image} from {source} failed:\n"
                               f"{proc.stderr.decode(errors='replace')[-3000:]}")


def needed_images() -> list[str]:
    images = set()
    for example in list_examples():
        images |= example.images()
    return sorted(images)


def provision(images: list[str]) -> list[ImageStatus]:
    statuses: dict[str, ImageStatus] = {}
    missing = []
    for image in images:
        labels = _labels(image)  # one inspect per image: this runs on every `scripts/test`
        if labels is not None and not _outdated_stand_in(image, labels):
            statuses[image] = _status_from(image, labels, "present")
        else:
            missing.append(image)

    pull_errors = {}
    for image in missing:
        pulled, error = _try_pull(image)
        if pulled:
            statuses[image] = _status_after(image, "pulled")
        else:
            pull_errors[image] = error.splitlines()[-1] if error else "pull failed"

    to_build = [image for image in pull_errors if image in STAND_INS]
    for image in pull_errors:
        if image not in STAND_INS and image != BASE_IMAGE:
            statuses[image] = ImageStatus(image, "unavailable",
                                          f"cannot be pulled ({pull_errors[image]}) and has no stand-in")
    if to_build or BASE_IMAGE in pull_errors:
        try:
            if not inspect_status(BASE_IMAGE) and not _try_pull(BASE_IMAGE)[0]:
                _build_base_image()
            if BASE_IMAGE in pull_errors:
                statuses[BASE_IMAGE] = _status_after(BASE_IMAGE, "built")
        except RuntimeError as error:
            for image in [*to_build, *([BASE_IMAGE] if BASE_IMAGE in pull_errors else [])]:
                statuses[image] = ImageStatus(image, "unavailable", str(error).splitlines()[0])
            to_build = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = {pool.submit(_build_stand_in, image): image for image in to_build}
        for future in concurrent.futures.as_completed(futures):
            image = futures[future]
            try:
                future.result()
                statuses[image] = _status_after(image, "built")
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                statuses[image] = ImageStatus(image, "unavailable", str(error).splitlines()[0])
    return [statuses[image] for image in images]


def write_report(statuses: list[ImageStatus]) -> None:
    reports.write(reports.IMAGES, {"generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                   "images": [asdict(s) for s in statuses]})


def read_report() -> dict[str, ImageStatus]:
    """Image statuses from the last provisioning run, keyed by image; {} if none ran."""
    try:
        data = reports.read(reports.IMAGES)
    except reports.ReportError:
        return {}  # provisioning writes it anew at the start of every scripts/test
    return {entry["image"]: ImageStatus(**entry) for entry in data.get("images", [])}


def format_table(statuses: list[ImageStatus]) -> str:
    width = max((len(s.image) for s in statuses), default=5)
    lines = [f"{'image':<{width}}  {'kind':<11}  how"]
    for s in statuses:
        detail = f"{s.how}" + (f" ({s.built_from})" if s.built_from else "")
        lines.append(f"{s.image:<{width}}  {s.kind:<11}  {detail}")
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    images = needed_images()
    statuses = provision(images)
    write_report(statuses)
    print(format_table(statuses))
    print(f"images ready in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
