"""Excel rows: a problem found across a workbook's cells still names the row at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest import ingest
from pipelines.problems import format_problem
from tests.conftest import TODAY

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "plausibility"


def test_text_cell_with_a_decimal_comma_among_typed_numbers_names_its_row(settings, catalog):
    [outcome] = ingest([GOLDEN / "text_cell_decimal_comma.xlsx"], settings, catalog, today=TODAY)
    assert outcome.status == "rejected"
    [problem] = outcome.problems
    # Not "the file mixes number formats": D2 is a typed number, D3 a number stored as text.
    assert problem.code == "text_number" and problem.row == 3 and problem.column == "value"
    assert problem.params["dot_row"] == 2 and problem.params["comma_row"] == 3
    assert "row 3, column value:" in format_problem(problem, outcome.file_name, "en")
    assert "dòng 3, cột value:" in format_problem(problem, outcome.file_name, "vi")


def test_workbook_problems_name_the_cell_as_excel_shows_it(settings, catalog):
    [outcome] = ingest([GOLDEN / "text_cell_decimal_comma.xlsx"], settings, catalog, today=TODAY)
    [problem] = outcome.problems
    assert problem.params["cell"] == "Sheet1!D3"
    assert format_problem(problem, outcome.file_name, "en") == (
        "text_cell_decimal_comma.xlsx, Sheet1!D3, row 3, column value: '8,9' is stored as text while the other values "
        "are numbers (e.g. 71.6 in Sheet1!D2); type it again as a number (or select the cell and use Convert to Number) "
        "so that Excel stores a number")


def test_text_number_quotes_the_typed_number_as_vietnamese_excel_shows_it(settings, catalog):
    """The issue's case: the message quoted `71.6` where the reporter's Vietnamese Excel shows `71,6`."""
    [outcome] = ingest([GOLDEN / "text_cell_decimal_comma.xlsx"], settings, catalog, today=TODAY)
    [problem] = outcome.problems
    vi = format_problem(problem, outcome.file_name, "vi")
    assert vi == (
        "text_cell_decimal_comma.xlsx, Sheet1!D3, dòng 3, cột value: '8,9' được lưu dưới dạng văn bản trong khi các "
        "giá trị khác là số (ví dụ 71,6 ở ô Sheet1!D2); hãy nhập lại ô này dưới dạng số (hoặc chọn ô và dùng "
        "Convert to Number) để Excel lưu thành số")
    assert "71.6" not in vi


@pytest.mark.parametrize("golden, cell, en, vi", [
    ("percent_over_100_formatted.xlsx", "Sheet1!D2", "123.4% is outside 0..100", "123,4% nằm ngoài khoảng 0..100"),
    ("count_not_whole_formatted.xlsx", "Sheet1!D2", "1,500.5 is not a whole number", "1.500,5 không phải số nguyên"),
])
def test_rejected_typed_numbers_are_quoted_under_their_cells_format(settings, catalog, golden, cell, en, vi):
    [outcome] = ingest([GOLDEN / golden], settings, catalog, today=TODAY)
    assert outcome.status == "rejected"
    [problem] = outcome.problems
    assert problem.params["cell"] == cell
    assert format_problem(problem, golden, "en").startswith(f"{golden}, {cell}, row 2, column value: {en};")
    assert format_problem(problem, golden, "vi").startswith(f"{golden}, {cell}, dòng 2, cột value: {vi};")
    assert problem.shown_value("vi") == vi.split(" ")[0]  # the data-status page's value column


def test_report_beside_a_rejected_workbook_quotes_excels_numbers(settings, catalog):
    [outcome] = ingest([GOLDEN / "count_not_whole_formatted.xlsx"], settings, catalog, today=TODAY, lang="vi")
    assert "1.500,5 không phải số nguyên" in outcome.report_path.read_text(encoding="utf-8")


def test_a_csv_keeps_the_reporters_own_spelling(settings, catalog, write_csv):
    path = write_csv("headcount.csv", [["STAFF_HEADCOUNT", "MOFA", "2026-Q2", "1500.5", "persons", ""]])
    [outcome] = ingest([path], settings, catalog, today=TODAY)
    [problem] = outcome.problems
    assert "cell" not in problem.params and problem.message("vi").startswith("1500.5 không phải số nguyên")


def test_cell_references_follow_excel():
    from pipelines.intake.check import column_letter, excel_ref

    assert [column_letter(i) for i in (0, 3, 25, 26, 27, 701, 702)] == ["A", "D", "Z", "AA", "AB", "ZZ", "AAA"]
    assert excel_ref("Sheet1", 3, 14) == "Sheet1!D14"
    assert excel_ref("Báo cáo", 3, 14) == "'Báo cáo'!D14"
    assert excel_ref("Q3's", 0, 2) == "'Q3''s'!A2"
    assert excel_ref("Sheet1", None, 5) == "Sheet1!5:5"  # a whole row, as Excel's Go To takes it


def test_every_row_problem_of_a_workbook_has_its_cell(settings, catalog, write_csv):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Báo cáo"
    sheet.append(["BÁO CÁO QUÝ 3/2026"])
    sheet.append([])
    sheet.append(["indicator", "reporter", "period", "value"])
    sheet.append(["STAFF_HEADCOUNT", "MOFA", "2026-Q1", -5])
    sheet.append(["STAFF_HEADCOUNT", "NOPE", "2026-Q2", 7])
    out = io.BytesIO()
    book.save(out)
    [outcome] = ingest([write_csv("bao_cao.xlsx", out.getvalue())], settings, catalog, today=TODAY)
    cells = {(p.code, p.params.get("cell")) for p in outcome.problems}
    assert cells == {("negative_count", "'Báo cáo'!D4"), ("unknown_reporter", "'Báo cáo'!B5")}


def test_a_whole_row_problem_of_a_workbook_names_the_row_as_excel_does(settings, catalog, write_csv):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator", "reporter", "period", "value"])
    sheet.append(["STAFF_HEADCOUNT", "MOFA", "2026-Q1", 5])
    sheet.append(["STAFF_HEADCOUNT", "MOFA", "2026-Q1", 6])
    out = io.BytesIO()
    book.save(out)
    [outcome] = ingest([write_csv("twice.xlsx", out.getvalue())], settings, catalog, today=TODAY)
    [problem] = outcome.problems
    assert problem.code == "duplicate_key" and problem.params["cell"] == "Sheet!3:3"
    assert format_problem(problem, "twice.xlsx", "vi").startswith("twice.xlsx, Sheet!3:3, dòng 3: trùng chỉ tiêu")


def test_a_workbook_problem_of_no_one_cell_names_the_sheet(settings, catalog):
    """A missing column has no row or cell; the message still says which sheet was read."""
    name = "missing_value_column_named_sheet.xlsx"
    [outcome] = ingest([GOLDEN / name], settings, catalog, today=TODAY)
    assert outcome.status == "rejected"
    [problem] = outcome.problems
    assert problem.code == "missing_columns" and problem.row is None
    assert format_problem(problem, name, "en").startswith(f"{name}, sheet 'Báo cáo': ")
    assert format_problem(problem, name, "vi").startswith(f"{name}, trang tính 'Báo cáo': ")
