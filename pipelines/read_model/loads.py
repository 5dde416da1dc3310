"""The load log: every file the pipeline saw, newest first, and when the last one was loaded.

One query for the log: `kpi status` lists a few columns of it as text, the data status page
shows the whole rows as a frame.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.read_model.rows import frame
from pipelines.warehouse.store import open_reader

# The columns `kpi status` prints, in its order.
HISTORY_COLUMNS = ("load_id", "file_name", "received_at", "status", "rows_read", "rows_loaded", "rows_revised",
                   "problem_count", "stored_as")


def loads(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pl.DataFrame:
    """The newest `limit` loads with their counts, problems and where the file was stored."""
    return frame(
        con, """SELECT load_id, file_name, received_at, status, encoding, rows_read, rows_loaded, rows_revised,
                  problem_count, problems, info, duplicate_of, stored_as
           FROM loads ORDER BY load_id DESC LIMIT ?""",
        [limit],
    )


def load_history(db_path: Path, limit: int = 50) -> list[dict]:
    """The newest `limit` loads as dicts for the CLI, the time as 'YYYY-MM-DD HH:MM:SS'."""
    with open_reader(db_path) as con:
        if con is None:
            return []
        log = loads(con, limit)
    return log.select(HISTORY_COLUMNS).with_columns(
        pl.col("received_at").dt.to_string("%Y-%m-%d %H:%M:%S")).to_dicts()


def last_loaded_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the newest file that loaded arrived (UTC, naive); None before any."""
    return con.execute("SELECT max(received_at) FROM loads WHERE status = 'loaded'").fetchall()[0][0]
