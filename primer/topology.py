"""Topology diagrams drawn from an example's compose file itself, never by hand.

A page writes `<!-- topology: publish-vs-expose -->`; the build replaces it with a Mermaid
flowchart of that example as Compose resolves it: the host, each service (image, exposed
ports), each network, published ports (host address and port -> container port), volumes,
bind mounts and `depends_on`.
"""
from __future__ import annotations

import re
from pathlib import Path

from .examples import Example, get_example
from .markers import comment

TOPOLOGY_COMMENT = re.compile(r"^(?P<indent>[ \t]*)" + comment("topology", "slug", "[a-z0-9-]+") + r"[ \t]*$",
                              re.MULTILINE)


def _node_id(kind: str, name: str) -> str:
    return f"{kind}_{re.sub(r'[^A-Za-z0-9]', '_', name)}"


def _label(*lines: str) -> str:
    return '"' + "<br/>".join(line.replace('"', "#quot;") for line in lines if line) + '"'


def _service_lines(name: str, service: dict) -> list[str]:
    build = service.get("build")
    image = service.get("image", "")
    what = f"built from ./{build['context'].rsplit('/', 1)[-1]}" if build else image
    exposed = sorted({str(p).split("/")[0] for p in service.get("expose", [])}, key=lambda p: int(p) if p.isdigit() else 0)
    lines = [f"<b>{name}</b>", what]
    if exposed:
        lines.append("expose: " + ", ".join(exposed))
    return lines


def _host_address(port: dict) -> str:
    host_ip = port.get("host_ip", "")
    if host_ip in ("", "0.0.0.0", "::"):
        return "all interfaces"
    return host_ip


def mermaid_for(example: Example) -> str:
    return mermaid_for_config(example.config, example.path)


def mermaid_for_config(config: dict, folder: Path) -> str:
    """The diagram of a resolved compose model (`docker compose config --format json`)."""
    services: dict[str, dict] = config.get("services", {})
    out = ["flowchart LR"]
    host = "host"
    out.append(f'  {host}[["Your machine (the host)"]]')

    memberships = {name: list((svc.get("networks") or {"default": None}).keys()) for name, svc in services.items()}
    one_network_each = all(len(nets) == 1 for nets in memberships.values())
    if one_network_each:
        by_network: dict[str, list[str]] = {}
        for name, nets in memberships.items():
            by_network.setdefault(nets[0], []).append(name)
        for network, names in by_network.items():
            out.append(f'  subgraph {_node_id("net", network)}["network: {network}"]')
            for name in names:
                out.append(f"    {_node_id('svc', name)}[{_label(*_service_lines(name, services[name]))}]")
            out.append("  end")
    else:
        for name, service in services.items():
            out.append(f"  {_node_id('svc', name)}[{_label(*_service_lines(name, service))}]")
        for network in sorted({n for nets in memberships.values() for n in nets}):
            out.append(f'  {_node_id("net", network)}{{{{"network: {network}"}}}}')
        for name, nets in memberships.items():
            for network in nets:
                out.append(f"  {_node_id('svc', name)} --- {_node_id('net', network)}")

    for name, service in services.items():
        for port in service.get("ports", []):
            published = port.get("published") or "any free port"
            where = _host_address(port)
            text = f"{where}:{published} → {port['target']}" if where != "all interfaces" \
                else f"{published} → {port['target']} (all interfaces)"
            out.append(f'  {host} -- "{text}" --> {_node_id("svc", name)}')

    for name, service in services.items():
        for mount in service.get("volumes", []):
            target = mount.get("target", "")
            if mount.get("type") == "volume" and mount.get("source"):
                node = _node_id("vol", mount["source"])
                out.append(f'  {node}[("volume: {mount["source"]}")]')
            elif mount.get("type") == "bind":
                source = mount.get("source", "")
                shown = "./" + source[len(str(folder)) + 1:] if source.startswith(str(folder)) else source
                node = _node_id("bind", f"{name}_{target}")
                out.append(f'  {node}[/"bind mount: {shown}"/]')
            else:
                continue
            out.append(f'  {_node_id("svc", name)} -- "{target}" --- {node}')

    for name, service in services.items():
        for secret in service.get("secrets", []):
            node = _node_id("secret", secret["source"])
            out.append(f'  {node}[/"secret: {secret["source"]}"/]')
            target = secret.get("target") or secret["source"]  # Compose resolves it to an absolute path
            target = target if target.startswith("/") else f"/run/secrets/{target}"
            out.append(f'  {_node_id("svc", name)} -- "{target}" --- {node}')

    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            condition = (spec or {}).get("condition", "service_started").removeprefix("service_")
            out.append(f'  {_node_id("svc", name)} -. "depends on ({condition})" .-> {_node_id("svc", dependency)}')
    return "\n".join(out)


def render_topologies(markdown: str) -> str:
    """Replace each `<!-- topology: slug -->` with a Mermaid fence (InvalidExample names the file)."""

    def fence(match: re.Match) -> str:
        indent = match.group("indent")
        body = mermaid_for(get_example(match.group("slug")))
        lines = ["```mermaid", *body.splitlines(), "```"]
        return "\n".join(indent + line for line in lines)

    return TOPOLOGY_COMMENT.sub(fence, markdown)
