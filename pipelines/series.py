"""Read side shared by the CLI and the dashboard: the catalog as published, headline series, statuses.

The catalog is read from the warehouse (not the CSV files) so that the values and the
targets shown always come from the same published version.
"""

from __future__ import annotations

from datetime import date

from collections import defaultdict

import duckdb

from pipelines.catalog import HORIZONS, Catalog, DimensionValue, Indicator, Pillar, Reporter
from pipelines.progress import Assessment, IndicatorSpec, Point, assess_all, combine_headline


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def read_catalog(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> Catalog:
    """The catalog stored with the published data (validated when it was synced), its targets
    those in force on `as_of` (default today): statuses are judged against the target in force."""
    from pipelines.targets import TargetVersion, in_force

    restricted: dict[str, dict[str, DimensionValue]] = {}
    for rec in _records(con, "SELECT * FROM dimension_values ORDER BY dimension, value"):
        restricted.setdefault(rec["dimension"], {})[rec["value"]] = DimensionValue(**rec)
    has_register = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'target_versions'").fetchone()[0]
    versions = tuple(
        TargetVersion.model_validate({k: v for k, v in r.items() if v is not None})
        for r in _records(con, "SELECT * FROM target_versions ORDER BY effective_from, indicator, horizon")
    ) if has_register else ()
    catalog = Catalog(
        target_versions=versions,
        pillars={r["pillar"]: Pillar(**r) for r in _records(con, "SELECT * FROM pillars ORDER BY pillar")},
        indicators={
            r["code"]: Indicator.model_validate({k: v for k, v in r.items() if v is not None})
            for r in _records(con, "SELECT * FROM indicators ORDER BY pillar, code")
        },
        reporters={r["code"]: Reporter(**r) for r in _records(con, "SELECT * FROM reporters ORDER BY code")},
        restricted=restricted,
    )
    return in_force(catalog, as_of or date.today())


def headline_rows(con: duckdb.DuckDBPyConnection, indicator: str | None = None) -> dict[str, list[tuple[str, str, float]]]:
    """Current headline values (every breakdown blank): indicator → [(reporter, period, value)]."""
    where, params = ("AND indicator = ?", [indicator]) if indicator else ("", [])
    rows = con.execute(
        f"""SELECT indicator, reporter, period, value FROM current_observations
            WHERE breakdown = '{{}}' {where} ORDER BY indicator, period, reporter""",
        params,
    ).fetchall()
    out: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for ind, rep, period, value in rows:
        out[ind].append((rep, period, value))
    return out


def spec_for(ind: Indicator) -> IndicatorSpec:
    """The progress engine's view of a catalog row."""
    targets = {h: ind.target(h) for h in HORIZONS if ind.target(h) is not None}
    return IndicatorSpec(
        code=ind.code,
        kind=ind.kind,
        direction=ind.direction,
        combine=ind.combine,
        single_reporter=ind.single_reporter,
        baseline_period=ind.baseline_period,
        baseline_value=ind.baseline_value,
        targets=targets,  # type: ignore[arg-type]
        target_sources={h: ind.target_source(h) for h in targets},  # type: ignore[misc]
    )


def headline_series(catalog: Catalog, rows: dict[str, list[tuple[str, str, float]]]) -> dict[str, list[Point]]:
    """Each indicator's headline series, combined across reporters by the catalog's rule."""
    return {code: combine_headline(rows.get(code, []), spec_for(ind)) for code, ind in catalog.indicators.items()}


def assess_catalog(catalog: Catalog, series: dict[str, list[Point]], as_of: str | None = None) -> dict[str, list[Assessment]]:
    """Statuses for every indicator and horizon, in catalog order."""
    return {code: assess_all(spec_for(ind), series.get(code, []), as_of, HORIZONS) for code, ind in catalog.indicators.items()}
