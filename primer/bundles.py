"""Take-away bundles: each example folder as a zip built with the site."""
from __future__ import annotations

import io
import posixpath
import zipfile

from . import EXAMPLES_DIR
from .examples import list_examples
from .includes import is_shown

_EPOCH = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: the same folder always gives the same zip


def bundle_uri(slug: str) -> str:
    return f"downloads/{slug}.zip"


def bundle_link(slug: str, page_src_uri: str) -> str:
    """The bundle's path relative to a page's source file (what a Markdown link needs)."""
    return posixpath.relpath(bundle_uri(slug), posixpath.dirname(page_src_uri) or ".")


def example_zip(slug: str) -> bytes:
    """The folder `examples/<slug>/` as `<slug>/...` in a zip, file modes kept (scripts stay executable)."""
    folder = EXAMPLES_DIR / slug
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and is_shown(path):
                info = zipfile.ZipInfo(f"{slug}/{path.relative_to(folder).as_posix()}", _EPOCH)
                info.external_attr = (path.stat().st_mode & 0o777 | 0o100000) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def example_zips() -> dict[str, bytes]:
    return {example.slug: example_zip(example.slug) for example in list_examples()}
