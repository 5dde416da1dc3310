"""The dashboard's server-side work, timed in a fresh process: `python -m bench.read_probe WHAT DB REPEATS`.

WHAT is one of
- overview: what `dashboard.data.snapshot` computes (catalog, observation count, headline
  rows, combined series, every status), through `open_reader` as the app does;
- indicator: what the indicator page computes for MISSIONS_ABROAD (its current values with
  provenance via `pipelines.read_model.observations.indicator_observations`, the breakdown selector's keys,
  the total series combined and assessed);
- cached: the app's own cached loaders (`dashboard.data.snapshot` and `indicator_frame`,
  Streamlit's `st.cache_data` keyed by the warehouse version) called twice: the first call
  computes, the next ones are what a warm page visit costs.

The first timed run in the process is the cold one (the parent evicts the file from the OS
page cache first); the next REPEATS-1 runs are uncached re-runs (DuckDB's own warm time: a
new read-only attach each time, as the app does, with the file in the OS page cache).
Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

INDICATOR = "MISSIONS_ABROAD"


def overview(db: Path) -> int:
    from pipelines.read_model.catalog import read_catalog
    from pipelines.read_model.headline import assess_catalog, headline_rows, headline_series
    from pipelines.read_model.loads import last_loaded_at
    from pipelines.read_model.observations import observation_count
    from pipelines.warehouse.store import open_reader

    with open_reader(db) as con:
        assert con is not None
        catalog = read_catalog(con)
        count, _last = observation_count(con), last_loaded_at(con)
        series = headline_series(catalog, headline_rows(con))
    assessments = assess_catalog(catalog, series)
    assert count and len(assessments) == len(catalog.indicators)
    return sum(len(points) for points in series.values())


def indicator(db: Path) -> int:
    import polars as pl

    from pipelines.progress import assess_all, combine_headline
    from pipelines.read_model.catalog import read_catalog
    from pipelines.read_model.headline import spec_for
    from pipelines.read_model.observations import indicator_observations
    from pipelines.warehouse.store import open_reader

    with open_reader(db) as con:
        assert con is not None
        ind = read_catalog(con).indicators[INDICATOR]
        frame = indicator_observations(con, INDICATOR)
    single_keys = {}
    for text in frame["breakdown"].unique().to_list():
        parsed = json.loads(text)
        if len(parsed) == 1:
            single_keys[text] = next(iter(parsed.items()))
    selected = frame.filter(pl.col("breakdown") == "{}")
    points = combine_headline(selected.select("reporter", "period", "value").iter_rows(), spec_for(ind))
    assess_all(spec_for(ind), points)
    return frame.height


def main(what: str, db: str, repeats: int) -> dict:
    start = time.perf_counter()
    path = Path(db)
    if what == "cached":
        os.environ["KPI_DB_PATH"] = db
        import logging

        logging.getLogger("streamlit").setLevel(logging.ERROR)  # "No runtime found": expected outside `streamlit run`
        from dashboard import data

        imported = time.perf_counter() - start
        token = data.token()
        out: dict = {"import_s": imported}
        for name, call in (("overview", lambda: data.snapshot(token)), ("indicator", lambda: data.indicator_frame(token, INDICATOR))):
            times = []
            for _ in range(max(2, repeats)):
                t0 = time.perf_counter()
                result = call()
                times.append(time.perf_counter() - t0)
                assert result is not None
            out[name] = {"first": times[0], "cached": times[1:]}
        return out
    import duckdb  # noqa: F401 - imports are not the server's per-request work
    import polars  # noqa: F401
    import pyarrow  # noqa: F401 - a running Streamlit server has it loaded (DuckDB's to_arrow_table needs it)

    import pipelines.read_model.headline  # noqa: F401
    import pipelines.read_model.observations  # noqa: F401

    work = {"overview": overview, "indicator": indicator}[what]
    imported = time.perf_counter() - start
    times, size = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        size = work(path)
        times.append(time.perf_counter() - t0)
    return {"import_s": imported, "first": times[0], "again": times[1:], "result_size": size}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
