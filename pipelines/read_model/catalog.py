"""The catalog as published: read from the warehouse (not the CSV files), so that the values and
the targets shown always come from the same published version."""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines.catalog import Catalog, DimensionValue, Indicator, IndicatorChecks, Pillar, Reporter
from pipelines.read_model.rows import records, table_exists


def read_catalog(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> Catalog:
    """The catalog stored with the published data (validated when it was synced), its targets
    those in force on `as_of` (default today): statuses are judged against the target in force."""
    from pipelines.targets import TargetVersion, in_force

    restricted: dict[str, dict[str, DimensionValue]] = {}
    for rec in records(con, "SELECT * FROM dimension_values ORDER BY dimension, value"):
        restricted.setdefault(rec["dimension"], {})[rec["value"]] = DimensionValue(**rec)
    has_register = table_exists(con, "target_versions")
    versions = tuple(
        TargetVersion.model_validate({k: v for k, v in r.items() if v is not None})
        for r in records(con, "SELECT * FROM target_versions ORDER BY effective_from, indicator, horizon")
    ) if has_register else ()
    catalog = Catalog(
        target_versions=versions,
        pillars={r["pillar"]: Pillar(**r) for r in records(con, "SELECT * FROM pillars ORDER BY pillar")},
        indicators={
            r["code"]: Indicator.model_validate({k: v for k, v in r.items() if v is not None})
            for r in records(con, "SELECT * FROM indicators ORDER BY pillar, code")
        },
        reporters={r["code"]: Reporter(**r) for r in records(con, "SELECT * FROM reporters ORDER BY code")},
        restricted=restricted,
        checks=read_checks(con),
    )
    return in_force(catalog, as_of or date.today())


def read_checks(con: duckdb.DuckDBPyConnection) -> dict[str, IndicatorChecks]:
    """The stored checks.csv; empty for a warehouse written before it was stored."""
    try:
        recs = records(con, "SELECT * FROM indicator_checks ORDER BY indicator")
    except duckdb.CatalogException:
        return {}
    return {r["indicator"]: IndicatorChecks.model_validate({k: v for k, v in r.items() if v is not None}) for r in recs}
