"""Read side of reporting timeliness: what arrived when, files waiting, rejections not yet replaced.

Queries only; the judging is `pipelines.deadlines` (pure). Arrival days are local days in
`KPI_TIMEZONE` (a file loaded at 23:30 in Hanoi on the deadline is on time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from pipelines.catalog import Catalog
from pipelines.deadlines import Report, reports
from pipelines.ingest import SKIPPED_NAMES

MAX_LISTED = 500


def local_day(utc_naive: datetime, tz: str) -> date:
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).date()


def timeliness(con: duckdb.DuckDBPyConnection, catalog: Catalog, today: date, tz: str) -> list[Report]:
    """Every expected report up to the last ended period, judged on `today`."""
    rows = con.execute(
        """SELECT o.reporter, o.indicator, o.period, min(l.received_at) AS first_arrival
           FROM observations o JOIN loads l USING (load_id)
           GROUP BY ALL"""
    ).fetchall()
    first_periods: dict[tuple[str, str], str] = {}
    arrivals: dict[tuple[str, str, str], date] = {}
    for reporter, indicator, period, first in rows:
        key = (reporter, indicator)
        same_kind = ("-Q" in period) == (catalog.indicators[indicator].frequency == "quarterly") \
            if indicator in catalog.indicators else False
        if not same_kind:
            continue
        if key not in first_periods or period < first_periods[key]:
            first_periods[key] = period
        arrivals[(reporter, indicator, period)] = local_day(first, tz)
    singles = {c: i.single_reporter for c, i in catalog.indicators.items() if i.combine == "single" and i.single_reporter}
    freqs = {c: i.frequency for c, i in catalog.indicators.items()}
    return reports(first_periods, arrivals, catalog.deadlines, today, singles, freqs)


@dataclass(frozen=True)
class Waiting:
    name: str
    size: int
    modified: datetime  # UTC


def inbox_files(inbox: Path) -> list[Waiting]:
    """Files waiting in the inbox (oldest first, at most MAX_LISTED), temp names left out."""
    try:
        entries = [p for p in inbox.iterdir() if p.is_file() and not SKIPPED_NAMES.search(p.name)]
    except FileNotFoundError:
        return []
    out = []
    for path in entries[: MAX_LISTED * 4]:
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        out.append(Waiting(path.name, st.st_size, datetime.fromtimestamp(st.st_mtime, timezone.utc).replace(tzinfo=None)))
    return sorted(out, key=lambda w: w.modified)[:MAX_LISTED]


def open_rejections(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Rejected loads not yet replaced: no later file of the same name (case and extension aside)
    was loaded (or was a duplicate of a loaded one)."""
    cur = con.execute(
        """WITH named AS (
               SELECT load_id, file_name, received_at, status, problem_count, stored_as,
                      lower(regexp_replace(file_name, '\\.[A-Za-z0-9]+$', '')) AS stem
               FROM loads)
           SELECT r.load_id, r.file_name, r.received_at, r.problem_count, r.stored_as
           FROM named r
           WHERE r.status = 'rejected'
             AND NOT EXISTS (SELECT 1 FROM named n WHERE n.stem = r.stem AND n.load_id > r.load_id
                                                  AND n.status IN ('loaded', 'duplicate'))
           ORDER BY r.load_id DESC LIMIT ?""",
        [MAX_LISTED],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
