"""Excel rows: a problem found across a workbook's cells still names the row at fault."""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest import ingest
from pipelines.problems import format_problem
from tests.conftest import TODAY

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "plausibility"


def test_text_cell_with_a_decimal_comma_among_typed_numbers_names_its_row(settings, catalog):
    [outcome] = ingest([GOLDEN / "text_cell_decimal_comma.xlsx"], settings, catalog, today=TODAY)
    assert outcome.status == "rejected"
    [problem] = outcome.problems
    assert problem.code == "mixed_numbers" and problem.row == 3 and problem.column == "value"
    assert problem.params["dot_row"] == 2 and problem.params["comma_row"] == 3
    assert "row 3, column value:" in format_problem(problem, outcome.file_name, "en")
    assert "dòng 3, cột value:" in format_problem(problem, outcome.file_name, "vi")


def test_workbook_problems_name_the_cell_as_excel_shows_it(settings, catalog):
    [outcome] = ingest([GOLDEN / "text_cell_decimal_comma.xlsx"], settings, catalog, today=TODAY)
    [problem] = outcome.problems
    assert problem.params["cell"] == "Sheet1!D3"
    assert format_problem(problem, outcome.file_name, "en").startswith(
        "text_cell_decimal_comma.xlsx, Sheet1!D3, row 3, column value: the file mixes number formats")


def test_cell_references_follow_excel():
    from pipelines.intake.check import column_letter, excel_ref

    assert [column_letter(i) for i in (0, 3, 25, 26, 27, 701, 702)] == ["A", "D", "Z", "AA", "AB", "ZZ", "AAA"]
    assert excel_ref("Sheet1", 3, 14) == "Sheet1!D14"
    assert excel_ref("Báo cáo", 3, 14) == "'Báo cáo'!D14"
    assert excel_ref("Q3's", 0, 2) == "'Q3''s'!A2"


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
