"""What has been loaded so far and how fresh each reporter is: read-side queries for `kpi status`."""

from __future__ import annotations

from pathlib import Path

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


def reporter_freshness(db_path: Path) -> list[dict]:
    """Latest period and last load per reporter, over current values."""
    with open_reader(db_path) as con:
        if con is None:
            return []
        cur = con.execute(
            """SELECT r.code AS reporter, r.name_en, r.name_vi,
                      max(o.period) FILTER (WHERE o.period LIKE '%-Q%') AS latest_quarter,
                      max(o.period) FILTER (WHERE o.period NOT LIKE '%-Q%') AS latest_year,
                      count(o.period) AS observations,
                      strftime(max(l.received_at), '%Y-%m-%d %H:%M:%S') AS last_load
               FROM reporters r
               LEFT JOIN current_observations o ON o.reporter = r.code
               LEFT JOIN loads l ON l.load_id = o.load_id
               GROUP BY ALL ORDER BY r.code"""
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
