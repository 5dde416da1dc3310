"""Current values below the headline: one indicator's values with provenance, breakdowns, missions.

Each function takes an open read-only connection whose `current_observations` the caller has
scoped to a view (read_model.visibility.scope_connection); set-based work stays in DuckDB.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.read_model.rows import frame


def indicator_observations(con: duckdb.DuckDBPyConnection, code: str) -> pl.DataFrame:
    """Current values of one indicator with the file, load time and row that brought each."""
    return frame(
        con, """SELECT o.reporter, o.period, o.breakdown, o.value, o.note,
                  l.file_name, l.load_id, l.received_at, o.row_number
           FROM current_observations o JOIN loads l USING (load_id)
           WHERE o.indicator = ?
           ORDER BY o.period, o.reporter, o.breakdown""",
        [code],
    )


def dimension_series(con: duckdb.DuckDBPyConnection, code: str, dimension: str) -> pl.DataFrame:
    """Values broken down by exactly one dimension (other dimensions blank), summed over reporters."""
    return frame(
        con, """SELECT period, json_extract_string(breakdown, '$.' || ?) AS member, sum(value) AS value
           FROM current_observations
           WHERE indicator = ? AND breakdown <> '{}'
             AND json_extract_string(breakdown, '$.' || ?) IS NOT NULL
             AND len(json_keys(breakdown::JSON)) = 1
           GROUP BY ALL ORDER BY period, member""",
        [f'"{dimension}"', code, f'"{dimension}"'],
    )


def missions_by_country(con: duckdb.DuckDBPyConnection, period: str | None = None) -> pl.DataFrame:
    """Agencies per country and type for one period (default: the latest with country rows)."""
    if period is None:
        row = con.execute(
            """SELECT max(period) FROM current_observations
               WHERE indicator = 'MISSIONS_ABROAD' AND json_extract_string(breakdown, '$.country') IS NOT NULL"""
        ).fetchall()  # fetchall completes the result: DuckDB 2 refuses a new query over an open one
        period = row[0][0] if row else None
    if period is None:
        return pl.DataFrame(schema={"country": pl.String, "mission_type": pl.String, "value": pl.Float64, "period": pl.String})
    return frame(
        con, """SELECT json_extract_string(breakdown, '$.country') AS country,
                  coalesce(json_extract_string(breakdown, '$.mission_type'), 'total') AS mission_type,
                  sum(value) AS value, period
           FROM current_observations
           WHERE indicator = 'MISSIONS_ABROAD' AND period = ?
             AND json_extract_string(breakdown, '$.country') IS NOT NULL
           GROUP BY ALL ORDER BY country, mission_type""",
        [period],
    )


def missions_by_type(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Agencies abroad per period and mission type."""
    return dimension_series(con, "MISSIONS_ABROAD", "mission_type")


def observation_count(con: duckdb.DuckDBPyConnection) -> int:
    """Every stored value, current or replaced (0 on an empty warehouse)."""
    return con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
