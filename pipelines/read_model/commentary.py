"""Commentary as it stands: the current version per indicator and language for a quarter, and
every version of one (the review, the commentary panel, `kpi comment`)."""

from __future__ import annotations

import duckdb

from pipelines.commentary import Commentary


def has_commentary(con: duckdb.DuckDBPyConnection) -> bool:
    """False on a warehouse written before commentary existed (readers never migrate)."""
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'current_commentary'"
    ).fetchone()[0])


def current_for_quarter(con: duckdb.DuckDBPyConnection, quarter: str) -> dict[str, dict[str, Commentary]]:
    """indicator → lang → the current version for the quarter, with how many versions there were."""
    if not has_commentary(con):
        return {}
    rows = con.execute(
        """SELECT indicator, quarter, owner, happened, challenges, next_steps, lang, author, written_at, load_id
           FROM current_commentary WHERE quarter = ? ORDER BY indicator, lang""",
        [quarter],
    ).fetchall()
    out: dict[str, dict[str, Commentary]] = {}
    for r in rows:
        out.setdefault(r[0], {})[r[6]] = Commentary(*r)
    return out


def history(con: duckdb.DuckDBPyConnection, indicator: str, quarter: str) -> list[Commentary]:
    """Every version for the indicator and quarter, newest first."""
    if not has_commentary(con):
        return []
    rows = con.execute(
        """SELECT indicator, quarter, owner, happened, challenges, next_steps, lang, author, written_at, load_id
           FROM commentary WHERE indicator = ? AND quarter = ? ORDER BY commentary_id DESC""",
        [indicator, quarter],
    ).fetchall()
    return [Commentary(*r) for r in rows]
