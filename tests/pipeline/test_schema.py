"""The warehouse schema's migrations: a new file and an old one end with the same tables."""

from __future__ import annotations

import duckdb

from pipelines.warehouse.schema import MIGRATIONS, SCHEMA_VERSION, current_version, migrate


def _compression(con: duckdb.DuckDBPyConnection, column: str) -> set[str]:
    """The compression DuckDB stored `column` of observations with, in every segment."""
    return {row[0] for row in con.execute(
        "SELECT DISTINCT compression FROM pragma_storage_info('observations') WHERE column_name = ? AND segment_type = 'VARCHAR'",
        [column]).fetchall()}


def _rows(con: duckdb.DuckDBPyConnection, n: int) -> None:
    con.execute("""INSERT INTO observations SELECT 1, i + 2, 'MISSIONS_ABROAD', 'MOFA', '2024',
                   '{"program":"p' || i || '"}', i, 'agencies', 'note ' || i FROM range(?) t(i)""", [n])


def test_new_warehouse_stores_breakdown_keys_and_notes_with_zstd(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(con)
    _rows(con, 200_000)
    con.execute("CHECKPOINT")
    assert _compression(con, "breakdown") == {"ZSTD"}
    assert _compression(con, "note") == {"ZSTD"}
    assert _compression(con, "indicator") != {"ZSTD"}  # the repeating codes keep DuckDB's own choice


def test_version_6_warehouse_upgrades_keeping_every_row_and_view(tmp_path):
    path = str(tmp_path / "w.duckdb")
    con = duckdb.connect(path)
    for sql in MIGRATIONS[:6]:
        con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '6')")
    _rows(con, 1_000)
    con.execute("INSERT INTO observations VALUES (2, 2, 'MISSIONS_ABROAD', 'MOFA', '2024', '{\"program\":\"p0\"}', 99, NULL, NULL)")
    before = con.execute("SELECT * FROM observations ORDER BY load_id, row_number").fetchall()
    con.close()

    con = duckdb.connect(path)
    assert migrate(con) == 6
    assert current_version(con) == SCHEMA_VERSION == 7
    assert con.execute("SELECT * FROM observations ORDER BY load_id, row_number").fetchall() == before
    assert con.execute("SELECT value FROM current_observations WHERE breakdown = '{\"program\":\"p0\"}'").fetchall() == [(99.0,)]
    assert con.execute("SELECT count(*) FROM pending_observations").fetchone()[0] == 1_000
    con.execute("CHECKPOINT")
    assert _compression(con, "breakdown") == {"ZSTD"}
    assert _compression(con, "note") == {"ZSTD"}
