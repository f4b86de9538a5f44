"""Take-away bundles built with the site: each example folder as a zip, and all of them in one
zip with the top-level compose file, for readers who cannot clone the repository."""
from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path

from . import EXAMPLES_DIR, ROOT
from .examples import list_examples
from .includes import is_shown

_EPOCH = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: the same folder always gives the same zip


def bundle_uri(slug: str) -> str:
    return f"downloads/{slug}.zip"


def bundle_link(slug: str, page_src_uri: str) -> str:
    """The bundle's path relative to a page's source file (what a Markdown link needs)."""
    return posixpath.relpath(bundle_uri(slug), posixpath.dirname(page_src_uri) or ".")


ALL_EXAMPLES = "docker-primer-examples"  # the zip's name, and the folder it unpacks to
TOP_LEVEL_COMPOSE = ROOT / "docker-compose.yml"


def _add(archive: zipfile.ZipFile, path: Path, name: str) -> None:
    info = zipfile.ZipInfo(name, _EPOCH)
    info.external_attr = (path.stat().st_mode & 0o777 | 0o100000) << 16  # scripts stay executable
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes())


def _add_folder(archive: zipfile.ZipFile, folder: Path, prefix: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and is_shown(path):
            _add(archive, path, f"{prefix}/{path.relative_to(folder).as_posix()}")


def example_zip(slug: str) -> bytes:
    """The folder `examples/<slug>/` as `<slug>/...` in a zip, file modes kept."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_folder(archive, EXAMPLES_DIR / slug, slug)
    return buffer.getvalue()


def all_examples_zip() -> bytes:
    """Every example folder as `docker-primer-examples/examples/<slug>/...`, beside the top-level
    docker-compose.yml, laid out as in the repository: `docker compose up -d` in the unpacked
    folder runs the assignment's stack."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, TOP_LEVEL_COMPOSE, f"{ALL_EXAMPLES}/docker-compose.yml")
        for example in list_examples():
            _add_folder(archive, EXAMPLES_DIR / example.slug, f"{ALL_EXAMPLES}/examples/{example.slug}")
    return buffer.getvalue()


def example_zips() -> dict[str, bytes]:
    """Each bundle by its name: one per example, and ALL_EXAMPLES."""
    return {**{example.slug: example_zip(example.slug) for example in list_examples()},
            ALL_EXAMPLES: all_examples_zip()}
