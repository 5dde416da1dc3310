"""What each reporter has sent and how fresh it is: `kpi status` and the data status page.

What arrived, not the figures: the app reads these with pending values counted as received.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines.read_model.rows import frame, records
from pipelines.read_model.visibility import APPROVED, View, relation
from pipelines.warehouse.store import open_reader


def reporter_freshness(db_path: Path, view: View = APPROVED) -> list[dict]:
    """Latest period and last load per reporter, over the current values of `view`, and how
    many values wait for approval."""
    with open_reader(db_path) as con:
        if con is None:
            return []
        return records(
            con, f"""SELECT r.code AS reporter, r.name_en, r.name_vi,
                      max(o.period) FILTER (WHERE o.period LIKE '%-Q%') AS latest_quarter,
                      max(o.period) FILTER (WHERE o.period NOT LIKE '%-Q%') AS latest_year,
                      count(o.period) AS observations,
                      strftime(max(l.received_at), '%Y-%m-%d %H:%M:%S') AS last_load,
                      coalesce(any_value(w.pending), 0) AS pending
               FROM reporters r
               LEFT JOIN (SELECT reporter, count(*) AS pending FROM pending_observations GROUP BY reporter) w
                 ON w.reporter = r.code
               LEFT JOIN {relation(view)} o ON o.reporter = r.code
               LEFT JOIN loads l ON l.load_id = o.load_id
               GROUP BY ALL ORDER BY r.code"""
        )


def reporter_periods(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """What each reporter has sent: per reporter and period, values, indicators and the last load."""
    return frame(
        con, """SELECT o.reporter, o.period, count(*) AS values, count(DISTINCT o.indicator) AS indicators,
                  max(l.received_at) AS received_at
           FROM current_observations o JOIN loads l USING (load_id)
           GROUP BY ALL ORDER BY o.reporter, o.period"""
    )


def latest_quarter_by_pair(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The latest quarter each reporter sent for each indicator."""
    return frame(
        con, """SELECT reporter, indicator, max(period) AS latest
           FROM current_observations WHERE period LIKE '%-Q%' GROUP BY ALL"""
    )
