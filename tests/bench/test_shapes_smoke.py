"""The shapes bench (bench/shapes.py, `make bench-shapes`) at a tiny size, so it cannot rot.

Checks the plumbing (every shape's file is valid and deterministic, every reference runs, the
report says which reader `kpi ingest` took), never a speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.shapes import CSV_SHAPES, frame, write
from pipelines.intake.check import check_bytes
from pipelines.catalog import load_catalog
from pipelines.settings import DEFAULT_CATALOG_DIR
from tests.intake.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("shape", CSV_SHAPES)
def test_every_csv_shape_is_a_valid_file_for_the_fast_reader(shape: str, tmp_path: Path) -> None:
    path = write(shape, 1200, 5, tmp_path / f"{shape}.csv")
    assert write(shape, 1200, 5, tmp_path / "again.csv").read_bytes() == path.read_bytes()
    read, checked = check_bytes(path.read_bytes, 1 << 30, load_catalog(DEFAULT_CATALOG_DIR), TODAY)
    assert checked is not None and checked.ok, checked.problems[:3] if checked else read.problems
    assert checked.observations.height == 1200 and read.reader == "fast"
    if shape == "cp1258":
        assert read.encoding == "Windows-1258" and read.delimiter == ";"


def test_the_high_cardinality_shapes_do_not_repeat_their_values() -> None:
    cells = frame("breakdowns", 2000, 5)
    assert all(cells[c].n_unique() == 2000 for c in ("country", "staff_category", "program", "service", "budget_line"))
    assert frame("notes", 2000, 5)["note"].n_unique() == 2000
    assert frame("one_indicator", 2000, 5)["indicator"].unique().to_list() == ["OFFICIALS_TRAINED"]
    assert len(frame("wide", 2000, 5).columns) == 26


def test_quick_matrix_runs_and_reports_the_reader(tmp_path: Path) -> None:
    report, results = tmp_path / "report.md", tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.shapes", "--quick", "--cpu", "-1", "--shapes", "mix,cp1258,xlsx",
         "--dir", str(tmp_path / "files"), "--report", str(report), "--json", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    measured = {r["shape"]: r for r in json.loads(results.read_text())["shapes"]}
    assert measured["mix"]["kpi_ingest"]["readers"] == ["fast"]
    assert measured["cp1258"]["kpi_ingest"]["readers"] == ["fast"]
    assert measured["xlsx"]["kpi_ingest"]["readers"] == ["xlsx"]
    for r in measured.values():
        assert r["kpi_ingest"]["wall"] > 0 and r["kpi_ingest"]["max_rss_mb"] > 0
        assert r["pandas_sqlite"]["wall"] > 0 and r["polars_duckdb"]["seconds"] > 0
    assert measured["mix"]["duckdb_varchar"]["seconds"] > 0
    assert "not run" in measured["xlsx"]["duckdb"]["error"]  # never an extension download
    text = report.read_text()
    assert "| mix | 3k |" in text and "| fast |" in text and "| xlsx | 500 |" in text
    assert not list((tmp_path / "files").glob("work-*")), "the work folder is removed"
