"""Where an ingest spends its time and memory: `python -m bench.stages FILE [--profile OUT]`.

Runs the pipeline's own steps one after the other in this process, as `kpi ingest` does,
and prints each step's wall and CPU time and the process's peak RSS after it. With --profile, the
whole sequence also runs under cProfile (slower) and the top functions are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import tempfile
import time
from datetime import date
from pathlib import Path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stages(file: Path) -> list[tuple[str, float, float, float]]:
    import duckdb
    import polars as pl

    from pipelines.catalog import load_catalog
    from pipelines.ingest import _sha256
    from pipelines.intake.fast_reader import Irregular
    from pipelines.intake.read import read_bytes
    from pipelines.intake.validate import validate
    from pipelines.settings import DEFAULT_CATALOG_DIR
    from pipelines.warehouse.schema import migrate

    out: list[tuple[str, float, float, float]] = []

    def step(name: str, fn):
        start, cpu = time.perf_counter(), time.process_time()
        value = fn()
        out.append((name, time.perf_counter() - start, time.process_time() - cpu, peak_mb()))
        return value

    catalog = step("load catalog", lambda: load_catalog(DEFAULT_CATALOG_DIR))
    step("sha256", lambda: _sha256(file))
    data = step("read bytes", file.read_bytes)
    read = step("read_bytes (decode; the header, or the exact reader's whole table)",
                lambda: read_bytes(data, 1 << 40, stream=True))
    del data  # the streamed table alone holds the bytes, and lets them go after its last chunk
    table = read.table
    del read
    try:
        checked = step("validate (the fast reader's chunks as they are split, every rule)",
                       lambda: validate(table, catalog, date.today()))
    except Irregular as exc:
        if exc.not_utf8:  # as check_bytes does: decoded first, then the fast reader on the text
            table = step("decode, then the fast reader's header", lambda: read_bytes(
                file.read_bytes(), 1 << 40, stream=True, decode_first=True).table)
            checked = step("validate (the fast reader's chunks of the decoded text, every rule)",
                           lambda: validate(table, catalog, date.today()))
        else:
            table = step("exact reader (the fast reader gave up)", lambda: read_bytes(file.read_bytes(), 1 << 40, exact=True).table)
            checked = step("validate (every rule)", lambda: validate(table, catalog, date.today()))
    del table
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
        migrate(con)
        con.register("staged", checked.staged.relation(con))  # keys built as DuckDB reads the rows
        step("insert into DuckDB + checkpoint", lambda: (
            con.execute("INSERT INTO observations SELECT 1, row_number, indicator, reporter, period, breakdown, value, unit, note FROM staged"),
            con.execute("CHECKPOINT")))
        con.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--profile", type=Path, help="also run under cProfile and save the stats here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = stages(args.file)
    if args.json:
        print(json.dumps(result))
    else:
        print("    wall       CPU   peak RSS  step (CPU counts every thread)")
        for name, seconds, cpu, peak in result:
            print(f"{seconds:8.2f} s {cpu:7.2f} s {peak:7.0f} MB  {name}")
    if args.profile:
        cProfile.runctx("stages(file)", globals(), {"file": args.file, "stages": stages}, str(args.profile))
        pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
