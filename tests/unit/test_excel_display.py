"""Numbers as the reporter's Excel shows them: the cell's number format, the reading language's marks."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from pipelines.intake.excel_cells import NumberCells, excel_text


@pytest.mark.parametrize("number, number_format, en, vi", [
    (71.6, "General", "71.6", "71,6"),
    (71.6, None, "71.6", "71,6"),
    (1234567, "General", "1234567", "1234567"),  # General never groups thousands
    (0.86, "0%", "86%", "86%"),
    (0.716, "0.0%", "71.6%", "71,6%"),
    (39385.5, "#,##0.0", "39,385.5", "39.385,5"),
    (1234567.891, "#,##0.00", "1,234,567.89", "1.234.567,89"),
    (8.9, "0.00", "8.90", "8,90"),
    (2.5, "0", "3", "3"),  # Excel rounds half away from zero
    (-2.5, "0", "-3", "-3"),
    (-1500, "#,##0;(#,##0)", "(1,500)", "(1.500)"),
    (1234567, "#,##0,", "1,235", "1.235"),  # a trailing comma shows thousands
    (12, '0.0" người"', "12.0 người", "12,0 người"),
    (1234.5, "[$₫-42A]#,##0", "₫1,235", "₫1.235"),
    (3, "0.0#", "3.0", "3,0"),
    (3.14159, "0.0#", "3.14", "3,14"),
    (45000, "dd/mm/yyyy", "45000", "45000"),  # a date format: General
    (1e20, "General", "1E+20", "1E+20"),
])
def test_number_formats_in_both_languages(number, number_format, en, vi):
    assert excel_text(number, number_format, "en") == en
    assert excel_text(number, number_format, "vi") == vi


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(lambda v: abs(v) > 1e-6),
       st.sampled_from(["0.0", "#,##0.00", "0.000", "#,##0"]))
def test_a_shown_number_reads_back_within_its_rounding(number, number_format):
    decimals = number_format.partition(".")[2].count("0")
    for lang, (decimal_mark, thousands) in {"en": (".", ","), "vi": (",", ".")}.items():
        shown = excel_text(number, number_format, lang)
        back = float(shown.replace(thousands, "").replace(decimal_mark, "."))
        assert abs(back - number) <= 0.5 * 10 ** -decimals * (1 + 1e-9) + abs(number) * 1e-15


def test_number_cells_know_which_cells_held_typed_numbers():
    cells = NumberCells()
    cells.add(2, 3, "0.0")
    cells.add(2, 5, None)
    cells.add(4, 3, "#,##0")
    assert cells.format_at(2, 3) == "0.0" and cells.format_at(2, 5) == "General"
    assert cells.format_at(4, 3) == "#,##0"
    assert cells.format_at(3, 3) is None and cells.format_at(2, 4) is None and cells.format_at(9, 3) is None
    assert cells.formats == ["0.0", "General", "#,##0"]  # one copy of each format
