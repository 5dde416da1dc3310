"""`kpi export`: current values in the template, to stdout or --out, filtered by --indicator."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pipelines.read_model.export import export_csv
from tests.conftest import HEADER, approve_everything

ROWS = [
    ["MISSIONS_ABROAD", "MOFA", "2025-Q1", "95", "", "", ""],
    ["MISSIONS_ABROAD", "MOFA", "2025-Q1", "66", "", "", "embassy"],
    ["BUDGET_OPERATING", "MOF", "2025", "1.234,5", "tỷ đồng", "Ngân sách; đã giao", ""],
]


@pytest.fixture
def loaded(kpi, write_csv, settings):
    result = kpi("ingest", write_csv("a.csv", ROWS, header=HEADER + ["mission_type"], delimiter=";"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert approve_everything(settings) == 2


def test_export_to_stdout(kpi, loaded, settings):
    result = kpi("export")
    assert result.returncode == 0, result.stderr
    assert result.stdout == export_csv(settings.warehouse_path)
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        HEADER + ["mission_type"],
        ["BUDGET_OPERATING", "MOF", "2025", "1234.5", "billion VND", "Ngân sách; đã giao", ""],
        ["MISSIONS_ABROAD", "MOFA", "2025-Q1", "66", "agencies", "", "embassy"],
        ["MISSIONS_ABROAD", "MOFA", "2025-Q1", "95", "agencies", "", ""],
    ]


def test_export_to_file(kpi, loaded, tmp_path):
    out = tmp_path / "out" / "export.csv"
    result = kpi("export", "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "wrote 3 rows" in result.stderr
    assert out.read_text(encoding="utf-8") == kpi("export").stdout


def test_export_one_indicator(kpi, loaded):
    result = kpi("export", "--indicator", "MISSIONS_ABROAD")
    assert result.returncode == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == HEADER + ["mission_type"] and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"MISSIONS_ABROAD"}


def test_export_indicator_without_breakdowns_has_no_breakdown_column(kpi, loaded):
    result = kpi("export", "--indicator", "BUDGET_OPERATING")
    assert result.stdout.splitlines()[0] == ",".join(HEADER)


def test_unknown_indicator_exits_2(kpi, loaded):
    result = kpi("export", "--indicator", "MISSIONS")
    assert result.returncode == 2
    assert "unknown indicator 'MISSIONS'" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_export_of_empty_warehouse_is_the_header(kpi):
    result = kpi("export")
    assert result.returncode == 0 and result.stdout == ",".join(HEADER) + "\n"


def test_export_reingests_as_revisions_of_nothing(kpi, loaded, tmp_path):
    out = tmp_path / "export.csv"
    kpi("export", "--out", out)
    result = kpi("ingest", "--json", out)
    assert result.returncode == 0
    summary = json.loads(result.stdout)["files"][0]
    # Same keys, same values: the export supersedes in the history but revises nothing.
    assert (summary["status"], summary["rows"], summary["revised"]) == ("loaded", 3, 0)


# Issue 14: what `kpi export` wrote raw into a CSV analysts open in Excel.
FORMULAS = ['=HYPERLINK("http://host/x","bấm")', "+1+2", "@SUM(A1:A9)", "=cmd|' /C calc'!A0", "-2+3", "'=already quoted", "'plain"]


def _formula_rows() -> list[list[str]]:
    return [["BUDGET_OPERATING", "MOF", str(2010 + i), str(100 + i), "", note, "=" + str(i) if i % 2 else ""]
            for i, note in enumerate(FORMULAS)]


def test_export_neutralises_formulas_and_the_round_trip_gives_them_back(kpi, write_csv, tmp_path, data_dir):
    ingested = kpi("ingest", write_csv("f.csv", _formula_rows(), header=HEADER + ["program"]))
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    first = kpi("export", "--include-pending")  # unapproved: this test is about the cells
    assert first.returncode == 0, first.stderr
    rows = list(csv.reader(io.StringIO(first.stdout)))
    header, body = rows[0], rows[1:]
    for row in body:
        for name, cell in zip(header, row):
            if name != "value":
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\0")), (name, cell)
    notes = {r[header.index("period")]: r[header.index("note")] for r in body}
    assert notes["2010"] == "'" + FORMULAS[0] and notes["2015"] == "'=already quoted" and notes["2016"] == "''plain"
    assert {r[header.index("program")] for r in body} == {"", "'=1", "'=3", "'=5"}
    assert [r[header.index("value")] for r in body] == [str(100 + i) for i in range(len(FORMULAS))]

    # Into an empty warehouse: accepted, the very notes and breakdown values, and the same export again.
    exported = tmp_path / "export.csv"
    exported.write_text(first.stdout, encoding="utf-8")
    other = {"KPI_DATA_DIR": str(tmp_path / "other")}
    again = kpi("ingest", exported, env=other)
    assert again.returncode == 0, again.stdout + again.stderr
    second = kpi("export", "--include-pending", env=other)
    assert second.stdout == first.stdout
    from pipelines.warehouse.store import open_reader
    with open_reader(tmp_path / "other" / "warehouse" / "kpi.duckdb") as con:
        stored = con.execute("SELECT period, note, breakdown FROM observations ORDER BY period").fetchall()
    # As the first load stored them: a reporter's own '= is Excel's text mark, never part of the value.
    assert [note for _, note, _ in stored] == [n.removeprefix("'") if n.startswith("'=") else n for n in FORMULAS]
    assert [json.loads(b).get("program", "") for _, _, b in stored] == ["=" + str(i) if i % 2 else "" for i in range(len(FORMULAS))]
def test_export_shows_approved_values_unless_pending_are_asked_for(kpi, loaded, write_csv):
    revision = write_csv("rev.csv", [["MISSIONS_ABROAD", "MOFA", "2025-Q1", "96", "agencies", ""]])
    assert kpi("ingest", revision).returncode == 0
    approved = kpi("export", "--indicator", "MISSIONS_ABROAD")
    assert ",95," in approved.stdout and ",96," not in approved.stdout
    pending = kpi("export", "--indicator", "MISSIONS_ABROAD", "--include-pending")
    assert ",96," in pending.stdout and ",95," not in pending.stdout
    off = kpi("export", "--indicator", "MISSIONS_ABROAD", env={"KPI_APPROVAL": "off"})
    assert off.stdout == pending.stdout
