"""Safety: names from uploads cannot escape the data folder or hide from the inbox scan, and
nothing a file contains reaches SQL as code."""

from __future__ import annotations

import os
import shutil
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipelines.ingest import MAX_NAME_BYTES, ingest, safe_name, save_upload
from pipelines.settings import Settings
from pipelines.warehouse.store import open_reader
from tests.intake.conftest import FIXTURES, TODAY, fingerprint, run_cli

EVIL_NAMES = [
    "../../etc/passwd",
    "../../../../../../tmp/escaped.csv",
    "/etc/passwd",
    "/absolute/path/report.csv",
    "..\\..\\windows\\system32\\x.csv",
    "C:\\Users\\analyst\\Desktop\\bao_cao.csv",
    "a\x00b.csv",
    "..",
    ".",
    "",
    "   ",
    ".hidden.csv",
    "~$lock.xlsx",
    "sneaky.report.txt",
    "x" * 1000 + ".csv",
    "ệ" * 300 + ".csv",
    "Báo cáo quý 3 năm 2025.csv",
    unicodedata.normalize("NFD", "Báo cáo Đà Nẵng.xlsx"),
    "line\nbreak\r.csv",
    "\u202ecsv.exe",
    "con.csv",
    "a/b/../../../c.csv",
]


@pytest.mark.parametrize("name", EVIL_NAMES, ids=lambda n: repr(n[:30]))
def test_safe_name_is_one_plain_component(name: str) -> None:
    safe = safe_name(name)
    assert safe and safe not in (".", "..")
    assert not {"/", "\\", "\x00", "\n", "\r"} & set(safe)
    assert not safe.startswith((".", "~$")) and not safe.endswith((".report.txt", ".report.json"))
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES
    assert unicodedata.is_normalized("NFC", safe)


def test_vietnamese_names_keep_their_letters() -> None:
    assert safe_name("Báo cáo quý 3 năm 2025.csv") == "Báo_cáo_quý_3_năm_2025.csv"
    assert safe_name(unicodedata.normalize("NFD", "Báo cáo Đà Nẵng.xlsx")) == "Báo_cáo_Đà_Nẵng.xlsx"
    assert safe_name("ệ" * 300 + ".csv").endswith(".csv")


def test_uploads_land_in_the_inbox_and_are_all_ingested(tmp_path: Path, intake_settings: Settings) -> None:
    data = (FIXTURES / "utf8_plain_comma.csv").read_bytes()
    saved = []
    for i, name in enumerate(EVIL_NAMES):
        body = data.replace(b"2950", str(3000 + i).encode())  # distinct bytes: none is a duplicate
        path = save_upload(name, body, intake_settings)
        assert path.resolve().parent == intake_settings.inbox_dir.resolve()
        assert path.read_bytes() == body
        saved.append(path)
    assert len(set(saved)) == len(EVIL_NAMES), "an upload overwrote another"
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and intake_settings.inbox_dir not in p.parents]
    assert outside == []
    assert not Path("/tmp/escaped.csv").exists()

    outcomes = ingest(None, intake_settings, today=TODAY)
    assert len(outcomes) == len(EVIL_NAMES), "an upload is hidden from the inbox scan"
    assert {o.status for o in outcomes} == {"loaded"}
    for o in outcomes:
        assert o.stored_as.parent == intake_settings.archive_dir and o.stored_as.exists()


def test_same_name_twice_keeps_both(intake_settings: Settings) -> None:
    first = save_upload("bao_cao.csv", b"one", intake_settings)
    second = save_upload("bao_cao.csv", b"two", intake_settings)
    assert first != second and first.read_bytes() == b"one" and second.read_bytes() == b"two"


def test_sixteen_simultaneous_uploads_of_one_name_keep_all_sixteen(intake_settings: Settings) -> None:
    """Issue 14: 16 uploads of same.csv at once left 15 files (one upload's bytes overwritten)."""
    bodies = [bytes([65 + i]) * 2_000_000 for i in range(16)]  # large enough for the writes to overlap
    for _ in range(3):
        start = threading.Barrier(len(bodies))

        def upload(body: bytes) -> Path:
            start.wait()
            return save_upload("same.csv", body, intake_settings)

        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            saved = list(pool.map(upload, bodies))
        assert len(set(saved)) == len(bodies), "two uploads were given the same name"
        assert sorted(p.read_bytes() for p in saved) == sorted(bodies), "an upload's bytes were overwritten"
        assert sorted(os.listdir(intake_settings.inbox_dir)) == sorted(p.name for p in saved), "a temp file is left"
        shutil.rmtree(intake_settings.inbox_dir)


def test_a_name_on_disk_that_is_not_utf8_loads_and_is_filed(intake_settings: Settings) -> None:
    intake_settings.inbox_dir.mkdir(parents=True)
    raw = os.fsencode(intake_settings.inbox_dir) + b"/b\xe1o_c\xe1o.csv"  # a Windows-1258 name from a zip
    with open(raw, "wb") as out:
        out.write((FIXTURES / "utf8_plain_comma.csv").read_bytes())
    [outcome] = ingest(None, intake_settings, today=TODAY)
    assert outcome.status == "loaded"
    assert outcome.file_name == "b\ufffdo_c\ufffdo.csv"
    assert not os.listdir(os.fsencode(intake_settings.inbox_dir))
    assert outcome.stored_as.exists()


def test_sql_in_cells_is_data_never_code(intake_settings: Settings) -> None:
    intake_settings.inbox_dir.mkdir(parents=True)
    for name in ("sql_text_cells.csv", "sql_in_breakdown.csv", "sql_in_codes.csv"):
        shutil.copyfile(FIXTURES / name, intake_settings.inbox_dir / name)
    done = run_cli(intake_settings, "ingest", "--lang", "en")
    assert done.returncode == 1 and "Traceback" not in done.stderr  # sql_in_codes.csv is rejected
    with open_reader(intake_settings.warehouse_path) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert {"observations", "loads", "current_observations", "indicators", "reporters"} <= tables
        statuses = con.execute("SELECT file_name, status FROM loads ORDER BY load_id").fetchall()
        notes = {r[0] for r in con.execute("SELECT note FROM observations").fetchall()}
        breakdowns = {r[0] for r in con.execute("SELECT breakdown FROM observations").fetchall()}
    assert statuses == [("sql_in_breakdown.csv", "loaded"), ("sql_in_codes.csv", "rejected"),
                        ("sql_text_cells.csv", "loaded")]
    assert "'); DROP TABLE observations; --" in notes
    assert any("DROP TABLE loads" in b for b in breakdowns)
    assert fingerprint(intake_settings)[0] == 3
