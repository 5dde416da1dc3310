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
    assert format_problem(problem, outcome.file_name, "en").startswith("text_cell_decimal_comma.xlsx, row 3, column value:")
    assert format_problem(problem, outcome.file_name, "vi").startswith("text_cell_decimal_comma.xlsx, dòng 3, cột value:")
