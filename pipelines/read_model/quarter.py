"""Around one quarter: values revised since the last review, and who sent what when (the review)."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.read_model.rows import frame


def revisions(con: duckdb.DuckDBPyConnection, up_to_period: str, since_period: str,
              years: tuple[str, ...] = ()) -> pl.DataFrame:
    """Values replaced by a later load, for periods in (since_period, up_to_period] and for the annual
    periods in `years` (a year's figure arrives after the year; as text '2026' sorts before '2026-Q1',
    so a range alone never catches it): old and new value, files."""
    return frame(
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
    return frame(
        con,
        """SELECT reporter, indicator,
                  count(*) FILTER (WHERE period = ?) AS in_quarter,
                  count(*) FILTER (WHERE period = ?) AS in_previous,
                  count(*) FILTER (WHERE period < ? ) AS before_quarter
           FROM current_observations GROUP BY ALL ORDER BY reporter, indicator""",
        [quarter, previous, quarter],
    )
