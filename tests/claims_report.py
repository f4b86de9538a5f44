"""pytest plugin: writes reports/claims.json, the record the site's claim marks are drawn from.

For each claim: its result over the tests marked with it, their ids, the Docker engine and
Compose versions, whether its example ran on official or stand-in images, and the time.
Claims and examples that did not run this time keep their previous entry.
"""
from __future__ import annotations

import time

import pytest

from primer import claims as claims_model
from primer import reports
from primer.examples import Example
from primer.images import read_report as read_images_report
from tests.harness import EXAMPLE_PROPERTY

_results: dict[str, dict] = {}  # node id -> {"outcome", "reason", "claims", "examples", "about"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for mark in item.iter_markers("claim"):
            item.user_properties.append(("claim", mark.args[0]))
            # about=["postgres:15"]: the claim states how that official image behaves, so a
            # run on its stand-in proves it of the stand-in only, and the mark says so.
            for image in mark.kwargs.get("about", []):
                item.user_properties.append(("claim-about", f"{mark.args[0]}={image}"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = _results.setdefault(report.nodeid, {"outcome": "passed", "reason": "", "claims": [], "examples": [],
                                                "about": []})
    entry["claims"] = sorted({value for key, value in report.user_properties if key == "claim"})
    entry["about"] = sorted({value for key, value in report.user_properties if key == "claim-about"})
    # Attributed by the fixture that brought the example up, whatever the test file is named.
    entry["examples"] = sorted(set(entry["examples"]) | {value for key, value in report.user_properties
                                                          if key == EXAMPLE_PROPERTY})
    if report.skipped and entry["outcome"] == "passed":
        entry["outcome"], entry["reason"] = "skipped", _skip_reason(report)
    elif report.failed:
        entry["outcome"] = "failed"
        entry["reason"] = f"{report.when} failed"


def _skip_reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return report.longrepr[2].removeprefix("Skipped: ")
    return str(report.longrepr)


def _images_of(slug: str | None, statuses: dict) -> dict[str, str]:
    if not slug or not Example(slug).compose_file.is_file():
        return {}
    return {image: statuses[image].kind for image in sorted(Example(slug).images()) if image in statuses}


def _summarise(node_ids: list[str], stamp: dict, images: dict[str, str]) -> dict:
    outcomes = [_results[n] for n in node_ids]
    failed = [o for o in outcomes if o["outcome"] == "failed"]
    passed = [o for o in outcomes if o["outcome"] == "passed"]
    if failed:
        result, reason = "failed", failed[0]["reason"]
    elif passed:
        result, reason = "verified", ""
    else:
        result, reason = "skipped", outcomes[0]["reason"]
    return {"result": result, "reason": reason, "tests": node_ids, **stamp, "images": images}


def _versions() -> tuple[dict[str, str], str]:
    engine: dict[str, str] = {}
    compose = ""
    try:
        import docker

        from primer.engine import engine_versions

        client = docker.from_env(timeout=10)
        try:
            engine = engine_versions(client).as_dict()
        finally:
            client.close()
    except Exception:  # no engine: the report says so by leaving the fields empty
        pass
    try:
        from primer.compose import compose_version

        compose = compose_version()
    except Exception:  # as above
        pass
    return engine, compose


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput") or not _results:
        return  # xdist workers send their reports to the controller, which writes the file
    engine, compose = _versions()
    # "engine" stays the engine's own version (what the marks show); the rest beside it.
    stamp = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "engine": engine.get("engine", ""),
             "containerd": engine.get("containerd", ""), "runc": engine.get("runc", ""),
             "buildx": engine.get("buildx", ""), "compose": compose}
    statuses = read_images_report()
    try:
        report = claims_model.read_report()
    except claims_model.ClaimError:
        report = {}
    known = set(claims_model.page_claims())
    claims = {k: v for k, v in report.get("claims", {}).items() if k in known}
    examples = {slug: entry for slug, entry in report.get("examples", {}).items()
                if Example(slug).compose_file.is_file()}

    by_claim: dict[str, list[str]] = {}
    by_example: dict[str, list[str]] = {}
    for node_id, entry in _results.items():
        for claim_id in entry["claims"]:
            by_claim.setdefault(claim_id, []).append(node_id)
        for slug in entry["examples"]:
            by_example.setdefault(slug, []).append(node_id)
    for claim_id, node_ids in by_claim.items():
        images: dict[str, str] = {}
        for node_id in node_ids:
            for slug in _results[node_id]["examples"]:
                images.update(_images_of(slug, statuses))
        claims[claim_id] = _summarise(sorted(node_ids), stamp, images)
        about = {pair.split("=", 1)[1] for node_id in node_ids for pair in _results[node_id]["about"]
                 if pair.split("=", 1)[0] == claim_id}
        stand_ins = {image: statuses[image].built_from for image in sorted(about)
                     if image in statuses and statuses[image].kind == "stand-in"}
        if stand_ins:
            claims[claim_id]["stand_in_for"] = stand_ins
    for slug, node_ids in by_example.items():
        examples[slug] = _summarise(sorted(node_ids), stamp, _images_of(slug, statuses))

    reports.write(reports.CLAIMS, {**stamp, "claims": dict(sorted(claims.items())),
                                   "examples": dict(sorted(examples.items()))})
