"""Upload: validation before loading (nothing written), then a load through the pipeline that the other pages show."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from pipelines.settings import Settings
from pipelines.signoff import approve
from pipelines.warehouse.store import open_reader
from tests.app.conftest import BAD_FILE, BAD_FILE_NAME, GOOD_FILE, GOOD_FILE_NAME, PAGES
from tests.app.helpers import cards


def counts(data_dir: Path) -> tuple[int, int]:
    """(observations, loads) in the published warehouse; (0, 0) when none is published."""
    with open_reader(data_dir / "warehouse" / "kpi.duckdb") as con:
        if con is None:
            return 0, 0
        return con.execute("SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM loads)").fetchone()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("lang, title, label", [
    ("vi", "Nạp tệp số liệu", "Tệp CSV hoặc Excel"), ("en", "Upload data files", "CSV or Excel files")])
def test_page_before_any_file(sample_dir, open_app, lang, title, label):
    at = open_app(sample_dir, "upload", lang=lang)
    assert [t.value for t in at.title] == [title]
    (uploader,) = at.file_uploader
    assert uploader.label == label
    assert uploader.accept_multiple_files
    assert set(uploader.allowed_type) >= {".csv", ".xlsx"}
    assert not at.button and not at.success and not at.error


def test_valid_file_is_checked_not_loaded(sample_dir, open_app):
    before = counts(sample_dir)
    at = open_app(sample_dir, "upload")
    at.file_uploader[0].upload(GOOD_FILE_NAME, GOOD_FILE, "text/csv").run()
    assert not at.exception
    assert [s.value for s in at.success] == [f"{GOOD_FILE_NAME}: hợp lệ, 1 dòng sẵn sàng nạp."]
    assert not at.error
    assert [b.label for b in at.button] == ["Nạp 1 tệp"]
    assert counts(sample_dir) == before  # a preview writes nothing


def test_invalid_file_lists_its_problems(sample_dir, open_app):
    at = open_app(sample_dir, "upload")
    at.file_uploader[0].upload(BAD_FILE_NAME, BAD_FILE, "text/csv").run()
    assert [e.value for e in at.error] == [f"{BAD_FILE_NAME}: 2 lỗi — tệp sẽ bị từ chối."]
    (code,) = [c.value for c in at.code]
    assert code.splitlines() == [
        f"{BAD_FILE_NAME}, dòng 2, cột value: -5 là số âm; MISSIONS_ABROAD là chỉ tiêu đếm",
        f"{BAD_FILE_NAME}, dòng 3, cột indicator: mã chỉ tiêu 'NOPE_CODE' không có trong danh mục",
    ]
    assert not at.success


def test_english_results(sample_dir, open_app):
    at = open_app(sample_dir, "upload", lang="en")
    at.file_uploader[0].set_value([(GOOD_FILE_NAME, GOOD_FILE, "text/csv"), (BAD_FILE_NAME, BAD_FILE, "text/csv")]).run()
    assert [s.value for s in at.success] == [f"{GOOD_FILE_NAME}: valid, 1 rows ready to load."]
    assert [e.value for e in at.error] == [f"{BAD_FILE_NAME}: 2 problem(s) — the file will be rejected."]
    assert at.code[0].value.splitlines()[0] == f"{BAD_FILE_NAME}, row 2, column value: -5 is negative; MISSIONS_ABROAD is a count"
    assert [b.label for b in at.button] == ["Load 2 file(s)"]


def test_excel_file_is_read_too(sample_dir, open_app):
    data = xlsx_bytes([["indicator", "reporter", "period", "value", "unit", "note"],
                       ["MISSIONS_ABROAD", "MOFA", "2026-Q3", 98, "agencies", "xlsx"]])
    at = open_app(sample_dir, "upload")
    at.file_uploader[0].upload("revision.xlsx", data,
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()
    assert [s.value for s in at.success] == ["revision.xlsx: hợp lệ, 1 dòng sẵn sàng nạp."]


def test_load_button_loads_and_every_page_shows_it(writable_sample_dir, open_app):
    data = writable_sample_dir
    observations, loads = counts(data)
    at = open_app(data, "upload")
    at.file_uploader[0].set_value([(GOOD_FILE_NAME, GOOD_FILE, "text/csv"), (BAD_FILE_NAME, BAD_FILE, "text/csv")]).run()
    at.button(key="do_load").click().run()
    assert not at.exception
    outcome_lines = [s.value for s in at.success if GOOD_FILE_NAME in s.value and "hợp lệ" not in s.value]
    assert len(outcome_lines) == 1 and "1 dòng" in outcome_lines[0] and "sửa đổi" in outcome_lines[0]
    assert any(BAD_FILE_NAME in e.value and "từ chối" in e.value for e in at.error)
    assert [t.value for t in at.toast] == ["Đã nạp xong; các trang đã cập nhật."]

    assert counts(data) == (observations + 1, loads + 2)
    assert len(list((data / "archive").glob(f"*{GOOD_FILE_NAME}"))) == 1
    assert len(list((data / "rejected").glob(f"*{BAD_FILE_NAME}"))) == 2  # the fixture's and this one
    assert not any((data / "inbox").iterdir())

    # Same session, no restart: the other pages read the new version of the warehouse. The
    # revision waits for approval, so leaders still see the approved 97 until it is signed off.
    at.switch_page(PAGES["overview"]).run()
    missions = [c for c in cards(at) if c.link_query.startswith("code=MISSIONS_ABROAD&")]
    assert missions[0].metric_value == "97 cơ quan"
    approve(Settings(data_dir=data, _env_file=None), "MOFA", "2026-Q3", actor="chi")  # type: ignore[call-arg]
    at.switch_page(PAGES["overview"]).run()
    missions = [c for c in cards(at) if c.link_query.startswith("code=MISSIONS_ABROAD&")]
    assert missions[0].metric_value == "98 cơ quan"
    at.switch_page(PAGES["data_status"]).run()
    assert [(m.label, m.value) for m in at.metric] == [
        ("Tệp đã nạp", "19"), ("Tệp trùng lặp", "0"), ("Tệp bị từ chối", "2")]


def test_upload_into_an_empty_database(tmp_path, open_app):
    data = tmp_path / "data"
    at = open_app(data, "upload", lang="en")
    at.file_uploader[0].upload(GOOD_FILE_NAME, GOOD_FILE, "text/csv").run()
    at.button(key="do_load").click().run()
    assert not at.exception
    assert any(s.value.startswith("loaded") and GOOD_FILE_NAME in s.value for s in at.success)
    assert counts(data) == (1, 1)
    approve(Settings(data_dir=data, _env_file=None), "MOFA", "2026-Q3", actor="chi")  # type: ignore[call-arg]
    at.switch_page(PAGES["missions"]).run()
    assert [(m.label, m.value) for m in at.metric][0] == ("Agencies abroad, Q3 2026", "98")
