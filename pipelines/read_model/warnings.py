"""Read side of acknowledged plausibility warnings: the values still current that were loaded with one.

A warning follows its value: once a later file revises the value, the warning no longer shows
(its record stays in `load_warnings`, with the load and who acknowledged it).
"""

from __future__ import annotations

import duckdb

from pipelines.plausibility import PlausibilityWarning

_SQL = """
    SELECT w.load_id, w.row_number, w.code, w.indicator, w.reporter, w.period, w.breakdown, w.value, w.params,
           w.acknowledged_by, w.acknowledged_at, l.file_name
    FROM load_warnings w
    JOIN current_observations c USING (indicator, reporter, period, breakdown, load_id)
    JOIN loads l USING (load_id)
    {where}
    ORDER BY w.acknowledged_at DESC, w.load_id DESC, w.row_number
"""


def open_warnings(con: duckdb.DuckDBPyConnection, indicator: str | None = None) -> list[dict]:
    """Warnings on current values, newest first; [] for a warehouse without the table."""
    import json

    where, params = ("WHERE w.indicator = ?", [indicator]) if indicator else ("", [])
    try:
        cur = con.execute(_SQL.format(where=where), params)
    except duckdb.CatalogException:
        return []
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row))
        rec["warning"] = PlausibilityWarning(
            rec["code"], rec["indicator"], rec["reporter"], rec["period"], rec["breakdown"], rec["value"],
            rec["row_number"], json.loads(rec["params"] or "{}"),
        )
        out.append(rec)
    return out
