"""What has been loaded so far and how fresh each reporter is: read-side queries for `kpi status`."""

from __future__ import annotations

from pathlib import Path

from pipelines.visibility import APPROVED, View, relation
from pipelines.warehouse.store import open_reader


def load_history(db_path: Path, limit: int = 50) -> list[dict]:
    with open_reader(db_path) as con:
        if con is None:
            return []
        cur = con.execute(
            """SELECT load_id, file_name, strftime(received_at, '%Y-%m-%d %H:%M:%S') AS received_at, status,
                      rows_read, rows_loaded, rows_revised, problem_count, stored_as
               FROM loads ORDER BY load_id DESC LIMIT ?""",
            [limit],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def reporter_freshness(db_path: Path, view: View = APPROVED) -> list[dict]:
    """Latest period and last load per reporter, over the current values of `view`, and how
    many values wait for approval."""
    with open_reader(db_path) as con:
        if con is None:
            return []
        cur = con.execute(
            f"""SELECT r.code AS reporter, r.name_en, r.name_vi,
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
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
