"""Data status: load counts, missing reports, arrivals by reporter and period, the load log, a rejected file's report."""

from __future__ import annotations

import pytest

from tests.app.conftest import _run_cli

from tests.app.conftest import BAD_FILE_NAME

DEADLINE_SECTION_VI = ["Hạn báo cáo", "Tệp đang chờ trong thư mục nhận", "Tệp bị từ chối chưa được gửi lại"]
DEADLINE_SECTION_EN = ["Reporting deadlines", "Files waiting in the inbox", "Rejected files not yet replaced"]


def test_vietnamese(sample_dir, open_app):
    at = open_app(sample_dir, "data_status")
    assert [t.value for t in at.title] == ["Tình trạng tiếp nhận dữ liệu"]
    assert [(m.label, m.value) for m in at.metric] == [
        ("Tệp đã nạp", "18"), ("Tệp trùng lặp", "0"), ("Tệp bị từ chối", "1")]
    assert [s.value for s in at.subheader] == [
        "Báo cáo còn thiếu cho Quý 3/2026", "Số tổng hợp tạm tính (thiếu đơn vị báo cáo)", "Giá trị cần theo dõi",
        "Số liệu đã nhận theo đơn vị và kỳ", "Nhật ký nạp tệp", "Báo cáo lỗi của tệp bị từ chối", *DEADLINE_SECTION_VI]
    # The sample's late reporter: CANTHO has not sent OFFICIALS_TRAINED for 2026-Q3.
    assert [s.value for s in at.success] == ["Không có giá trị nào được nạp kèm cảnh báo."]
    missing, provisional, arrivals, log, problems = (d.value for d in list(at.dataframe)[:5])
    assert missing.to_dict("records") == [
        {"Đơn vị báo cáo": "CANTHO", "Chỉ tiêu": "OFFICIALS_TRAINED", "Kỳ gần nhất đã gửi": "Quý 2/2026"}]
    assert provisional.to_dict("records") == [
        {"Chỉ tiêu": "OFFICIALS_TRAINED", "Kỳ": "Quý 3/2026", "Mức đầy đủ": "6 trên 8 đơn vị báo cáo",
         "Đơn vị chưa báo cáo (chậm)": "CANTHO", "Đã gửi, chờ phê duyệt": "HAIPHONG"}]  # CANTHO late; HAIPHONG waits for approval
    assert any(c.value.startswith("Số liệu đã nhận nhưng chưa được phê duyệt không tính") for c in at.caption)
    assert list(arrivals.columns)[0] == "Đơn vị báo cáo"
    assert list(arrivals.columns)[-1] == "Quý 3/2026" and "Năm 2025" in arrivals.columns
    assert {"MOFA", "HANOI", "HCMC"} <= set(arrivals["Đơn vị báo cáo"])

    assert list(log.columns) == ["#", "Tệp", "Thời điểm nạp", "Trạng thái", "Số dòng", "Sửa đổi", "Lỗi"]
    assert len(log) == 19
    newest = log.iloc[0]
    assert newest["Tệp"] == BAD_FILE_NAME and newest["Trạng thái"] == "Bị từ chối" and newest["Lỗi"] == 2
    assert newest["Số dòng"] == 0
    assert set(log["Trạng thái"][1:]) == {"Đã nạp"}
    revision = log[log["Tệp"] == "mofa_missions_revision_2026Q3.csv"].iloc[0]
    assert revision["Số dòng"] == 3 and revision["Sửa đổi"] == 3

    # The rejected file's report: summary, one row per problem with row and column, the text form.
    (select,) = at.selectbox
    assert select.label == "Chọn tệp" and select.options == [f"#19 · {BAD_FILE_NAME}"]
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
        ("Files loaded", "18"), ("Duplicate files", "0"), ("Files rejected", "1")]
    assert [s.value for s in at.subheader] == [
        "Reports missing for Q3 2026", "Provisional totals (reporters missing)", "Values to follow up",
        "What arrived, by reporter and period", "Load log", "Report of a rejected file", *DEADLINE_SECTION_EN]
    missing, provisional, arrivals, log, problems = (d.value for d in list(at.dataframe)[:5])
    assert provisional.to_dict("records") == [
        {"Indicator": "OFFICIALS_TRAINED", "Period": "Q3 2026", "Coverage": "6 of 8 reporters",
         "Late reporters (nothing received)": "CANTHO", "Received, waiting for approval": "HAIPHONG"}]
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
    (problems,) = [d.value for d in at.dataframe if "Dòng" in d.value.columns]
    assert problems["Dòng"].tolist() == [2, 3]


@pytest.mark.parametrize("lang, title, empty", [
    ("vi", "Tình trạng tiếp nhận dữ liệu", "Chưa có số liệu"), ("en", "Data status", "No data yet")])
def test_empty_database(empty_dir, open_app, lang, title, empty):
    at = open_app(empty_dir, "data_status", lang=lang)
    assert [t.value for t in at.title] == [title]
    (info,) = [i.value for i in at.main.info]
    assert info.startswith(f"**{empty}**") and "`kpi demo`" in info
    assert not at.metric and not at.dataframe


def frame_with(at, column: str):
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def test_deadlines_on_time_late_missing_and_rates(sample_dir, open_app):
    """The sample was loaded today, long after 2026-Q3's deadline (20 October): every report late."""
    at = open_app(sample_dir, "data_status", lang="en")
    assert any(c.value.startswith("A quarter's report is due 20 days, a year's 45 days") for c in at.caption)
    rates = frame_with(at, "Reporting rate")
    assert list(rates.columns) == ["Period", "Expected", "Received", "On time", "Reporting rate", "On-time rate"]
    q3 = rates[rates["Period"] == "Q3 2026"].iloc[0]
    assert (q3["Expected"], q3["Received"], q3["On time"], q3["Reporting rate"], q3["On-time rate"]) == (9, 8, 0, "89 %", "0 %")  # CANTHO is the sample's late reporter
    per = frame_with(at, "Indicators received")
    mofa = per[(per["Reporter"] == "MOFA") & (per["Period"] == "Q3 2026")].iloc[0]
    assert mofa["Due"] == "20/10/2026" and mofa["Status"].startswith("Late by ") and mofa["Status"].endswith(" days")
    # The faulty file is listed until a file of the same name loads; nothing waits in the inbox.
    (open_rejections,) = [d.value for d in at.dataframe if list(d.value.columns) == ["#", "File", "Loaded at", "Problems"]]
    assert open_rejections["File"].tolist() == [BAD_FILE_NAME] and open_rejections["Problems"].tolist() == [2]
    assert "No file is waiting." in [c.value for c in at.caption]


def test_files_waiting_and_a_rejection_replaced(writable_sample_dir, open_app, tmp_path):
    fixed = tmp_path / BAD_FILE_NAME
    fixed.write_text("indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2026-Q2,96,agencies,fixed\n")
    assert _run_cli(writable_sample_dir, "ingest", str(fixed), "--lang", "en") == 0
    (writable_sample_dir / "inbox" / "hanoi_q4.csv").write_text("indicator,reporter,period,value\n")
    (writable_sample_dir / "inbox" / "hanoi_q4.csv.part").write_text("")
    at = open_app(writable_sample_dir, "data_status", lang="vi")
    waiting = frame_with(at, "Đã chờ (phút)")
    assert waiting["Tệp"].tolist() == ["hanoi_q4.csv"]
    assert "Mọi tệp bị từ chối đều đã được gửi lại." in [c.value for c in at.caption]
