"""Sign-off as a reader sees it: values waiting for approval and quarters closed (`kpi pending`,
the approvals page, the app's pending marks). The writes are pipelines.signoff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.read_model.rows import table_exists
from pipelines.warehouse.store import open_reader


@dataclass(frozen=True)
class Closure:
    quarter: str
    actor: str
    at_utc: Any
    reason: str | None


def closed_quarters(con: duckdb.DuckDBPyConnection) -> list[Closure]:
    """Quarters closed now, oldest first."""
    rows = con.execute("SELECT quarter, actor, at_utc, reason FROM closed_quarters ORDER BY quarter").fetchall()
    return [Closure(*r) for r in rows]


def pending_values(db_path: Path, reporter: str | None = None) -> list[dict]:
    """Each value waiting for approval: its key, the new value, the approved one it replaces (None
    when it is new), and the file that brought it; grouped by reporter and period."""
    with open_reader(db_path) as con:
        if con is None:
            return []
        where, params = ("WHERE p.reporter = ?", [reporter.upper()]) if reporter else ("", [])
        cur = con.execute(
            f"""SELECT p.reporter, p.period, p.indicator, p.breakdown, p.value, p.approved_value,
                       l.file_name, p.load_id, strftime(l.received_at, '%Y-%m-%d %H:%M:%S') AS received_at,
                       s.approved IS NOT NULL AND NOT s.approved AS sent_back, s.reason AS sent_back_reason
                FROM pending_observations p JOIN loads l USING (load_id)
                LEFT JOIN approval_state s ON s.reporter = p.reporter AND s.period = p.period
                {where}
                ORDER BY p.reporter, p.period, p.indicator, p.breakdown""",
            params,
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    for row in rows:
        row["breakdown"] = json.loads(row["breakdown"])
        row["change"] = "new" if row["approved_value"] is None else "revised"
        if not row["sent_back"]:
            row["sent_back_reason"] = None
    return rows


def closed_list(db_path: Path) -> list[Closure]:
    with open_reader(db_path) as con:
        return [] if con is None else closed_quarters(con)


def pending_keys(con: duckdb.DuckDBPyConnection) -> frozenset[tuple[str, str, str, str]]:
    """(indicator, reporter, period, breakdown) of every value waiting for approval; empty for a
    warehouse from before sign-off (it has no such view)."""
    try:
        rows = con.execute("SELECT indicator, reporter, period, breakdown FROM pending_observations").fetchall()
    except Exception:  # noqa: BLE001 - a warehouse from before sign-off has no such view
        return frozenset()
    return frozenset(rows)


@dataclass(frozen=True)
class QuarterSignoff:
    """Who signed off a quarter's figures, for the review pack's cover."""

    approvers: list[str]  # the latest approval's actor of each approved pair, most recent first
    last_approved_at: Any  # naive UTC, or None
    reporters: int  # reporters with figures for the quarter
    waiting_reporters: int  # of them, those with values waiting for approval
    waiting_values: int


def quarter_signoff(con: duckdb.DuckDBPyConnection, quarter: str) -> QuarterSignoff | None:
    """The sign-off of the figures for `quarter` (and its year, for a fourth quarter); None on a
    warehouse written before sign-off existed."""
    if not table_exists(con, "approval_state"):
        return None
    periods = [quarter] + ([quarter.split("-")[0]] if quarter.endswith("-Q4") else [])
    marks = ", ".join("?" for _ in periods)
    approvals = con.execute(
        f"""WITH pairs AS (SELECT DISTINCT reporter, period FROM observations WHERE period IN ({marks}))
            SELECT a.actor, max(a.at_utc) AS last_at FROM pairs JOIN approval_state a USING (reporter, period)
            WHERE a.approved GROUP BY a.actor ORDER BY last_at DESC, a.actor""",
        periods,
    ).fetchall()
    reporters, = con.execute(f"SELECT count(DISTINCT reporter) FROM observations WHERE period IN ({marks})", periods).fetchone()
    waiting_reporters, waiting_values = con.execute(
        f"SELECT count(DISTINCT reporter), count(*) FROM pending_observations WHERE period IN ({marks})", periods
    ).fetchone()
    return QuarterSignoff([a for a, _ in approvals], approvals[0][1] if approvals else None, reporters,
                          waiting_reporters, waiting_values)
