"""Copy the validated catalog into the warehouse, so each published file is self-contained.

Every ingest offers the catalog, which rarely changes: the rows it would write are summed up in a
fingerprint kept in `meta`, and a warehouse that already holds them is left alone (the delete,
the inserts and the audit's before/after digests took ~40 ms of every `kpi ingest`).
"""

from __future__ import annotations

import hashlib
import json

import duckdb

from pipelines.catalog import Catalog, Indicator
from pipelines.warehouse.schema import SCHEMA_VERSION

INDICATOR_COLUMNS = list(Indicator.model_fields)
TARGET_COLUMNS = ["indicator", "horizon", "value", "effective_from", "source", "reason_vi", "reason_en", "reporter", "breakdown"]
CHECK_COLUMNS = ["indicator", "max_ratio", "robust_k", "breakdown_tolerance", "min_value", "max_value", "expected_reporters", "partial_breakdowns"]
FINGERPRINT_KEY = "catalog_sha256"
_ROWS_PER_INSERT = 500  # one statement per this many rows, not one per row (executemany)


def _catalog_rows(catalog: Catalog) -> dict[str, tuple[list[str] | None, list[list]]]:
    """Per catalog table, its columns (None: all, in order) and the rows `sync_catalog` writes."""
    return {
        "pillars": (None, [[p.pillar, p.name_vi, p.name_en] for p in catalog.pillars.values()]),
        "reporters": (None, [[r.code, r.kind, r.name_vi, r.name_en] for r in catalog.reporters.values()]),
        "indicators": (INDICATOR_COLUMNS, [[getattr(i, c) for c in INDICATOR_COLUMNS] for i in catalog.indicators.values()]),
        "target_versions": (TARGET_COLUMNS, [[getattr(v, c) for c in TARGET_COLUMNS] for v in catalog.target_versions]),
        "dimension_values": (None, [[d.dimension, d.value, d.name_vi, d.name_en]
                                    for vals in catalog.restricted.values() for d in vals.values()]),
    }


def _check_rows(catalog: Catalog) -> list[list]:
    return [[getattr(c, col) for col in CHECK_COLUMNS] for c in catalog.checks.values()]


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: list[str] | None, rows: list[list]) -> None:
    """The rows in a few multi-row INSERTs (executemany runs one statement per row)."""
    names = f" ({', '.join(columns)})" if columns else ""
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start:start + _ROWS_PER_INSERT]
        row = "(" + ", ".join("?" for _ in chunk[0]) + ")"
        con.execute(f"INSERT INTO {table}{names} VALUES " + ", ".join(row for _ in chunk),
                    [value for r in chunk for value in r])


def catalog_fingerprint(catalog: Catalog) -> str:
    """A digest of every row `sync_catalog` and `sync_checks` write, and of the schema version
    they are written in (a migration that changes a catalog table makes the next ingest sync)."""
    rows = {table: rows for table, (_, rows) in _catalog_rows(catalog).items()}
    rows["indicator_checks"] = _check_rows(catalog)
    text = json.dumps([SCHEMA_VERSION, INDICATOR_COLUMNS, rows], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def synced_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the catalog last synced into this warehouse (None: never recorded)."""
    row = con.execute("SELECT value FROM meta WHERE key = ?", [FINGERPRINT_KEY]).fetchone()
    return row[0] if row else None


def record_fingerprint(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Written after both syncs, on the writer's staging copy: published with them or not at all."""
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [FINGERPRINT_KEY, fingerprint])


def sync_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace the catalog tables in one transaction (observations are never touched).

    The fingerprint is dropped with the old rows: whatever is written here is recorded anew by
    the caller (`record_fingerprint`), never vouched for by an earlier sync's."""
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM meta WHERE key = ?", [FINGERPRINT_KEY])
        for table, (columns, rows) in _catalog_rows(catalog).items():
            con.execute(f"DELETE FROM {table}")
            if rows:
                _insert(con, table, columns, rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def sync_checks(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace the stored check settings (checks.csv) with the catalog's, in one transaction."""
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM indicator_checks")
        rows = _check_rows(catalog)
        if rows:
            _insert(con, "indicator_checks", None, rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
