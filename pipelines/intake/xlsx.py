"""Excel workbooks (.xlsx): the first sheet's rows, as the reporter's Excel shows them, handed to
the exact reader's header and row rules (`whole_xlsx`). The unpacked size is checked before
parsing and a sheet's declared dimension is never trusted.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime

from pipelines.intake.excel_cells import NumberCells
from pipelines.intake.exact_reader import whole_records
from pipelines.intake.limits import Budget, OverLimit, default_budget
from pipelines.intake.table import Table
from pipelines.problems import Problem

def _excel_cell(value: object, number_format: str | None) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        # A typed number is unambiguous: write it so that no decimal-mark convention can misread
        # it (`12.345` would read as twelve thousand under the Vietnamese one, `1e+20` not at all).
        if number_format and "%" in number_format:
            return _excel_number(value * 100) + "%"
        return str(value) if isinstance(value, int) else _excel_number(value)
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _excel_number(value: float) -> str:
    """What Excel shows (15 significant digits), in the export's never-ambiguous spelling."""
    from pipelines.intake.numbers import format_number

    return format_number(float(format(value, ".15g")))


def whole_xlsx(data: bytes, budget: Budget | None = None) -> Table:
    """The first sheet of a workbook, read as if it were the CSV.

    Bounded before it is parsed: the members' unpacked sizes (zipfile never inflates a member past
    the size its directory declares) against KPI_MAX_WORKBOOK_MB. The sheet's declared dimension
    is not trusted (`A1:XFD1048576` made openpyxl pad every row to 16,384 cells): rows are taken
    as the sheet holds them, and a row whose last value lies past KPI_MAX_ROW_CELLS is refused
    before its cells are laid out.
    """
    import zipfile

    import openpyxl  # imported here: only Excel uploads pay for it

    budget = budget or default_budget()
    limits = budget.limits
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limits.max_workbook_bytes:
        mb = lambda n: f"{n / 1024 / 1024:.1f}".removesuffix(".0")  # noqa: E731
        raise OverLimit([Problem("workbook_too_large", params={"size_mb": mb(unpacked), "limit_mb": mb(limits.max_workbook_bytes)})])
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        numbers = NumberCells()
        table = whole_records(_sheet_records(workbook, sheet, budget, numbers), ragged_ok=True, budget=budget)
        table.sheet_name = sheet.title  # type: ignore[attr-defined] - problems then name cells as Excel does
        table.number_cells = numbers  # type: ignore[attr-defined] - … and quote numbers as Excel shows them
        return table
    finally:
        workbook.close()


def _sheet_records(workbook, sheet, budget: Budget, numbers: NumberCells) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of each row the sheet holds, as openpyxl's read-only sheet gives them
    but without its padding: rows missing from the sheet are blank (and skipped anyway), and a
    row has cells up to its last value. Each typed number's cell and format go to `numbers`."""
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    limit = budget.limits.max_row_cells
    with workbook._archive.open(sheet._worksheet_path) as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        for count, (row_no, row) in enumerate(parser.parse(), start=1):
            if count % 1000 == 0:
                budget.check_time()
            filled = [cell for cell in row if cell["value"] is not None]
            if not filled:
                continue
            last = max(cell["column"] for cell in filled)
            if last > limit:
                raise OverLimit([Problem("sheet_too_wide", row=row_no, params={
                    "sheet": sheet.title, "cell": f"{get_column_letter(last)}{row_no}", "found": last, "limit": limit})])
            cells = [""] * last
            for cell in filled:
                if cell["column"] >= 1:
                    ro = ReadOnlyCell(sheet, **cell)
                    cells[cell["column"] - 1] = _excel_cell(ro.value, ro.number_format)
                    if isinstance(ro.value, (int, float)) and not isinstance(ro.value, bool):
                        numbers.add(row_no, cell["column"] - 1, ro.number_format)
            yield row_no, cells
