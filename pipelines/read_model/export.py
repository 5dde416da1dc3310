"""Current values back out in the reporters' template, so an export can be sent, edited and re-ingested.

Columns: indicator, reporter, period, value, unit, note, then one column per breakdown
dimension in use (sorted by name), blank where a row does not break down by it. Text that a
spreadsheet would run as a formula gets a leading apostrophe, which `kpi ingest` drops again
(pipelines/formulas.py); values are written as numbers and never prefixed.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pipelines.formulas import neutralise
from pipelines.intake.numbers import format_number
from pipelines.read_model.visibility import APPROVED, View, relation
from pipelines.warehouse.store import open_reader

FIXED_COLUMNS = ["indicator", "reporter", "period", "value", "unit", "note"]


def current_rows(db_path: Path, indicator: str | None = None, view: View = APPROVED) -> list[tuple]:
    """(indicator, reporter, period, breakdown, value, unit, note) of `view`, in a stable order."""
    with open_reader(db_path) as con:
        if con is None:
            return []
        where, params = ("WHERE indicator = ?", [indicator]) if indicator else ("", [])
        return con.execute(
            f"""SELECT indicator, reporter, period, breakdown, value, unit, note
                FROM {relation(view)} {where}
                ORDER BY indicator, reporter, period, breakdown""",
            params,
        ).fetchall()


def export_csv(db_path: Path, indicator: str | None = None, view: View = APPROVED) -> str:
    """The template as text (UTF-8, comma, '\\n' line ends): approved values unless `view` says otherwise."""
    rows = current_rows(db_path, indicator, view)
    breakdowns = [json.loads(r[3]) for r in rows]
    dims = sorted({d for b in breakdowns for d in b})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIXED_COLUMNS + dims)
    for row, breakdown in zip(rows, breakdowns):
        ind, rep, period, _, value, unit, note = row
        texts = [ind, rep, period]
        writer.writerow([neutralise(t) for t in texts] + [format_number(value), neutralise(unit or ""), neutralise(note or "")]
                        + [neutralise(breakdown.get(d, "")) for d in dims])
    return out.getvalue()
