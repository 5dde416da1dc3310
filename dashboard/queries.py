"""Read-side SQL for the detail pages; each function takes an open read-only connection.

Set-based work stays in DuckDB; the pages get small Polars frames back.
"""

from __future__ import annotations

import duckdb
import polars as pl


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql, params=params or None).to_arrow_table())  # type: ignore[return-value]


def indicator_observations(con: duckdb.DuckDBPyConnection, code: str) -> pl.DataFrame:
    """Current values of one indicator with the file, load time and row that brought each."""
    return _frame(
        con, """SELECT o.reporter, o.period, o.breakdown, o.value, o.note,
                  l.file_name, l.load_id, l.received_at, o.row_number
           FROM current_observations o JOIN loads l USING (load_id)
           WHERE o.indicator = ?
           ORDER BY o.period, o.reporter, o.breakdown""",
        [code],
    )


def dimension_series(con: duckdb.DuckDBPyConnection, code: str, dimension: str) -> pl.DataFrame:
    """Values broken down by exactly one dimension (other dimensions blank), summed over reporters."""
    return _frame(
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
    return _frame(
        con, """SELECT json_extract_string(breakdown, '$.country') AS country,
                  coalesce(json_extract_string(breakdown, '$.mission_type'), 'total') AS mission_type,
                  sum(value) AS value, period
           FROM current_observations
           WHERE indicator = 'MISSIONS_ABROAD' AND period = ?
             AND json_extract_string(breakdown, '$.country') IS NOT NULL
           GROUP BY ALL ORDER BY country, mission_type""",
        [period],
    )


def loads(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pl.DataFrame:
    return _frame(
        con, """SELECT load_id, file_name, received_at, status, encoding, rows_read, rows_loaded, rows_revised,
                  problem_count, problems, info, duplicate_of, stored_as
           FROM loads ORDER BY load_id DESC LIMIT ?""",
        [limit],
    )


def reporter_periods(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """What each reporter has sent: per reporter and period, values, indicators and the last load."""
    return _frame(
        con, """SELECT o.reporter, o.period, count(*) AS values, count(DISTINCT o.indicator) AS indicators,
                  max(l.received_at) AS received_at
           FROM current_observations o JOIN loads l USING (load_id)
           GROUP BY ALL ORDER BY o.reporter, o.period"""
    )


def latest_quarter_by_pair(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return _frame(
        con, """SELECT reporter, indicator, max(period) AS latest
           FROM current_observations WHERE period LIKE '%-Q%' GROUP BY ALL"""
    )


def missions_by_type(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return dimension_series(con, "MISSIONS_ABROAD", "mission_type")


def revisions(con: duckdb.DuckDBPyConnection, up_to_period: str, since_period: str,
              years: tuple[str, ...] = ()) -> pl.DataFrame:
    """Values replaced by a later load, for periods in (since_period, up_to_period] and for the annual
    periods in `years` (a year's figure arrives after the year; as text '2026' sorts before '2026-Q1',
    so a range alone never catches it): old and new value, files."""
    return _frame(
        con,
        """WITH ranked AS (
               SELECT o.*, l.file_name, row_number() OVER (
                   PARTITION BY indicator, reporter, period, breakdown ORDER BY o.load_id DESC) AS rn
               FROM observations o JOIN loads l USING (load_id)
               WHERE (o.period <= ? AND o.period > ?) OR list_contains(?::VARCHAR[], o.period))
           SELECT n.indicator, n.reporter, n.period, n.breakdown, p.value AS old_value, n.value AS new_value,
                  p.file_name AS old_file, n.file_name AS new_file
           FROM ranked n JOIN ranked p USING (indicator, reporter, period, breakdown)
           WHERE n.rn = 1 AND p.rn = 2 AND n.value <> p.value
           ORDER BY n.indicator, n.period, n.reporter, n.breakdown""",
        [up_to_period, since_period, list(years)],
    )


def quarter_activity(con: duckdb.DuckDBPyConnection, quarter: str, previous: str) -> pl.DataFrame:
    """Per reporter and indicator: values in the quarter, in the previous one, and before it at all."""
    return _frame(
        con,
        """SELECT reporter, indicator,
                  count(*) FILTER (WHERE period = ?) AS in_quarter,
                  count(*) FILTER (WHERE period = ?) AS in_previous,
                  count(*) FILTER (WHERE period < ? ) AS before_quarter
           FROM current_observations GROUP BY ALL ORDER BY reporter, indicator""",
        [quarter, previous, quarter],
    )
