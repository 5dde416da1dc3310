"""What a team without this tool would run, each in its own process: `python -m bench.baselines KIND FILE DB [FORMAT]`.

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

FORMAT (JSON, from bench/shapes.py) says what a team's script would know of its files:
`{"delimiter": ";", "encoding": "cp1258", "decimal": ","}` for a Windows-1258 file (pandas is
told all three; Polars reads the text decoded by Python; DuckDB has no Windows-1258 without its
`encodings` extension, which needs a download: its bare `read_csv` is run as it is, and
`duckdb_varchar` with `encoding = 'latin-1'`, the same single-byte work with the wrong letters),
or `{"excel": true}` for a workbook (pandas and Polars through openpyxl; DuckDB's `read_xlsx`
needs its `excel` extension, also a download: not run, and no extension is ever installed).
"""

from __future__ import annotations

import json
import sys
import time


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def run(kind: str, file: str, db: str, fmt: dict | None = None) -> dict:
    fmt = fmt or {}
    if kind.startswith("duckdb"):
        import duckdb

        options = {"duckdb": "", "duckdb_whole_sniff": ", sample_size = -1", "duckdb_varchar": ", all_varchar = true"}[kind]
        if kind == "duckdb_varchar" and fmt.get("encoding"):
            options += ", encoding = 'latin-1'"
        if fmt.get("excel"):  # never tried: DuckDB would download its extension (no network here)
            return {"error": "not run: DuckDB reads .xlsx only with its excel extension, a download"}
        con = duckdb.connect(db, config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
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
        if fmt.get("excel"):
            frame = pd.read_excel(file, engine="openpyxl")
        else:
            frame = pd.read_csv(file, sep=fmt.get("delimiter", ","), encoding=fmt.get("encoding", "utf-8"),
                                decimal=fmt.get("decimal", "."))
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
        if fmt.get("excel"):
            frame = pl.read_excel(file, engine="openpyxl", infer_schema_length=0)
        elif fmt.get("encoding"):
            text = open(file, "rb").read().decode(fmt["encoding"]).encode("utf-8")
            frame = pl.read_csv(text, infer_schema=False, separator=fmt.get("delimiter", ","))
            del text
        else:
            frame = pl.read_csv(file, infer_schema=False, separator=fmt.get("delimiter", ","))
        frame = frame.with_columns(pl.col(c).cast(pl.String).str.normalize("NFC") for c in frame.columns if c != "value")
        value = pl.col("value").cast(pl.String)
        if fmt.get("decimal") == ",":
            value = value.str.replace(",", ".", literal=True)
        frame = frame.with_columns(value.cast(pl.Float64, strict=False))
        con = duckdb.connect(db)
        con.execute("CREATE TABLE t AS SELECT * FROM frame")
        con.close()
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "rows": frame.height}
    raise SystemExit(f"unknown baseline {kind!r}")


if __name__ == "__main__":
    print(json.dumps(run(*sys.argv[1:4], json.loads(sys.argv[4]) if len(sys.argv) > 4 else None)))
