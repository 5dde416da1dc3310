"""Copy the validated catalog into the warehouse, so each published file is self-contained."""

from __future__ import annotations

import duckdb

from pipelines.catalog import Catalog, Indicator

INDICATOR_COLUMNS = list(Indicator.model_fields)


def sync_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace the catalog tables in one transaction (observations are never touched)."""
    con.execute("BEGIN")
    try:
        for table in ("pillars", "reporters", "indicators", "dimension_values"):
            con.execute(f"DELETE FROM {table}")
        con.executemany(
            "INSERT INTO pillars VALUES (?, ?, ?)",
            [[p.pillar, p.name_vi, p.name_en] for p in catalog.pillars.values()],
        )
        con.executemany(
            "INSERT INTO reporters VALUES (?, ?, ?, ?)",
            [[r.code, r.kind, r.name_vi, r.name_en] for r in catalog.reporters.values()],
        )
        placeholders = ", ".join("?" for _ in INDICATOR_COLUMNS)
        con.executemany(
            f"INSERT INTO indicators ({', '.join(INDICATOR_COLUMNS)}) VALUES ({placeholders})",
            [[getattr(i, c) for c in INDICATOR_COLUMNS] for i in catalog.indicators.values()],
        )
        con.execute("DELETE FROM target_versions")
        if catalog.target_versions:
            con.executemany(
                "INSERT INTO target_versions (indicator, horizon, value, effective_from, source, reason_vi, reason_en, "
                "reporter, breakdown) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[v.indicator, v.horizon, v.value, v.effective_from, v.source, v.reason_vi, v.reason_en, v.reporter,
                  v.breakdown] for v in catalog.target_versions],
            )
        rows = [[d.dimension, d.value, d.name_vi, d.name_en] for vals in catalog.restricted.values() for d in vals.values()]
        if rows:
            con.executemany("INSERT INTO dimension_values VALUES (?, ?, ?, ?)", rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


CHECK_COLUMNS = ["indicator", "max_ratio", "robust_k", "breakdown_tolerance", "min_value", "max_value", "expected_reporters", "partial_breakdowns"]


def sync_checks(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace the stored check settings (checks.csv) with the catalog's, in one transaction."""
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM indicator_checks")
        rows = [[getattr(c, col) for col in CHECK_COLUMNS] for c in catalog.checks.values()]
        if rows:
            con.executemany(f"INSERT INTO indicator_checks VALUES ({', '.join('?' for _ in CHECK_COLUMNS)})", rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
