"""A file's bytes judged whole: read, validated, and read again exactly if the fast reader gave up.

The one entry point for a load and for the upload page's preview, so both judge a file alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pipelines.catalog import Catalog
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
    try:
        checked: Validated | None = _validate(read.table, catalog, today, budget)
    except Irregular:
        checked = None
    if checked is None:
        # Outside the handler, whose traceback holds the chunks validated so far; and the
        # streamed table (with the bytes) dropped before they are read again.
        read = None  # type: ignore[assignment]
        read = read_bytes(load(), max_bytes, size=size, stream=True, exact=True, chunk_rows=chunk_rows, budget=budget)
        checked = _validate(read.table, catalog, today, budget) if read.table is not None else None
    if checked is not None and read.table is not None and getattr(read.table, "sheet_name", None):
        name_cells(checked, read.table.sheet_name, read.table.columns)  # type: ignore[attr-defined]
        read.problems = [with_cell(p, read.table.sheet_name, read.table.columns) for p in read.problems]  # type: ignore[attr-defined]
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


def excel_ref(sheet: str, column_index: int, row: int) -> str:
    """`Sheet1!D14`, or `'Báo cáo'!D14` when the sheet's name needs quotes in a formula."""
    import re

    quoted = sheet if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{quoted}!{column_letter(column_index)}{row}"


def with_cell(problem, sheet: str, columns: list[str]):
    """The problem with `params['cell']` when it has a row and a column found in the sheet's header."""
    from dataclasses import replace

    if problem.row is None or not problem.column or "cell" in problem.params:
        return problem
    names = [c.lower() for c in columns]
    key = problem.column.lower()
    if key not in names:
        return problem
    return replace(problem, params={**problem.params, "cell": excel_ref(sheet, names.index(key), problem.row)})


def name_cells(checked: Validated, sheet: str, columns: list[str]) -> None:
    """Every problem of a workbook names its cell as Excel shows it (e.g. `Sheet1!D14`)."""
    checked.problems = [with_cell(p, sheet, columns) for p in checked.problems]


def _validate(table: Rows, catalog: Catalog, today: date, budget: Budget) -> Validated:
    try:
        return validate(table, catalog, today, budget)
    except BrokenText as exc:  # nothing of the rows read so far counts
        return validate(empty_table([exc.problem], table.delimiter), catalog, today)
    except OverLimit as exc:  # a bound crossed: the file is judged by that alone
        return validate(empty_table(exc.problems, table.delimiter), catalog, today)
