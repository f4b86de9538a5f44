"""primer/reports.py: each report's one writer and reader, its format, atomic writes."""
import json
import multiprocessing
from pathlib import Path

import pytest

from primer import reports
from primer.reports import Report, ReportError

DEMO = Report("demo.json", 3, "the demo command")


def test_a_report_reads_back_what_was_written_with_its_format(tmp_path: Path):
    path = tmp_path / "demo.json"
    reports.write(DEMO, {"claims": {"a": 1}}, path)
    assert json.loads(path.read_text()) == {"format": 3, "claims": {"a": 1}}
    assert reports.read(DEMO, path) == {"format": 3, "claims": {"a": 1}}
    assert not [p for p in tmp_path.iterdir() if p.name != "demo.json"], "a temporary file was left"


def test_a_report_of_another_format_reads_as_none(tmp_path: Path):
    path = tmp_path / "demo.json"
    path.write_text('{"claims": {"a": 1}}')  # as an older checkout wrote it: no format
    assert reports.read(DEMO, path) == {}
    assert reports.read(DEMO, path, any_format=True) == {"claims": {"a": 1}}


def test_a_report_that_is_not_json_names_the_file_and_the_fix(tmp_path: Path):
    path = tmp_path / "demo.json"
    path.write_text("{half")
    with pytest.raises(ReportError, match=rf"^{path}: not valid JSON .*; delete it, or run the demo command again$"):
        reports.read(DEMO, path)


def _add(path: str, key: str) -> None:
    for n in range(20):
        with reports.updating(DEMO, Path(path)) as data:
            data[f"{key}{n}"] = n


def test_concurrent_writers_each_add_to_the_report(tmp_path: Path):
    path = tmp_path / "demo.json"
    writers = [multiprocessing.get_context("spawn").Process(target=_add, args=(str(path), key)) for key in "ab"]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=60)
        assert writer.exitcode == 0
    data = reports.read(DEMO, path)
    assert len(data) == 41, sorted(data)  # 2 x 20 keys and the format


def test_every_report_of_the_run_is_declared_once():
    names = [r.name for r in (reports.CLAIMS, reports.CAPTURES, reports.IMAGES, reports.BENCH)]
    assert names == ["claims.json", "captures.json", "images.json", "bench.json"]
