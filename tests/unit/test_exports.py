"""Downloads never carry a live spreadsheet formula; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl

from dashboard.exports import csv_bytes, xlsx_bytes
from pipelines.ingest import ingest
from pipelines.read_model.observations import indicator_observations
from pipelines.warehouse.store import open_reader

from tests.conftest import TODAY

# Cells are trimmed on ingest, so a leading tab or CR cannot arrive through a file; they are
# checked on a frame built directly below.
MALICIOUS = ['=HYPERLINK("http://evil.example","bấm vào đây")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]


def _frame_from_a_real_load(settings, write_csv) -> pl.DataFrame:
    rows = [["BUDGET_OPERATING", "MOF", str(2019 + i), str(100 + i), "billion VND", note]
            for i, note in enumerate(MALICIOUS)]
    ingest([write_csv("notes.csv", rows)], settings, today=TODAY)
    with open_reader(settings.warehouse_path) as con:
        frame = indicator_observations(con, "BUDGET_OPERATING")
    return frame.select("period", "value", "note").with_columns(pl.lit(-5.0).alias("change"))


def test_csv_prefixes_formula_cells_and_keeps_negative_numbers(settings, write_csv):
    frame = _frame_from_a_real_load(settings, write_csv)
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    notes = sorted(r["note"] for r in rows)
    assert notes == sorted("'" + n for n in MALICIOUS)
    assert {r["change"] for r in rows} == {"-5.0"}


def test_xlsx_has_no_formula_cells_and_numbers_stay_numeric(settings, write_csv):
    frame = _frame_from_a_real_load(settings, write_csv)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    header = [c.value for c in sheet[1]]
    note_col, change_col = header.index("note"), header.index("change")
    for row in sheet.iter_rows(min_row=2):
        assert row[note_col].data_type == "s" and row[note_col].value.startswith("'")
        assert row[change_col].data_type == "n" and row[change_col].value == -5
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_leading_tab_and_carriage_return_are_neutralised_too():
    frame = pl.DataFrame({"note": ["\tindented", "\rreturn", "plain", "a=b"], "value": [-1.5, 2.0, 3.0, -4.0]})
    rows = list(csv.DictReader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert [r["note"] for r in rows] == ["'\tindented", "'\rreturn", "plain", "a=b"]
    assert [r["value"] for r in rows] == ["-1.5", "2.0", "3.0", "-4.0"]


def test_a_note_with_a_list_separator_and_a_formula_stays_one_inert_cell():
    """Issue 14: `ghi chú;=1+1` was written neither quoted nor prefixed; under a `;` list
    separator Excel split it and ran `=1+1`."""
    frame = pl.DataFrame({"note": ["ghi chú;=1+1", "=1+1"], "value": [1.0, -2.0]})
    text = csv_bytes(frame).decode("utf-8-sig")
    assert '"ghi chú;=1+1"' in text
    for delimiter in (",", ";"):
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        cells = [cell for row in rows[1:] for cell in row]
        assert "ghi chú;=1+1" in cells[0]  # one cell, whichever separator Excel uses
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert text.splitlines()[2].endswith(",-2.0")  # numbers stay numbers, unquoted
