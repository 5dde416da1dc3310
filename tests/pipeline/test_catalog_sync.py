"""The catalog in the warehouse follows the catalog files: an edit reaches it on the next ingest,
and an unchanged catalog is not written again (pipelines/warehouse/catalog_tables.py)."""

from __future__ import annotations

import shutil

from pipelines.ingest import ingest
from pipelines.read_model.audit import read_audit
from pipelines.settings import Settings
from pipelines.warehouse.catalog_tables import FINGERPRINT_KEY
from pipelines.warehouse.store import open_reader, open_writer
from tests.conftest import TODAY


def _load(settings: Settings, write_csv, name: str, period: str) -> None:
    [outcome] = ingest([write_csv(name, [["MISSIONS_ABROAD", "MOFA", period, 94, "agencies", ""]])], settings, today=TODAY)
    assert outcome.status == "loaded", outcome.problems


def _table(settings: Settings, sql: str) -> list[tuple]:
    with open_reader(settings.warehouse_path) as con:
        return con.execute(sql).fetchall()


def _edited(settings: Settings, folder, file: str, old: str, new: str) -> Settings:
    if not folder.exists():
        shutil.copytree(settings.catalog_dir, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new), encoding="utf-8")
    return Settings(data_dir=settings.data_dir, catalog_dir=folder, language="en", _env_file=None)  # type: ignore[call-arg]


def test_an_unchanged_catalog_is_synced_and_audited_once(settings, write_csv):
    _load(settings, write_csv, "a.csv", "2026-Q1")
    _load(settings, write_csv, "b.csv", "2026-Q2")
    assert [r["action"] for r in read_audit(settings.warehouse_path)] == ["catalog", "load", "load"]
    assert _table(settings, f"SELECT count(*) FROM meta WHERE key = '{FINGERPRINT_KEY}'") == [(1,)]


def test_an_edited_check_reaches_the_warehouse_on_the_next_ingest(settings, write_csv, tmp_path):
    """checks.csv is not among the audited tables, yet its edit is synced like any other."""
    _load(settings, write_csv, "a.csv", "2026-Q1")
    assert _table(settings, "SELECT max_ratio FROM indicator_checks WHERE indicator = 'MISSIONS_ABROAD'") == [(2.0,)]
    changed = _edited(settings, tmp_path / "catalog", "checks.csv", "MISSIONS_ABROAD,2,", "MISSIONS_ABROAD,3,")
    _load(changed, write_csv, "b.csv", "2026-Q2")
    assert _table(settings, "SELECT max_ratio FROM indicator_checks WHERE indicator = 'MISSIONS_ABROAD'") == [(3.0,)]
    # and back again: the warehouse follows the files, not the latest edit only
    _load(settings, write_csv, "c.csv", "2026-Q3")
    assert _table(settings, "SELECT max_ratio FROM indicator_checks WHERE indicator = 'MISSIONS_ABROAD'") == [(2.0,)]


def test_an_edited_reporter_name_reaches_the_warehouse_on_the_next_ingest(settings, write_csv, tmp_path):
    _load(settings, write_csv, "a.csv", "2026-Q1")
    changed = _edited(settings, tmp_path / "catalog", "reporters.csv", "Can Tho", "Can Tho City")
    _load(changed, write_csv, "b.csv", "2026-Q2")
    assert ("Can Tho City",) in _table(settings, "SELECT name_en FROM reporters")


def test_a_warehouse_synced_before_fingerprints_is_synced_again(settings, write_csv):
    """A warehouse written by an earlier pipeline has no fingerprint: its tables are replaced, not trusted."""
    _load(settings, write_csv, "a.csv", "2026-Q1")
    with open_writer(settings.warehouse_path) as con:
        con.execute(f"DELETE FROM meta WHERE key = '{FINGERPRINT_KEY}'")
        con.execute("UPDATE reporters SET name_en = 'stale' WHERE code = 'MOFA'")
    _load(settings, write_csv, "b.csv", "2026-Q2")
    assert _table(settings, "SELECT name_en FROM reporters WHERE name_en = 'stale'") == []
    assert _table(settings, f"SELECT count(*) FROM meta WHERE key = '{FINGERPRINT_KEY}'") == [(1,)]
