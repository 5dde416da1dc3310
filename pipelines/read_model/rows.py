"""Two shapes a query's result comes back in: a list of dicts (the CLI, small results) or a
Polars frame (the app's pages; set-based work stays in DuckDB, the pages get small frames)."""

from __future__ import annotations

import duckdb
import polars as pl


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Rows as dicts keyed by column name."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the warehouse has this table or view: readers never migrate, so a file written
    before a feature existed is read as having none of it."""
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0])


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """Rows as a Polars frame, through Arrow (no Python per row)."""
    return pl.from_arrow(con.sql(sql, params=params or None).to_arrow_table())  # type: ignore[return-value]
