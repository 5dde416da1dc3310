"""The benchmark at a tiny size, so that `make bench` cannot rot between full runs.

Checks the plumbing only (generator, builder, every child process, the report), never a
speed: timings on a shared CI machine mean nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl

from bench.generate import COLUMNS, sample, write_csv
from pipelines.intake.read import read_bytes

ROOT = Path(__file__).resolve().parents[2]


def test_generated_file_is_in_the_template_and_deterministic(tmp_path: Path) -> None:
    first = write_csv(sample(1500, seed=3), tmp_path / "a.csv").read_bytes()
    again = write_csv(sample(1500, seed=3), tmp_path / "b.csv").read_bytes()
    assert first == again
    table = read_bytes(first, 10 * 1024 * 1024).table
    assert table is not None and not table.problems
    assert table.columns == COLUMNS and table.height == 1500
    frame = sample(1500, seed=3)
    assert frame.select("indicator", "reporter", "_period", *COLUMNS[3:9]).is_duplicated().sum() == 0
    assert frame.filter(pl.col("note").is_not_null()).height > 0


def test_quick_bench_runs_end_to_end(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--cache-dir", str(tmp_path / "cache"), "--report", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = report.read_text()
    assert "identical observations" in text
    assert "| 2k |" in text and "| 5k |" in text
    results = json.loads(next((tmp_path / "cache").glob("results-*.json")).read_text())
    ingest = results["ingest"][0]
    assert ingest["kpi_ingest"]["wall"] > 0 and ingest["kpi_ingest"]["max_rss_mb"] > 0
    assert ingest["pandas_sqlite"]["wall"] > 0 and ingest["duckdb_varchar"]["seconds"] > 0
    reads = results["reads"][0]
    assert reads["observations"] == 5000
    assert reads["overview"]["cold"] > 0 and reads["overview"]["cached"] >= 0
    assert reads["indicator"]["result_size"] > 0
    assert reads["incremental"]["rows"] == 2000 and reads["incremental"]["wall"] > 0
    assert not list((tmp_path / "cache").glob("work-*")), "the work folder is removed"
