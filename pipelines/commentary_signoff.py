"""Sign-off of commentary: an approver approves an indicator's commentary for a quarter, as figures.

Approval is recorded per (indicator, quarter) as "the versions written up to commentary N are
approved", both languages at once; a newer version waits again and leaders keep reading the
approved one. A closed quarter's commentary cannot be approved or changed. Every write goes
through store.open_writer (the single-writer publish path) with its audit row in the same
transaction, like pipelines/signoff.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from pipelines import audit
from pipelines.read_model.rows import table_exists
from pipelines.read_model.signoff import Closure, closed_quarters
from pipelines.settings import Settings
from pipelines.signoff import Decision, SignoffError, _reason, _refuse_if_closed, closing_quarter
from pipelines.warehouse.store import open_reader, open_writer

APPROVE_ACTION = "approve_commentary"
UNAPPROVE_ACTION = "unapprove_commentary"


@dataclass(frozen=True)
class Waiting:
    """One indicator's commentary for a quarter that waits: its pending versions per language."""

    indicator: str
    quarter: str
    through: int  # the newest commentary_id: what an approval covers
    versions: list[dict[str, Any]]  # lang, owner, happened, challenges, next_steps, author, written_at, replaces


def waiting_on(con: duckdb.DuckDBPyConnection, quarter: str | None = None, indicator: str | None = None) -> list[Waiting]:
    """What waits, per (indicator, quarter), oldest quarter first."""
    where, params = [], []
    if quarter:
        where.append("p.quarter = ?")
        params.append(quarter)
    if indicator:
        where.append("p.indicator = ?")
        params.append(indicator)
    cur = con.execute(
        f"""SELECT p.indicator, p.quarter, p.lang, p.owner, p.happened, p.challenges, p.next_steps, p.author,
                   strftime(p.written_at, '%Y-%m-%d %H:%M:%S') AS written_at, p.commentary_id, p.approved_id,
                   a.happened AS replaces
            FROM pending_commentary p LEFT JOIN commentary a ON a.commentary_id = p.approved_id
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY p.quarter, p.indicator, p.lang""",
        params,
    )
    names = [d[0] for d in cur.description]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in cur.fetchall():
        item = dict(zip(names, row))
        groups.setdefault((item["indicator"], item["quarter"]), []).append(item)
    out = []
    for (code, q), versions in groups.items():
        through = con.execute("SELECT max(commentary_id) FROM commentary WHERE indicator = ? AND quarter = ?",
                              [code, q]).fetchone()[0]
        out.append(Waiting(code, q, through, versions))
    return out


def waiting(db_path, quarter: str | None = None) -> list[Waiting]:
    """Commentary waiting for approval in the published warehouse (none before schema 5)."""
    with open_reader(db_path) as con:
        if con is None or not table_exists(con, "pending_commentary"):
            return []
        return waiting_on(con, quarter)


def _approve_on(con: duckdb.DuckDBPyConnection, items: list[Waiting], actor: str, closed: list[Closure]) -> int:
    """Record the approval of each item (open writer, caller's transaction); return how many versions."""
    at = audit.utc_now()
    versions = 0
    for w in items:
        closure = closing_quarter(w.quarter, closed)
        if closure is not None:
            raise SignoffError(
                f"{w.quarter} is closed (by {closure.actor}); its commentary cannot be approved until it is reopened: "
                f"kpi reopen --quarter {closure.quarter} --reason \"...\"")
        con.execute(
            """INSERT INTO commentary_signoffs (indicator, quarter, action, through_commentary, actor, at_utc)
               VALUES (?, ?, 'approve', ?, ?, ?)""",
            [w.indicator, w.quarter, w.through, actor, at],
        )
        audit.record(con, actor, APPROVE_ACTION, f"{w.indicator} {w.quarter}", at=at,
                     details={"through_commentary": w.through, "languages": [v["lang"] for v in w.versions]})
        versions += len(w.versions)
    return versions


def _quarter_and_warehouse(settings: Settings, quarter: str) -> str:
    """The quarter as YYYY-Qn, once the warehouse is known to exist."""
    from pipelines.periods import is_quarter, parse_period

    canonical = parse_period(quarter.strip())
    if canonical is None or not is_quarter(canonical):
        raise SignoffError(f"cannot read the quarter {quarter!r}; write YYYY-Qn, e.g. 2026-Q3")
    if not settings.warehouse_path.exists():
        raise SignoffError(f"no warehouse yet at {settings.warehouse_path}; run `kpi demo` or `kpi ingest` first")
    return canonical


def _require_indicator(con: duckdb.DuckDBPyConnection, code: str) -> None:
    if not con.execute("SELECT count(*) FROM indicators WHERE code = ?", [code]).fetchone()[0]:
        raise SignoffError(f"unknown indicator {code!r}; see the codes in data/catalog/indicators.csv")


def approve_commentary(settings: Settings, quarter: str, indicator: str | None = None, actor: str | None = None) -> Decision:
    """Approve what waits for `quarter` (one indicator's, or every indicator's), in one publish."""
    canonical = _quarter_and_warehouse(settings, quarter)
    code = indicator.strip().upper() if indicator else None
    actor = audit.clean_actor(actor)
    with open_writer(settings.warehouse_path, settings.lock_timeout_s) as con:
        con.execute("BEGIN")
        if code:
            _require_indicator(con, code)
        items = waiting_on(con, canonical, code)
        if not items:
            what = f"{code} {canonical}" if code else canonical
            raise SignoffError(f"no commentary for {what} waits for approval; see `kpi pending`")
        versions = _approve_on(con, items, actor, closed_quarters(con))
        con.execute("COMMIT")
    obj = f"{code} {canonical}" if code else canonical
    return Decision(APPROVE_ACTION, obj, actor, versions, max(w.through for w in items))


def unapprove_commentary(settings: Settings, quarter: str, indicator: str, reason: str | None,
                         actor: str | None = None) -> Decision:
    """Withdraw the approval of one indicator's commentary for `quarter`, with a reason: leaders no
    longer read it (nor an earlier approved version) until an approver approves it again. Refused
    in a closed quarter, and when nothing is approved."""
    canonical = _quarter_and_warehouse(settings, quarter)
    code = indicator.strip().upper()
    why = _reason(reason, f"kpi unapprove --commentary --period {canonical} --indicator {code}")
    actor = audit.clean_actor(actor)
    with open_writer(settings.warehouse_path, settings.lock_timeout_s) as con:
        con.execute("BEGIN")
        _require_indicator(con, code)
        _refuse_if_closed(con, canonical, "withdrawing its commentary's approval")
        state = con.execute("SELECT approved, through_commentary FROM commentary_approval_state WHERE indicator = ? AND quarter = ?",
                            [code, canonical]).fetchone()
        if state is None or not state[0]:
            raise SignoffError(f"the commentary for {code} {canonical} is not approved, so there is nothing to send back; "
                               "see `kpi pending`")
        at = audit.utc_now()
        con.execute(
            """INSERT INTO commentary_signoffs (indicator, quarter, action, through_commentary, actor, at_utc, reason)
               VALUES (?, ?, 'unapprove', NULL, ?, ?, ?)""",
            [code, canonical, actor, at, why],
        )
        audit.record(con, actor, UNAPPROVE_ACTION, f"{code} {canonical}", why, {"was_through_commentary": state[1]}, at=at)
        con.execute("COMMIT")
    return Decision(UNAPPROVE_ACTION, f"{code} {canonical}", actor, through_load=state[1])


def approve_all_waiting_on(con: duckdb.DuckDBPyConnection, actor: str) -> int:
    """Approve every waiting commentary outside closed quarters (sample data, tests); versions approved."""
    closed = closed_quarters(con)
    items = [w for w in waiting_on(con) if closing_quarter(w.quarter, closed) is None]
    return _approve_on(con, items, actor, closed) if items else 0


def waiting_in_closing(con: duckdb.DuckDBPyConnection, quarter: str) -> list[Waiting]:
    """Commentary that waits in quarters a close of `quarter` would freeze."""
    return [w for w in waiting_on(con) if w.quarter <= quarter]
