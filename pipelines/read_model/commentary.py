"""Commentary as a reader sees it: the version of each indicator and language a view shows for a
quarter (the latest approved one, or the latest one marked pending), and every version of one
(the review, the commentary panel, `kpi comment`). The writes are pipelines.commentary."""

from __future__ import annotations

import duckdb

from pipelines.commentary import Commentary
from pipelines.read_model.rows import table_exists
from pipelines.read_model.visibility import APPROVED, INCLUDING_PENDING, View


def has_commentary(con: duckdb.DuckDBPyConnection) -> bool:
    """False on a warehouse written before commentary existed (readers never migrate)."""
    return table_exists(con, "current_commentary")


def has_commentary_signoff(con: duckdb.DuckDBPyConnection) -> bool:
    """False on a warehouse written before commentary was approved (schema 4): nothing approved there."""
    return table_exists(con, "approved_commentary")


_COLUMNS = "c.indicator, c.quarter, c.owner, c.happened, c.challenges, c.next_steps, c.lang, c.author, c.written_at, c.load_id, c.commentary_id"


def current_for_quarter(con: duckdb.DuckDBPyConnection, quarter: str,
                        view: View = APPROVED) -> dict[str, dict[str, Commentary]]:
    """indicator → lang → the version a reader of `view` sees for the quarter.

    Approved view: the latest approved version (none until an approver approved one). View
    including pending: the latest version, with `pending` set when it is not the approved one."""
    if not has_commentary(con):
        return {}
    signoff = has_commentary_signoff(con)
    if view == APPROVED:
        if not signoff:
            return {}
        sql = f"SELECT {_COLUMNS}, false FROM approved_commentary c WHERE c.quarter = ? ORDER BY c.indicator, c.lang"
    elif view == INCLUDING_PENDING:
        approved = ("LEFT JOIN approved_commentary a ON a.indicator = c.indicator AND a.quarter = c.quarter AND a.lang = c.lang"
                    if signoff else "LEFT JOIN (SELECT NULL::INTEGER AS commentary_id) a ON false")
        sql = (f"SELECT {_COLUMNS}, a.commentary_id IS DISTINCT FROM c.commentary_id FROM current_commentary c {approved} "
               "WHERE c.quarter = ? ORDER BY c.indicator, c.lang")
    else:
        raise ValueError(f"unknown view {view!r}")
    out: dict[str, dict[str, Commentary]] = {}
    for r in con.execute(sql, [quarter]).fetchall():
        out.setdefault(r[0], {})[r[6]] = Commentary(*r)
    return out


def history(con: duckdb.DuckDBPyConnection, indicator: str, quarter: str) -> list[Commentary]:
    """Every version for the indicator and quarter, newest first."""
    if not has_commentary(con):
        return []
    rows = con.execute(
        f"""SELECT {_COLUMNS} FROM commentary c WHERE c.indicator = ? AND c.quarter = ? ORDER BY c.commentary_id DESC""",
        [indicator, quarter],
    ).fetchall()
    return [Commentary(*r) for r in rows]
