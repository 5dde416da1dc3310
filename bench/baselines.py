"""What a team without this tool would run, each in its own process: `python -m bench.baselines KIND FILE DB`.

Prints one JSON line: the time of the work itself (`seconds`, imports and start-up excluded;
the parent also measures the whole process) and the rows stored.

- duckdb: DuckDB's own `CREATE TABLE t AS SELECT * FROM read_csv('file')`, exactly (sniffer
  and type detection on defaults). On a file whose percent values (`32.4%`) come after the
  sniffer's 20,480-row sample this fails; the error is reported, not hidden.
- duckdb_whole_sniff: the same with `sample_size = -1` (what DuckDB's error message suggests).
- duckdb_varchar: `read_csv(file, all_varchar = true)`: every cell as text, no type detection.
- pandas_sqlite: `pandas.read_csv(file)` then `DataFrame.to_sql` into a new SQLite file.
- polars_duckdb: Polars reads every cell as text, NFC-normalises the text columns, casts
  `value` (non-strict) and DuckDB stores the frame: the shape of a vectorised ingest.
"""

from __future__ import annotations

import json
import sys
import time


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def run(kind: str, file: str, db: str) -> dict:
    if kind.startswith("duckdb"):
        import duckdb

        options = {"duckdb": "", "duckdb_whole_sniff": ", sample_size = -1", "duckdb_varchar": ", all_varchar = true"}[kind]
        con = duckdb.connect(db)
        con.execute("SET enable_progress_bar = false")
        start = time.perf_counter()
        try:
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv({_sql_string(file)}{options})")
        except duckdb.Error as exc:
            return {"error": str(exc).splitlines()[0][:300], "seconds": time.perf_counter() - start}
        seconds = time.perf_counter() - start
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
        con.close()
        return {"seconds": seconds, "rows": rows}
    if kind == "pandas_sqlite":
        import sqlite3

        import pandas as pd

        start = time.perf_counter()
        frame = pd.read_csv(file)
        con = sqlite3.connect(db)
        frame.to_sql("t", con, index=False)
        con.commit()
        seconds = time.perf_counter() - start
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
        con.close()
        return {"seconds": seconds, "rows": rows}
    if kind == "polars_duckdb":
        import duckdb
        import polars as pl

        start = time.perf_counter()
        frame = pl.read_csv(file, infer_schema=False)
        frame = frame.with_columns(pl.col(c).str.normalize("NFC") for c in frame.columns if c != "value")
        frame = frame.with_columns(pl.col("value").cast(pl.Float64, strict=False))
        con = duckdb.connect(db)
        con.execute("CREATE TABLE t AS SELECT * FROM frame")
        con.close()
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "rows": frame.height}
    raise SystemExit(f"unknown baseline {kind!r}")


if __name__ == "__main__":
    print(json.dumps(run(*sys.argv[1:4])))
