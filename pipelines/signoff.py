"""Sign-off: an approver approves what a reporter sent for a period, sends it back, closes quarters.

A value's life: received (a load) → approved (who, when) → frozen with its quarter. Approval
is recorded per (reporter, period) as "the values loaded up to load N are approved"; a later
load that changes one of them makes just that value pending again (the approved view keeps
the approved one). Closing quarter Q freezes every period ending on or before Q (quarters up
to Q, years whose Q4 is covered): a load that would change a value there is rejected, and the
sign-off of those periods cannot change, until an approver reopens Q with a reason.

Every write here goes through store.open_writer (the same single-writer publish-and-swap path
as loads) and appends its audit row in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from pipelines import audit
from pipelines.periods import parse_period, period_end
from pipelines.problems import MAX_REPORTED, Problem
from pipelines.read_model.signoff import Closure, closed_list, closed_quarters
from pipelines.settings import Settings
from pipelines.warehouse.store import open_writer

MAX_CHANGES_IN_AUDIT = 50
MAX_REASON_CHARS = audit.MAX_REASON_CHARS


class SignoffError(Exception):
    """An approval, close or reopen that cannot be done; the message says what to do instead."""


# --- periods and closed quarters ------------------------------------------------------------

def end_quarter(period: str) -> str:
    """The quarter a period ends in: 2026-Q2 → 2026-Q2, 2025 → 2025-Q4 (string order = time order)."""
    return period if "-Q" in period else f"{period}-Q4"


def closing_quarter(period: str, closed: list[Closure]) -> Closure | None:
    """The earliest closed quarter that covers `period`, or None when the period is open."""
    end = end_quarter(period)
    return next((c for c in closed if c.quarter >= end), None)


def _canonical_quarter(text: str) -> str:
    quarter = parse_period(text)
    if quarter is None or "-Q" not in quarter:
        raise SignoffError(f"cannot read the quarter {text!r}; write YYYY-Qn, e.g. 2026-Q3")
    return quarter


def _canonical_period(text: str) -> str:
    period = parse_period(text)
    if period is None:
        raise SignoffError(f"cannot read the period {text!r}; write YYYY or YYYY-Qn, e.g. 2026-Q3")
    return period


def _reason(reason: str | None, command: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise SignoffError(f"say why with --reason \"...\" (it is kept in the audit log), e.g. {command} --reason \"figures corrected by the unit\"")
    return text[:MAX_REASON_CHARS]


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if hasattr(value, "strftime") else str(value)


def _refuse_if_closed(con: duckdb.DuckDBPyConnection, period: str, what: str) -> None:
    closure = closing_quarter(period, closed_quarters(con))
    if closure is not None:
        raise SignoffError(
            f"{period} is in a closed quarter ({closure.quarter}, closed by {closure.actor} on {_when(closure.at_utc)}); "
            f"{what} needs it reopened first: kpi reopen --quarter {closure.quarter} --reason \"...\""
        )


def _require_warehouse(settings: Settings) -> None:
    if not settings.warehouse_path.exists():
        raise SignoffError(f"no warehouse yet at {settings.warehouse_path}; run `kpi demo` or `kpi ingest` first")


# --- approvals ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    """What one approve/unapprove/close/reopen did, for the CLI's line and JSON."""

    action: str
    obj: str
    actor: str
    values: int = 0
    through_load: int | None = None


def _pending_changes(con: duckdb.DuckDBPyConnection, reporter: str, period: str) -> list[tuple]:
    return con.execute(
        """SELECT indicator, breakdown, approved_value, value FROM pending_observations
           WHERE reporter = ? AND period = ? ORDER BY indicator, breakdown""",
        [reporter, period],
    ).fetchall()


def _approve_on(con: duckdb.DuckDBPyConnection, reporter: str, period: str, actor: str) -> Decision:
    """Approve one pair on an open writer connection (no transaction of its own)."""
    known = con.execute("SELECT count(*) FROM reporters WHERE code = ?", [reporter]).fetchone()[0]
    if not known:
        codes = ", ".join(r[0] for r in con.execute("SELECT code FROM reporters ORDER BY code").fetchall())
        raise SignoffError(f"unknown reporter {reporter!r}; known: {codes}")
    _refuse_if_closed(con, period, "changing its approval")
    through = con.execute(
        "SELECT max(load_id) FROM observations WHERE reporter = ? AND period = ?", [reporter, period]
    ).fetchone()[0]
    if through is None:
        raise SignoffError(f"{reporter} has sent no values for {period}; see what waits with `kpi pending`")
    changes = _pending_changes(con, reporter, period)
    state = con.execute(
        "SELECT approved, actor, at_utc FROM approval_state WHERE reporter = ? AND period = ?", [reporter, period]
    ).fetchone()
    if not changes and state is not None and state[0]:
        raise SignoffError(
            f"{reporter} {period} is already approved (by {state[1]} on {_when(state[2])}) and nothing new waits; "
            "see `kpi pending`"
        )
    at = audit.utc_now()
    con.execute(
        "INSERT INTO signoffs (reporter, period, action, through_load, actor, at_utc) VALUES (?, ?, 'approve', ?, ?, ?)",
        [reporter, period, through, actor, at],
    )
    details = {
        "through_load": through,
        "values": len(changes),
        "changes": [{"indicator": i, "breakdown": json.loads(b), "from": old, "to": new}
                    for i, b, old, new in changes[:MAX_CHANGES_IN_AUDIT]],
    }
    audit.record(con, actor, "approve", f"{reporter} {period}", details=details, at=at)
    return Decision("approve", f"{reporter} {period}", actor, len(changes), through)


def approve(settings: Settings, reporter: str, period: str, actor: str | None = None) -> Decision:
    """Approve every value `reporter` has sent for `period` so far (one publish)."""
    _require_warehouse(settings)
    period = _canonical_period(period)
    with open_writer(settings.warehouse_path, settings.lock_timeout_s) as con:
        con.execute("BEGIN")
        decision = _approve_on(con, reporter.strip().upper(), period, audit.clean_actor(actor))
        con.execute("COMMIT")
    return decision


def unapprove(settings: Settings, reporter: str, period: str, reason: str | None, actor: str | None = None) -> Decision:
    """Send an approved pair back to received, with the reason the reporter will read."""
    _require_warehouse(settings)
    period = _canonical_period(period)
    reporter = reporter.strip().upper()
    why = _reason(reason, f"kpi unapprove --reporter {reporter} --period {period}")
    actor = audit.clean_actor(actor)
    with open_writer(settings.warehouse_path, settings.lock_timeout_s) as con:
        con.execute("BEGIN")
        _refuse_if_closed(con, period, "changing its approval")
        state = con.execute(
            "SELECT approved, through_load FROM approval_state WHERE reporter = ? AND period = ?", [reporter, period]
        ).fetchone()
        if state is None or not state[0]:
            raise SignoffError(f"{reporter} {period} is not approved, so there is nothing to send back; see `kpi pending`")
        at = audit.utc_now()
        con.execute(
            "INSERT INTO signoffs (reporter, period, action, through_load, actor, at_utc, reason) VALUES (?, ?, 'unapprove', NULL, ?, ?, ?)",
            [reporter, period, actor, at, why],
        )
        audit.record(con, actor, "unapprove", f"{reporter} {period}", why, {"was_through_load": state[1]}, at=at)
        con.execute("COMMIT")
    return Decision("unapprove", f"{reporter} {period}", actor, through_load=state[1])


# --- closing quarters -----------------------------------------------------------------------

def close_quarter(settings: Settings, quarter: str, actor: str | None = None, reason: str | None = None,
                  today: date | None = None) -> Decision:
    """Freeze every period ending on or before `quarter`; refused while values there wait for approval."""
    _require_warehouse(settings)
    quarter = _canonical_quarter(quarter)
    today = today or date.today()
    if period_end(quarter) >= today:
        raise SignoffError(f"{quarter} has not ended yet (it ends {period_end(quarter):%d/%m/%Y}); close it after its last day")
    actor = audit.clean_actor(actor)
    with open_writer(settings.warehouse_path, settings.lock_timeout_s) as con:
        con.execute("BEGIN")
        if any(c.quarter == quarter for c in closed_quarters(con)):
            raise SignoffError(f"{quarter} is already closed; see `kpi audit` for who closed it")
        if settings.approval_on:
            waiting = con.execute(
                """SELECT reporter, period, count(*) FROM pending_observations
                   WHERE (CASE WHEN period LIKE '%-Q%' THEN period ELSE period || '-Q4' END) <= ?
                   GROUP BY ALL ORDER BY period, reporter""",
                [quarter],
            ).fetchall()
            if waiting:
                listed = ", ".join(f"{r} {p} ({n} values)" for r, p, n in waiting[:10])
                more = f" and {len(waiting) - 10} more" if len(waiting) > 10 else ""
                raise SignoffError(
                    f"cannot close {quarter}: values wait for approval in {listed}{more}; approve them "
                    f"(kpi approve --reporter R --period P) or send them back (kpi unapprove ... --reason), then close"
                )
            from pipelines.commentary_signoff import waiting_in_closing

            notes = waiting_in_closing(con, quarter)
            if notes:
                listed = ", ".join(f"{w.indicator} {w.quarter}" for w in notes[:10])
                more = f" and {len(notes) - 10} more" if len(notes) > 10 else ""
                raise SignoffError(
                    f"cannot close {quarter}: commentary waits for approval for {listed}{more}; approve it "
                    f"(kpi approve --commentary --period {notes[0].quarter}), then close"
                )
        values = con.execute(
            """SELECT count(*) FROM current_observations
               WHERE (CASE WHEN period LIKE '%-Q%' THEN period ELSE period || '-Q4' END) <= ?""",
            [quarter],
        ).fetchone()[0]
        at = audit.utc_now()
        why = " ".join((reason or "").split())[:MAX_REASON_CHARS] or None
        con.execute(
            "INSERT INTO closures (quarter, action, actor, at_utc, reason) VALUES (?, 'close', ?, ?, ?)",
            [quarter, actor, at, why],
        )
        audit.record(con, actor, "close", quarter, why, {"values_frozen": values}, at=at)
        con.execute("COMMIT")
    return Decision("close", quarter, actor, values)


def reopen_quarter(settings: Settings, quarter: str, reason: str | None, actor: str | None = None) -> Decision:
    """Lift a close, with the reason; a later closed quarter still covering it must be reopened first."""
    _require_warehouse(settings)
    quarter = _canonical_quarter(quarter)
    why = _reason(reason, f"kpi reopen --quarter {quarter}")
    actor = audit.clean_actor(actor)
    with open_writer(settings.warehouse_path, settings.lock_timeout_s) as con:
        con.execute("BEGIN")
        closed = closed_quarters(con)
        if not any(c.quarter == quarter for c in closed):
            covering = closing_quarter(quarter, closed)
            hint = (f"; it is frozen by the close of {covering.quarter}: kpi reopen --quarter {covering.quarter} --reason \"...\""
                    if covering else "; closed quarters: " + (", ".join(c.quarter for c in closed) or "none"))
            raise SignoffError(f"{quarter} is not closed{hint}")
        later = [c.quarter for c in closed if c.quarter > quarter]
        if later:
            raise SignoffError(
                f"{later[-1]} is closed too and still freezes {quarter}; reopen it first: "
                f"kpi reopen --quarter {later[-1]} --reason \"...\""
            )
        at = audit.utc_now()
        con.execute(
            "INSERT INTO closures (quarter, action, actor, at_utc, reason) VALUES (?, 'reopen', ?, ?, ?)",
            [quarter, actor, at, why],
        )
        audit.record(con, actor, "reopen", quarter, why, at=at)
        con.execute("COMMIT")
    return Decision("reopen", quarter, actor)


# --- ingest hook ----------------------------------------------------------------------------

def closed_period_problems(con: duckdb.DuckDBPyConnection, observations: Any) -> tuple[list[Problem], int]:
    """Rows of a file that would change a value in a closed quarter: (first problems, count).

    `observations` is the validated file as DuckDB scans it by name (a DuckDB relation, e.g.
    StagedRows.relation, or an Arrow table) with indicator, reporter, period, breakdown, value
    and row_number. A re-sent identical value changes nothing and passes.
    """
    closed = closed_quarters(con)
    if not closed:
        return [], 0
    staged = observations  # noqa: F841 - scanned by DuckDB by name
    latest = closed[-1].quarter
    frozen = """(CASE WHEN s.period LIKE '%-Q%' THEN s.period ELSE s.period || '-Q4' END) <= ?"""
    count, = con.execute(
        f"""WITH prior AS (
                SELECT o.indicator, o.reporter, o.period, o.breakdown, arg_max(o.value, o.load_id) AS value
                FROM observations o JOIN staged s USING (indicator, reporter, period, breakdown)
                WHERE {frozen} GROUP BY ALL)
            SELECT count(*) FROM staged s LEFT JOIN prior p USING (indicator, reporter, period, breakdown)
            WHERE {frozen} AND (p.value IS NULL OR p.value <> s.value)""",
        [latest, latest],
    ).fetchone()
    if not count:
        return [], 0
    rows = con.execute(
        f"""WITH prior AS (
                SELECT o.indicator, o.reporter, o.period, o.breakdown, arg_max(o.value, o.load_id) AS value
                FROM observations o JOIN staged s USING (indicator, reporter, period, breakdown)
                WHERE {frozen} GROUP BY ALL)
            SELECT s.row_number, s.indicator, s.reporter, s.period, s.breakdown, p.value, s.value
            FROM staged s LEFT JOIN prior p USING (indicator, reporter, period, breakdown)
            WHERE {frozen} AND (p.value IS NULL OR p.value <> s.value)
            ORDER BY s.row_number LIMIT ?""",
        [latest, latest, MAX_REPORTED],
    ).fetchall()
    from pipelines.intake.numbers import format_number

    problems = []
    for row_number, indicator, reporter, period, breakdown, old, new in rows:
        closure = closing_quarter(period, closed)
        assert closure is not None
        parts = json.loads(breakdown)
        key = f"{indicator} {reporter} {period}" + ("".join(f" {k}={v}" for k, v in sorted(parts.items())))
        problems.append(Problem(
            "closed_period", row=row_number, column="value", value=format_number(new),
            params={"key": key, "old": "-" if old is None else format_number(old), "quarter": closure.quarter,
                    "actor": closure.actor, "closed_on": f"{closure.at_utc:%Y-%m-%d}",
                    # quoted as the reader's language writes numbers (71,6 in Vietnamese)
                    "excel": {"value": [new, None], **({} if old is None else {"old": [old, None]})}},
        ))
    return problems, count


# --- roles and the sample data --------------------------------------------------------------

def approver_problem(settings: Settings, actor: str | None) -> str | None:
    """Why `actor` may not sign off, or None. A name with a built-in account must be an approver;
    a name without one (the OS user at the server's shell) is taken as given."""
    from pipelines.users import read_users

    if not actor:
        return None
    account = read_users(settings.users_file).get(actor.strip().lower())
    if account is not None and account.role != "approver":
        return (f"{account.name} has the {account.role} role; signing off needs an approver "
                f"(kpi user add {account.name} --role approver, or --as an approver's name)")
    return None


SAMPLE_APPROVER = "sample.approver"
SAMPLE_ANALYST = "sample.analyst"
SAMPLE_WAITING = ("HAIPHONG", "2026-Q3")  # one reporter's latest quarter left waiting
SAMPLE_CLOSED = "2026-Q2"


def approve_all_pending(settings: Settings, actor: str | None, exclude: set[tuple[str, str]] = frozenset()) -> int:  # type: ignore[assignment]
    """Approve every (reporter, period) with values waiting, outside closed quarters and `exclude`,
    and every commentary waiting outside closed quarters, in one publish; return how many pairs. For the sample data and for tests; a person approves
    pair by pair after reading `kpi pending`."""
    actor = audit.clean_actor(actor)
    with open_writer(settings.warehouse_path, settings.lock_timeout_s) as con:
        con.execute("BEGIN")
        closed = closed_quarters(con)
        pairs = con.execute(
            """WITH waiting AS (SELECT reporter, period, count(*) AS n FROM pending_observations GROUP BY ALL),
                    latest AS (SELECT reporter, period, max(load_id) AS through FROM observations GROUP BY ALL)
               SELECT w.reporter, w.period, w.n, l.through FROM waiting w JOIN latest l USING (reporter, period)
               ORDER BY w.period, w.reporter"""
        ).fetchall()
        at = audit.utc_now()
        chosen = [(r, p, n, t) for r, p, n, t in pairs if (r, p) not in exclude and closing_quarter(p, closed) is None]
        if chosen:
            con.executemany(
                "INSERT INTO signoffs (reporter, period, action, through_load, actor, at_utc) VALUES (?, ?, 'approve', ?, ?, ?)",
                [[r, p, t, actor, at] for r, p, _, t in chosen],
            )
            for r, p, n, t in chosen:
                audit.record(con, actor, "approve", f"{r} {p}", details={"through_load": t, "values": n}, at=at)
        from pipelines.commentary_signoff import approve_all_waiting_on

        approve_all_waiting_on(con, actor)  # the quarters' commentary too
        con.execute("COMMIT")
    return len(chosen)


def demo_signoff(settings: Settings) -> int:
    """The sample's sign-off state: everything approved but SAMPLE_WAITING, and SAMPLE_CLOSED
    closed. Idempotent: what is already approved or closed is left alone. Returns the pairs approved."""
    if not settings.approval_on or not settings.warehouse_path.exists():
        return 0
    approved = approve_all_pending(settings, SAMPLE_APPROVER, {SAMPLE_WAITING})
    if not any(c.quarter == SAMPLE_CLOSED for c in closed_list(settings.warehouse_path)):
        close_quarter(settings, SAMPLE_CLOSED, SAMPLE_APPROVER, "sample data: quarterly review held")
    return approved
