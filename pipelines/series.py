"""Read side shared by the CLI and the dashboard: the catalog as published, headline series, statuses.

The catalog is read from the warehouse (not the CSV files) so that the values and the
targets shown always come from the same published version.
"""

from __future__ import annotations

from datetime import date

from collections import defaultdict

import duckdb

from pipelines.catalog import HORIZONS, Catalog, DimensionValue, Indicator, IndicatorChecks, Pillar, Reporter
from pipelines.coverage import Coverage, period_coverage, provisional
from pipelines.progress import Assessment, IndicatorSpec, Point, assess_all, combine_headline
from pipelines.visibility import APPROVED, View, relation


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
        checks=read_checks(con),
    )
    return in_force(catalog, as_of or date.today())


def read_checks(con: duckdb.DuckDBPyConnection) -> dict[str, IndicatorChecks]:
    """The stored checks.csv; empty for a warehouse written before it was stored."""
    try:
        recs = _records(con, "SELECT * FROM indicator_checks ORDER BY indicator")
    except duckdb.CatalogException:
        return {}
    return {r["indicator"]: IndicatorChecks.model_validate({k: v for k, v in r.items() if v is not None}) for r in recs}


def headline_rows(con: duckdb.DuckDBPyConnection, indicator: str | None = None,
                  view: View = APPROVED) -> dict[str, list[tuple[str, str, float]]]:
    """Current headline values (every breakdown blank) of `view` (see pipelines.visibility):
    indicator → [(reporter, period, value)]. Assessments follow from these rows."""
    where, params = ("AND indicator = ?", [indicator]) if indicator else ("", [])
    rows = con.execute(
        f"""SELECT indicator, reporter, period, value FROM {relation(view)}
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


def assess_catalog(catalog: Catalog, series: dict[str, list[Point]], as_of: str | None = None,
                   coverage: dict[str, dict[str, Coverage]] | None = None) -> dict[str, list[Assessment]]:
    """Statuses for every indicator and horizon, in catalog order.

    With `coverage` (from headline_coverage), provisional periods of summed indicators are left
    out: a status rests on the latest complete period, whose period the assessment names.
    """
    out = {}
    for code, ind in catalog.indicators.items():
        points = series.get(code, [])
        if coverage and code in coverage:
            skip = provisional(coverage[code])
            points = [p for p in points if p.period not in skip]
        out[code] = assess_all(spec_for(ind), points, as_of, HORIZONS)
    return out


def headline_coverage(catalog: Catalog, rows: dict[str, list[tuple[str, str, float]]]) -> dict[str, dict[str, Coverage]]:
    """For each summed indicator, who was expected and who reported in each period's total."""
    out = {}
    for code, ind in catalog.indicators.items():
        if ind.combine != "sum":
            continue
        checks = catalog.checks.get(code)
        out[code] = period_coverage(rows.get(code, []), checks.reporters() if checks else ())
    return out
