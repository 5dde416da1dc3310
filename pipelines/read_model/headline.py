"""Headline figures: current values with every breakdown blank, the series combined across
reporters, statuses per horizon, and who each summed total includes.

The CLI (`kpi progress`), the app's overview and the quarterly review all start here, so a
status reads the same wherever it is shown."""

from __future__ import annotations

from collections import defaultdict

import duckdb

from pipelines.catalog import HORIZONS, Catalog, Indicator
from pipelines.coverage import Coverage, period_coverage, provisional
from pipelines.progress import Assessment, IndicatorSpec, Point, assess_all, combine_headline
from pipelines.read_model.visibility import APPROVED, View, relation


def headline_rows(con: duckdb.DuckDBPyConnection, indicator: str | None = None,
                  view: View = APPROVED) -> dict[str, list[tuple[str, str, float]]]:
    """Current headline values (every breakdown blank) of `view` (see read_model.visibility):
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
