"""The examples: one folder each under examples/, read through real Compose.

`docker compose config --format json` resolves defaults, `.env`, short syntax and
interpolation exactly as `up` will, so nothing here parses compose YAML by hand.
"""
from __future__ import annotations

import functools
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import COMPOSE_FILE_NAME, EXAMPLES_DIR
from .compose import ComposeError, run_compose


class InvalidExample(ValueError):
    """An example folder or compose file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class PublishedPort:
    service: str
    target: int
    published: int | None  # None: the engine picks a free host port
    host_ip: str  # "" means all host interfaces
    protocol: str = "tcp"


@dataclass(frozen=True)
class Example:
    slug: str
    folder: Path = EXAMPLES_DIR  # where its folder is: a copy elsewhere, for tests that edit its files

    @property
    def path(self) -> Path:
        return self.folder / self.slug

    def copied_to(self, folder: Path) -> Example:
        """The same example in a copy of its folder under `folder`, named as the original."""
        shutil.copytree(self.path, folder / self.slug, symlinks=True)
        return Example(self.slug, folder)

    @property
    def compose_file(self) -> Path:
        return self.path / COMPOSE_FILE_NAME

    @property
    def config(self) -> dict:
        return load_config(self.compose_file)

    @property
    def services(self) -> dict[str, dict]:
        return self.config.get("services", {})

    def published_ports(self) -> list[PublishedPort]:
        ports = []
        for name, service in self.services.items():
            for port in service.get("ports", []):
                published = port.get("published")
                ports.append(PublishedPort(
                    service=name, target=int(port["target"]),
                    published=int(published) if published else None,
                    host_ip=port.get("host_ip", ""), protocol=port.get("protocol", "tcp")))
        return ports

    def with_dependencies(self, services: tuple[str, ...] | list[str] = ()) -> set[str]:
        """What `docker compose up <services>` starts: those services and all they depend on
        (every service when none is named)."""
        if not services:
            return set(self.services)
        unknown = set(services) - set(self.services)
        if unknown:
            raise InvalidExample(f"{self.compose_file}: no service {', '.join(sorted(unknown))} "
                                 f"(services: {', '.join(sorted(self.services))})")
        started, todo = set(), list(services)
        while todo:
            name = todo.pop()
            if name not in started:
                started.add(name)
                todo.extend(self.services[name].get("depends_on", {}))
        return started

    def fixed_host_ports(self, services: tuple[str, ...] | list[str] = ()) -> list[int]:
        """Host ports published by number ("3000:3000") by these services and what they depend on
        (by every service when none is named): two stacks using one cannot run at once."""
        started = self.with_dependencies(services)
        return sorted({p.published for p in self.published_ports() if p.published and p.service in started})

    def images(self) -> set[str]:
        """Images pulled as they are (`image:` without `build:`) or named in a Dockerfile's FROM."""
        needed = set()
        for service in self.services.values():
            build = service.get("build")
            if build:
                needed |= dockerfile_base_images(Path(build["context"]) / build.get("dockerfile", "Dockerfile"))
            elif service.get("image"):
                needed.add(service["image"])
        return needed


def list_examples() -> list[Example]:
    if not EXAMPLES_DIR.is_dir():
        return []
    examples = []
    for folder in sorted(p for p in EXAMPLES_DIR.iterdir() if p.is_dir()):
        if not (folder / COMPOSE_FILE_NAME).is_file():
            raise InvalidExample(f"{folder}: an example folder needs a {COMPOSE_FILE_NAME}")
        examples.append(Example(folder.name))
    return examples


def get_example(slug: str) -> Example:
    example = Example(slug)
    if not example.compose_file.is_file():
        known = ", ".join(e.slug for e in list_examples())
        raise InvalidExample(f"no example {slug!r}: {example.compose_file} does not exist (known: {known})")
    return example


@functools.cache
def _load_config_cached(compose_file: Path, mtime_ns: int) -> dict:
    try:
        proc = run_compose(["-f", str(compose_file), "config", "--format", "json"],
                           cwd=compose_file.parent, timeout=60)
    except ComposeError as error:
        detail = str(error).split(":\n", 1)[-1]
        raise InvalidExample(f"{compose_file}: {detail}") from None
    return json.loads(proc.stdout)


def load_config(compose_file: Path) -> dict:
    """The fully resolved compose model of one file (cached until the file changes)."""
    compose_file = compose_file.resolve()
    if not compose_file.is_file():
        raise InvalidExample(f"{compose_file}: file not found")
    mtimes = sum(p.stat().st_mtime_ns for p in compose_file.parent.glob("*") if p.is_file())
    return _load_config_cached(compose_file, mtimes)


_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE | re.MULTILINE)


def dockerfile_base_images(dockerfile: Path) -> set[str]:
    if not dockerfile.is_file():
        raise InvalidExample(f"{dockerfile}: Dockerfile not found (named by a build: entry)")
    stages, bases = set(), set()
    for match in _FROM.finditer(dockerfile.read_text()):
        image, stage = match.group(1), match.group(2)
        if image.lower() not in stages and image != "scratch":
            bases.add(image)
        if stage:
            stages.add(stage.lower())
    return bases
