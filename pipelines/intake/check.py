"""A file's bytes judged whole: read, validated, and read again exactly if the fast reader gave up.

The one entry point for a load and for the upload page's preview, so both judge a file alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from dataclasses import dataclass, replace

from pipelines.catalog import Catalog
from pipelines.intake.excel_cells import NumberCells
from pipelines.intake.limits import Budget, Limits, OverLimit
from pipelines.intake.fast_reader import PIECE_BYTES, Irregular
from pipelines.intake.read import ReadResult, read_bytes
from pipelines.intake.exact_reader import BrokenText
from pipelines.intake.table import Rows, empty_table
from pipelines.intake.validate import Validated, validate


def check_bytes(load: Callable[[], bytes], max_bytes: int, catalog: Catalog, today: date,
                size: int | None = None, piece_bytes: int = PIECE_BYTES,
                chunk_rows: int | None = None, limits: Limits | None = None) -> tuple[ReadResult, Validated | None]:
    """The read (encoding, delimiter, or why the file is unreadable; its table dropped) and the
    validation, None when there was nothing to validate.

    `load` gives the file's bytes, and is called again only in the rare case below: so the
    bytes are held by the streamed table alone, which lets them go once its last chunk is read
    (hundreds of MB for a large file). A text file is validated as its rows stream in. If a later row
    proves a regular-looking file irregular, all of that is dropped and the exact reader starts
    over; if the exact reader meets a quote it cannot close, that is the file's only problem.
    `piece_bytes`, `chunk_rows`: see `read_bytes`. `limits` (default: the settings' defaults)
    bounds the file's columns, cells, rows and time: a file over one is judged by that alone.
    """
    budget = (limits or Limits()).start()
    read = read_bytes(load(), max_bytes, size=size, stream=True, piece_bytes=piece_bytes, chunk_rows=chunk_rows,
                      budget=budget)
    if read.table is None:
        return read, None
    checked, not_utf8 = _validate_fast(read.table, catalog, today, budget)
    if checked is None and not_utf8:
        # Bytes that only looked like UTF-8 (an ASCII header): decoded first, then the fast reader
        # again on the text; the streamed table (with the bytes) dropped before they are read again.
        read = None  # type: ignore[assignment]
        read = read_bytes(load(), max_bytes, size=size, stream=True, piece_bytes=piece_bytes, chunk_rows=chunk_rows,
                          budget=budget, decode_first=True)
        if read.table is None:
            return read, None
        checked, _ = _validate_fast(read.table, catalog, today, budget)
    if checked is None:
        # The traceback of Irregular (which held the chunks validated so far) is gone by now.
        read = None  # type: ignore[assignment]
        read = read_bytes(load(), max_bytes, size=size, stream=True, exact=True, chunk_rows=chunk_rows, budget=budget)
        checked = _validate(read.table, catalog, today, budget) if read.table is not None else None
    if read.table is not None and getattr(read.table, "sheet_name", None):
        read.cells = ExcelCells(read.table.sheet_name, read.table.columns,  # type: ignore[attr-defined]
                                getattr(read.table, "number_cells", None) or NumberCells())
        if checked is not None:
            checked.problems = [read.cells.problem(p) for p in checked.problems]
        read.problems = [read.cells.problem(p) for p in read.problems]
    read.table = None
    return read, checked


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel labels it."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _sheet_prefix(sheet: str) -> str:
    import re

    return sheet if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) else "'" + sheet.replace("'", "''") + "'"


def excel_ref(sheet: str, column_index: int | None, row: int) -> str:
    """`Sheet1!D14`, or `'Báo cáo'!D14` when the sheet's name needs quotes in a formula; the whole
    row as Excel names it (`Sheet1!14:14`) when no column is known."""
    if column_index is None:
        return f"{_sheet_prefix(sheet)}!{row}:{row}"
    return f"{_sheet_prefix(sheet)}!{column_letter(column_index)}{row}"


def with_cell(problem, sheet: str, columns: list[str]):
    """The problem with `params['cell']` when it has a row and a column found in the sheet's header."""
    return ExcelCells(sheet, columns, NumberCells()).problem(problem)


@dataclass
class ExcelCells:
    """A workbook's first sheet as problems and warnings locate and quote it: the sheet's name,
    the header's columns, and which cells held typed numbers under which number format."""

    sheet: str
    columns: list[str]
    numbers: NumberCells

    def _index(self, column: str | None) -> int | None:
        names = [c.lower() for c in self.columns]
        return names.index(column.lower()) if column and column.lower() in names else None

    def ref(self, column: str | None, row: int | None) -> str | None:
        """`Sheet1!D14` for a row and a header column, None when either is unknown."""
        index = self._index(column)
        return None if index is None or row is None else excel_ref(self.sheet, index, row)

    def shown(self, column: str | None, row: int | None, number: float | None) -> list | None:
        """[the cell's number, its format] when the cell held a typed number (for `excel_text`)."""
        index = self._index(column)
        if index is None or row is None or number is None:
            return None
        number_format = self.numbers.format_at(row, index)
        if number_format is None:
            return None
        percent = "%" in number_format  # as the reader decided: it wrote 0.86 under 0% as 86%
        return [number / 100 if percent else number, number_format]

    def problem(self, problem):
        """The problem with its cell (`params['cell']`) and, for a typed number it quotes, the number
        and format Excel shows it with (`params['excel']`). A text number among typed ones (the
        file's decimal marks then disagree) is said as what it is: a number stored as text."""
        params = dict(problem.params)
        if problem.code == "mixed_numbers" and "dot_row" in params and "comma_row" in params:
            typed = self.shown("value", params["dot_row"], _number(params.get("dot_example")))
            if typed is not None and self.shown("value", params["comma_row"], 1.0) is None:
                params["dot_cell"] = self.ref("value", params["dot_row"])
                params["excel"] = {**params.get("excel", {}), "dot_example": typed}
                problem = replace(problem, code="text_number", row=params["comma_row"], params=params)
        if problem.row is not None and "cell" not in params:
            # A problem of a whole row (a duplicate key, a row's cell count) names the row as Excel does.
            cell = self.ref(problem.column, problem.row) if problem.column else excel_ref(self.sheet, None, problem.row)
            if cell:
                params["cell"] = cell
        if problem.row is None and "cell" not in params and "sheet" not in params:
            params["sheet"] = self.sheet  # a whole-file problem (a missing column) still names the sheet read
        if problem.value is not None:  # the cell's own format wins over a stored value's General
            typed = self.shown(problem.column, problem.row, _number(problem.value))
            if typed is not None:
                params["excel"] = {**params.get("excel", {}), "value": typed}
        return replace(problem, params=params) if params != problem.params else problem

    def revision(self, revision):
        """A revised value with its cell and the new value as the cell shows it."""
        cell = self.ref("value", revision.row)
        return revision if cell is None else replace(revision, cell=cell, excel=self.shown("value", revision.row, revision.new))

    def warning(self, warning):
        """A plausibility warning with its cell and the value as the cell shows it."""
        cell = self.ref("value", warning.row)
        if cell is None:
            return warning
        params = {**warning.params, "cell": cell}
        typed = self.shown("value", warning.row, warning.value)
        if typed is not None:  # the breakdown rule sits on the total row: its value is the total
            params["excel"] = {"total" if warning.code == "breakdown_sum" else "value": typed}
        return replace(warning, params=params)


def _number(text) -> float | None:
    """A number the reader wrote for a typed cell (`71.6`, `86%`), or None."""
    try:
        return float(str(text).removesuffix("%"))
    except (TypeError, ValueError):
        return None


def _validate_fast(table: Rows, catalog: Catalog, today: date, budget: Budget) -> tuple[Validated | None, bool]:
    """The validation, or (None, whether the bytes were not UTF-8) when the fast reader gave up."""
    try:
        return _validate(table, catalog, today, budget), False
    except Irregular as exc:
        return None, exc.not_utf8


def _validate(table: Rows, catalog: Catalog, today: date, budget: Budget) -> Validated:
    try:
        return validate(table, catalog, today, budget)
    except BrokenText as exc:  # nothing of the rows read so far counts
        return validate(empty_table([exc.problem], table.delimiter), catalog, today)
    except OverLimit as exc:  # a bound crossed: the file is judged by that alone
        return validate(empty_table(exc.problems, table.delimiter), catalog, today)
