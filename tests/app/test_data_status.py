"""Data status: load counts, missing reports, arrivals by reporter and period, the load log, a rejected file's report."""

from __future__ import annotations

import pytest

from tests.app.conftest import BAD_FILE_NAME


def test_vietnamese(sample_dir, open_app):
    at = open_app(sample_dir, "data_status")
    assert [t.value for t in at.title] == ["Tình trạng tiếp nhận dữ liệu"]
    assert [(m.label, m.value) for m in at.metric] == [
        ("Tệp đã nạp", "17"), ("Tệp trùng lặp", "0"), ("Tệp bị từ chối", "1")]
    assert [s.value for s in at.subheader] == [
        "Báo cáo còn thiếu cho Quý 3/2026", "Số tổng hợp tạm tính (thiếu đơn vị báo cáo)", "Giá trị cần theo dõi",
        "Số liệu đã nhận theo đơn vị và kỳ", "Nhật ký nạp tệp", "Báo cáo lỗi của tệp bị từ chối"]
    # The sample's late reporter: CANTHO has not sent OFFICIALS_TRAINED for 2026-Q3.
    assert [s.value for s in at.success] == ["Không có giá trị nào được nạp kèm cảnh báo."]
    missing, provisional, arrivals, log, problems = (d.value for d in at.dataframe)
    assert missing.to_dict("records") == [
        {"Đơn vị báo cáo": "CANTHO", "Chỉ tiêu": "OFFICIALS_TRAINED", "Kỳ gần nhất đã gửi": "Quý 2/2026"}]
    assert provisional.to_dict("records") == [
        {"Chỉ tiêu": "OFFICIALS_TRAINED", "Kỳ": "Quý 3/2026", "Mức đầy đủ": "7 trên 8 đơn vị báo cáo",
         "Đơn vị chưa báo cáo": "CANTHO"}]
    assert list(arrivals.columns)[0] == "Đơn vị báo cáo"
    assert list(arrivals.columns)[-1] == "Quý 3/2026" and "Năm 2025" in arrivals.columns
    assert {"MOFA", "HANOI", "HCMC"} <= set(arrivals["Đơn vị báo cáo"])

    assert list(log.columns) == ["#", "Tệp", "Thời điểm nạp", "Trạng thái", "Số dòng", "Sửa đổi", "Lỗi"]
    assert len(log) == 18
    newest = log.iloc[0]
    assert newest["Tệp"] == BAD_FILE_NAME and newest["Trạng thái"] == "Bị từ chối" and newest["Lỗi"] == 2
    assert newest["Số dòng"] == 0
    assert set(log["Trạng thái"][1:]) == {"Đã nạp"}
    revision = log[log["Tệp"] == "mofa_missions_revision_2026Q3.csv"].iloc[0]
    assert revision["Số dòng"] == 3 and revision["Sửa đổi"] == 3

    # The rejected file's report: summary, one row per problem with row and column, the text form.
    (select,) = at.selectbox
    assert select.label == "Chọn tệp" and select.options == [f"#18 · {BAD_FILE_NAME}"]
    assert [e.value for e in at.error] == [
        f"{BAD_FILE_NAME}: 2 lỗi, không dòng nào được nạp. Sửa các lỗi dưới đây rồi gửi lại cả tệp."]
    assert list(problems.columns) == ["Dòng", "Cột", "Giá trị", "Lý do"]
    assert problems.to_dict("records") == [
        {"Dòng": 2, "Cột": "value", "Giá trị": "-5", "Lý do": "-5 là số âm; MISSIONS_ABROAD là chỉ tiêu đếm"},
        {"Dòng": 3, "Cột": "indicator", "Giá trị": "NOPE_CODE",
         "Lý do": "mã chỉ tiêu 'NOPE_CODE' không có trong danh mục"},
    ]
    (code,) = [c.value for c in at.code]
    assert code.splitlines()[0] == f"{BAD_FILE_NAME}, dòng 2, cột value: -5 là số âm; MISSIONS_ABROAD là chỉ tiêu đếm"
    kept = [c.value for c in at.caption if c.value.startswith("Tệp gốc được lưu tại ")]
    assert len(kept) == 1 and str(sample_dir / "rejected") in kept[0] and kept[0].endswith(BAD_FILE_NAME)


def test_english(sample_dir, open_app):
    at = open_app(sample_dir, "data_status", lang="en")
    assert [t.value for t in at.title] == ["Data status"]
    assert [(m.label, m.value) for m in at.metric] == [
        ("Files loaded", "17"), ("Duplicate files", "0"), ("Files rejected", "1")]
    assert [s.value for s in at.subheader] == [
        "Reports missing for Q3 2026", "Provisional totals (reporters missing)", "Values to follow up",
        "What arrived, by reporter and period", "Load log", "Report of a rejected file"]
    missing, provisional, arrivals, log, problems = (d.value for d in at.dataframe)
    assert provisional.to_dict("records") == [
        {"Indicator": "OFFICIALS_TRAINED", "Period": "Q3 2026", "Coverage": "7 of 8 reporters", "Missing reporters": "CANTHO"}]
    assert list(arrivals.columns)[-1] == "Q3 2026" and "2025" in arrivals.columns
    assert list(log.columns) == ["#", "File", "Loaded at", "Status", "Rows", "Revised", "Problems"]
    assert log.iloc[0]["Status"] == "Rejected"
    assert [e.value for e in at.error] == [
        f"{BAD_FILE_NAME}: 2 problem(s), nothing loaded. Fix these and send the whole file again."]
    assert problems.to_dict("records")[1] == {
        "Row": 3, "Column": "indicator", "Value": "NOPE_CODE", "Reason": "unknown indicator code 'NOPE_CODE'"}
    (code,) = [c.value for c in at.code]
    assert code.splitlines()[1] == f"{BAD_FILE_NAME}, row 3, column indicator: unknown indicator code 'NOPE_CODE'"


def test_rejected_only_warehouse_shows_the_report(rejected_only_dir, open_app):
    at = open_app(rejected_only_dir, "data_status")
    assert [(m.label, m.value) for m in at.metric] == [
        ("Tệp đã nạp", "0"), ("Tệp trùng lặp", "0"), ("Tệp bị từ chối", "1")]
    assert len(at.error) == 1 and at.error[0].value.startswith(f"{BAD_FILE_NAME}: 2 lỗi")
    assert at.dataframe[-1].value["Dòng"].tolist() == [2, 3]


@pytest.mark.parametrize("lang, title, empty", [
    ("vi", "Tình trạng tiếp nhận dữ liệu", "Chưa có số liệu"), ("en", "Data status", "No data yet")])
def test_empty_database(empty_dir, open_app, lang, title, empty):
    at = open_app(empty_dir, "data_status", lang=lang)
    assert [t.value for t in at.title] == [title]
    (info,) = [i.value for i in at.main.info]
    assert info.startswith(f"**{empty}**") and "`kpi demo`" in info
    assert not at.metric and not at.dataframe
