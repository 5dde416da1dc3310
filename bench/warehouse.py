"""Warehouses with millions of observations, built without running millions of rows through `kpi ingest`.

The schema is the pipeline's own (`migrate`) and so is the catalog (`sync_catalog`); the rows
are the generator's canonical values (what an ingest of the generated file stores: the same
period, value, unit, note, and the breakdown key built by the validator's own
`breakdown_expr`), inserted with one DuckDB `INSERT ... SELECT` per load. Each load is a
separate draw from the key space, so later loads revise some keys of earlier ones, as
reporting rounds do: `observations` holds every row, `current_observations` fewer.
The smoke test checks, at a small size, that this gives the same observations as `kpi ingest`.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from bench.generate import DIMS, key_space, sample
from pipelines.intake.validate import breakdown_expr
from pipelines.warehouse.catalog_tables import sync_catalog
from pipelines.warehouse.schema import migrate

ROWS_PER_LOAD = 2_500_000
LOADED_AT = datetime(2026, 10, 15, 8, 0, 0)
# The columns of `observations` as a load stages them (the validator's categoricals become text in DuckDB).
OBS_SCHEMA = {
    "row_number": pl.Int32, "indicator": pl.String, "reporter": pl.String, "period": pl.String,
    "breakdown": pl.String, "value": pl.Float64, "unit": pl.String, "note": pl.String,
}


def observations_of(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows an ingest of `write_csv(frame)` stores (header = row 1, so data starts at row 2)."""
    filled = frame.with_columns(pl.col(d).fill_null("") for d in DIMS)
    return filled.select(
        (pl.int_range(pl.len(), dtype=pl.Int32) + 2).alias("row_number"),
        pl.col("indicator"),
        pl.col("reporter"),
        pl.col("_period").alias("period"),
        breakdown_expr(DIMS).alias("breakdown"),
        pl.col("_value").alias("value"),
        pl.col("_unit").alias("unit"),
        pl.col("_note").alias("note"),
    ).cast(OBS_SCHEMA)  # type: ignore[arg-type]


def build(path: Path, n_obs: int, seed: int, rows_per_load: int = ROWS_PER_LOAD) -> dict:
    """A published-like warehouse file at `path` holding `n_obs` observations; returns its shape."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for stale in (tmp, Path(str(tmp) + ".wal")):
        stale.unlink(missing_ok=True)
    loads = max(1, math.ceil(n_obs / rows_per_load))
    con = duckdb.connect(str(tmp))
    try:
        con.execute("SET enable_progress_bar = false")
        migrate(con)
        sync_catalog(con, key_space().catalog)
        done = 0
        for i in range(loads):
            n = (n_obs - done) // (loads - i)
            load_seed = seed + 1000 * (i + 1)
            staged = observations_of(sample(n, load_seed))  # noqa: F841 - DuckDB replacement scan
            name = f"bench_{n}_seed{load_seed}.csv"
            con.execute("BEGIN")
            revised = con.execute(
                """SELECT count(*) FROM staged s WHERE EXISTS (
                       SELECT 1 FROM observations o WHERE o.indicator = s.indicator AND o.reporter = s.reporter
                       AND o.period = s.period AND o.breakdown = s.breakdown)"""
            ).fetchone()[0]
            load_id = con.execute(
                """INSERT INTO loads (file_name, sha256, size_bytes, received_at, status, encoding, delimiter,
                                      rows_read, rows_loaded, rows_revised, info, stored_as)
                   VALUES (?, ?, 0, ?, 'loaded', 'UTF-8', ',', ?, ?, ?, '[]', ?) RETURNING load_id""",
                [name, hashlib.sha256(name.encode()).hexdigest(), LOADED_AT + timedelta(days=i), n, n, revised,
                 f"archive/{name}"],
            ).fetchone()[0]
            for rows in ("breakdown <> '{}'", "breakdown = '{}'"):  # the same physical order as pipelines.ingest
                con.execute(
                    "INSERT INTO observations SELECT ?, row_number, indicator, reporter, period, breakdown, value, unit, note"
                    f" FROM staged WHERE {rows}", [load_id])
            con.execute("COMMIT")
            del staged
            done += n
        con.execute("CHECKPOINT")
        stored, current = con.execute(
            "SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM current_observations)").fetchone()
    finally:
        con.close()
    tmp.replace(path)
    return {"observations": stored, "current": current, "loads": loads, "bytes": path.stat().st_size}
