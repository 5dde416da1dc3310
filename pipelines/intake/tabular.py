"""Text or workbook to a table: find the delimiter, the header row, the data rows and the footer.

Row numbers are the ones the analyst sees in Excel: every record counts, blank ones and the
title block included, and the header is row 1 when it is the first line.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

import polars as pl

from pipelines.intake.limits import Budget, OverLimit, default_budget
from pipelines.problems import Problem

# The csv module rejects a field over 131,072 characters as if its quote were never closed. The
# size of a cell is judged by KPI_MAX_CELL_BYTES instead, with its own message; the whole text is
# in memory already, so no field can be larger than it. (Process-wide; it only ever grows.)
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))

REQUIRED = ("indicator", "reporter", "period", "value")
OPTIONAL = ("unit", "note")
ALIASES: dict[str, str] = {
    "indicator": "indicator", "ma_chi_tieu": "indicator", "chỉ tiêu": "indicator", "mã chỉ tiêu": "indicator",
    "reporter": "reporter", "don_vi_bao_cao": "reporter", "đơn vị báo cáo": "reporter",
    "period": "period", "ky": "period", "kỳ": "period", "kỳ báo cáo": "period",
    "value": "value", "gia_tri": "value", "giá trị": "value",
    "unit": "unit", "don_vi_tinh": "unit", "đơn vị tính": "unit",
    "note": "note", "ghi_chu": "note", "ghi chú": "note",
}
DELIMITERS = (",", ";", "\t")
HEADER_SEARCH_ROWS = 30
HEADER_TEXT_CHARS = 256_000  # where the header is looked for
_CODE_LIKE = re.compile(r"^[A-Z0-9_]+$")
# What Python's str.strip() removes: Polars' strip_chars() without an argument keeps \x1c..\x1f.
PY_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def clean_cell(text: str) -> str:
    """NFC, non-breaking and stray spaces folded, ends trimmed: how every cell is compared."""
    text = unicodedata.normalize("NFC", text)
    if "\u00a0" in text or "\u202f" in text or "\u2007" in text:
        text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")
    return text.strip()


def header_key(raw: str) -> str:
    """Canonical column name: an alias resolved, otherwise a lower-case breakdown dimension name."""
    name = " ".join(clean_cell(raw).split()).casefold()
    if name in ALIASES:
        return ALIASES[name]
    spaced = name.replace("_", " ")
    for alias, canonical in ALIASES.items():
        if alias.replace("_", " ") == spaced:
            return canonical
    return name.replace(" ", "_")


@dataclass
class Table:
    """A file's header and data rows, plus what was skipped and what is broken.

    `frame` holds `row_number` (as Excel numbers rows) and one text column per header cell,
    `c0`, `c1`, …, in file order: columns (not Python lists per row) so that a million-row
    file costs megabytes, not gigabytes.
    """

    columns: list[str]  # canonical names, "" for an unnamed column
    frame: pl.DataFrame
    header_row: int
    skipped_title: list[int] = field(default_factory=list)
    skipped_footer: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    delimiter: str | None = None

    @property
    def height(self) -> int:
        return self.frame.height

    def chunks(self) -> Iterator[pl.DataFrame]:
        """The rows as the validator takes them (a streamed LinesTable yields several frames)."""
        yield self.frame


def cell_columns(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def cells_frame(rows: list[tuple[int, list[str]]], width: int) -> pl.DataFrame:
    """Rows of equal width as a Table's frame. Polars builds the columns from the rows itself:
    twice as fast as gathering each column in Python."""
    cells = pl.DataFrame([cells for _, cells in rows], schema={c: pl.String for c in cell_columns(width)}, orient="row")
    return cells.insert_column(0, pl.Series("row_number", [r for r, _ in rows], dtype=pl.Int32))


def empty_table(problems: list[Problem], delimiter: str | None = None) -> Table:
    """A file that has no usable header: only its problems."""
    return Table([], cells_frame([], 0), 0, problems=problems, delimiter=delimiter)


def header_columns(header_cells: list[str], header_row: int) -> tuple[list[str], list[Problem]]:
    """Canonical column names of a header row, and a problem per repeated name."""
    problems: list[Problem] = []
    columns = [header_key(c) if clean_cell(c) else "" for c in header_cells]
    seen: set[str] = set()
    for pos, name in enumerate(columns):
        if name and name in seen:
            problems.append(Problem("duplicate_column", row=header_row, column=clean_cell(header_cells[pos])))
        seen.add(name)
    return columns, problems


def last_named(columns: list[str]) -> int:
    """Index of the last named column: a row may stop after it (Excel drops empty trailing cells)."""
    named = [i for i, c in enumerate(columns) if c]
    return named[-1] if named else -1


def header_limit_problems(header_cells: list[str], columns: list[str], header_row: int, budget: Budget) -> list[Problem]:
    """The header's cells and columns against the limits, before any data row is read."""
    limits = budget.limits
    width = last_named(columns) + 1
    if width > limits.max_columns:
        return [Problem("too_many_columns", row=header_row, params={"found": width, "limit": limits.max_columns})]
    if len(header_cells) > limits.max_row_cells:
        return [Problem("too_many_cells", row=header_row, params={"found": len(header_cells), "limit": limits.max_row_cells})]
    return []


def unnamed_problems(columns: list[str], frame: pl.DataFrame, header_row: int) -> list[Problem]:
    """A column without a name that holds something: its data would be silently dropped."""
    return [
        Problem("unnamed_column", row=header_row, params={"position": pos + 1})
        for pos, name in enumerate(columns)
        if not name and frame.height and frame.select((pl.col(f"c{pos}").str.strip_chars(PY_WHITESPACE) != "").any()).item()
    ]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file's rows become Python lists (they hold no
    cycles): it would otherwise rescan every row built so far, again and again, which made
    reading a 1M-row file three times slower. Restored on exit; usable as a decorator."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells); raises csv.Error with the row number on an unterminated quote."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    row_no = 0
    try:
        for row_no, cells in enumerate(reader, start=1):
            yield row_no, cells
    except csv.Error as exc:
        raise _QuoteError(row_no + 1, str(exc)) from None


class _QuoteError(Exception):
    def __init__(self, row: int, detail: str):
        self.row, self.detail = row, detail
        super().__init__(detail)


def _header_score(cells: list[str]) -> set[str]:
    return {header_key(c) for c in cells} & set(REQUIRED)


def _find_header(records: list[tuple[int, list[str]]]) -> tuple[int, set[str]] | None:
    """Index of the first record holding every required column name."""
    for idx, (_, cells) in enumerate(records):
        if _header_score(cells) == set(REQUIRED):
            return idx, set(REQUIRED)
    return None


def _choose_delimiter(text: str) -> tuple[str, int] | tuple[None, set[str]]:
    """The delimiter with which a header row appears in the first rows, and that row's index."""
    best: set[str] = set()
    head = text[:HEADER_TEXT_CHARS]
    for delimiter in DELIMITERS:
        records = []
        try:
            for rec in _records(head, delimiter):
                records.append(rec)
                if len(records) >= HEADER_SEARCH_ROWS:
                    break
        except _QuoteError:
            pass
        found = _find_header(records)
        if found:
            return delimiter, found[0]
        for _, cells in records:
            score = _header_score(cells)
            if len(score) > len(best):
                best = score
    return None, best


def excel_rows(text: str, lines: list[int]) -> list[int]:
    """The rows (as Excel numbers them) that hold the given physical lines (1-based).

    A quoted cell with line breaks is one row in Excel but several lines in the file, so a
    problem found by line (e.g. undecodable bytes) is moved to its row. `text` may end early;
    past the point where it stops parsing, rows keep the offset from lines found so far.
    """
    wanted = sorted(set(lines))
    delimiter, _ = _choose_delimiter(text)
    if delimiter is None or not wanted:
        return wanted
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[int] = []
    row_no, i = 0, 0
    try:
        for row_no, _ in enumerate(reader, start=1):
            while i < len(wanted) and wanted[i] <= reader.line_num:
                rows.append(row_no)
                i += 1
    except csv.Error:
        row_no += 1  # the record that failed to parse starts on the next line
    offset = (reader.line_num - row_no) if row_no else 0
    rows.extend(line - offset for line in wanted[i:])
    return sorted(set(rows))


class BrokenText(Exception):
    """Raised while a streamed file's rows are read: a quote is never closed, or a line break
    stands where the csv module allows none. The file's only problem is then `problem`."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.code)


def _broken(exc: _QuoteError) -> Problem:
    return Problem("stray_line_break" if "new-line character" in exc.detail else "unterminated_quote", row=exc.row)


def text_table(text: str, chunk_rows: int | None = None, budget: Budget | None = None) -> RecordsTable | Table:
    """The exact reader: decoded text split by the csv module, its rows streamed in chunks
    (a Table when there are no rows to stream: no header, or a quote broken before it)."""
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")  # old Mac Excel "CSV (Macintosh)": CR-only line ends
    delimiter, found = _choose_delimiter(text)
    if delimiter is None:
        missing = [c for c in REQUIRED if c not in found]  # type: ignore[operator]
        return empty_table([Problem("missing_columns", row=None, params={"columns": ", ".join(missing)})])
    try:
        table = records_table(_records(text, delimiter), header_index=found, chunk_rows=chunk_rows,  # type: ignore[arg-type]
                              budget=budget)
    except _QuoteError as exc:
        return empty_table([_broken(exc)], delimiter)
    table.delimiter = delimiter
    return table


def table_from_text(text: str, budget: Budget | None = None) -> Table:
    """Split decoded text into a Table; structure problems are collected, not raised."""
    table = text_table(text, budget=budget)
    try:
        return whole(table)
    except BrokenText as exc:
        return empty_table([exc.problem], table.delimiter)
    except OverLimit as exc:
        return empty_table(exc.problems, table.delimiter)


class Rows(Protocol):
    """What the validator reads: a Table, or a LinesTable or RecordsTable streamed chunk by chunk
    (whose `skipped_footer`, `height` and last `problems` are known once its chunks are read)."""

    columns: list[str]
    header_row: int
    skipped_title: list[int]
    skipped_footer: list[int]
    problems: list[Problem]
    delimiter: str | None

    def chunks(self) -> Iterator[pl.DataFrame]: ...


def whole(table: Rows) -> Table:
    """A streamed table's chunks read into one Table (may raise what its chunks raise:
    BrokenText from a RecordsTable, Irregular from a LinesTable)."""
    if isinstance(table, Table):
        return table
    frames = list(table.chunks())
    return Table(
        columns=table.columns,
        frame=pl.concat(frames) if frames else cells_frame([], len(table.columns)),
        header_row=table.header_row,
        skipped_title=table.skipped_title,
        skipped_footer=table.skipped_footer,
        problems=table.problems,
        delimiter=table.delimiter,
    )


CHUNK_ROWS = 200_000  # rows of Python lists the exact reader builds before handing them over


@dataclass
class RecordsTable:
    """The exact reader's header, and its data rows as a stream of chunks (see `chunks`).

    The same fields as a Table. `skipped_footer`, `height` and the problems of the rows (NUL
    bytes, cell counts, unnamed columns holding data) are complete once every chunk is read.
    """

    columns: list[str]
    header_row: int
    skipped_title: list[int]
    problems: list[Problem]
    records: Iterator[tuple[int, list[str]]] = field(repr=False)
    ragged_ok: bool = False
    chunk_rows: int = CHUNK_ROWS
    delimiter: str | None = None
    skipped_footer: list[int] = field(default_factory=list)
    height: int = 0
    budget: Budget = field(default_factory=default_budget, repr=False)
    data_rows: int = 0  # rows taken as data so far, for the rows limit

    def chunks(self) -> Iterator[pl.DataFrame]:
        """Frames of `row_number` and `c0`..`cN`, in file order; raises BrokenText on a quote
        the csv module cannot close."""
        width = len(self.columns)
        stop_ok = last_named(self.columns)
        unnamed: dict[int, Problem] = {}  # by position: a column found holding data in any chunk
        pending_footer: list[tuple[int, list[str]]] = []
        done = False
        while not done:
            rows: list[tuple[int, list[str]]] = []
            # The collector paused while a chunk's rows become lists (see gc_paused), not while
            # the caller works on it.
            with gc_paused():
                try:
                    done = self._read(rows, pending_footer)
                except _QuoteError as exc:
                    raise BrokenText(_broken(exc)) from None
                frame = self._fixed(rows, width, stop_ok)
                del rows
            unnamed.update((p.params["position"], p) for p in unnamed_problems(self.columns, frame, self.header_row))
            if frame.height:
                self.height += frame.height
                yield frame
        self.records = iter(())  # the text behind the records may go
        self.skipped_footer = [r for r, _ in pending_footer]
        self.problems.extend(unnamed[position] for position in sorted(unnamed))

    def _read(self, rows: list[tuple[int, list[str]]], pending_footer: list[tuple[int, list[str]]]) -> bool:
        """Up to `chunk_rows` data rows into `rows`; True when the records are exhausted."""
        limits = self.budget.limits
        for row_no, cells in self.records:
            if len(cells) > limits.max_row_cells:  # bounds what the rest of the row's checks cost
                self.problems.append(Problem("too_many_cells", row=row_no, params={"found": len(cells), "limit": limits.max_row_cells}))
                continue
            if row_no % 10_000 == 0:
                self.budget.check_time()
            joined = "".join(cells)  # one string per row: these checks run on every row of a large file
            if not joined.strip():
                continue  # a blank line is skipped wherever it is
            if "\x00" in joined:
                self.problems.append(Problem("nul_byte", row=row_no))
                continue
            first_only = bool(cells[0].strip()) and not "".join(cells[1:]).strip()
            if first_only and not _CODE_LIKE.match(clean_cell(cells[0])):
                pending_footer.append((row_no, cells))
                continue
            if pending_footer:  # what looked like a footer was followed by data: it is data
                self._count_rows([r for r, _ in pending_footer])
                rows.extend(pending_footer)
                pending_footer.clear()
            self._count_rows([row_no])
            rows.append((row_no, cells))
            if len(rows) >= self.chunk_rows:
                return False
        return True

    def _count_rows(self, row_numbers: list[int]) -> None:
        """Rows taken as data, against the rows limit; the problem names the first row over it."""
        limit = self.budget.limits.max_rows
        if self.data_rows + len(row_numbers) > limit:
            first_over = row_numbers[limit - self.data_rows]
            raise OverLimit([Problem("too_many_rows", row=first_over, params={"limit": limit})])
        self.data_rows += len(row_numbers)

    def _fixed(self, rows: list[tuple[int, list[str]]], width: int, stop_ok: int) -> pl.DataFrame:
        """The rows padded or trimmed to the header's width as the contract allows; a cell_count
        problem (and no row) for the others."""
        fixed: list[tuple[int, list[str]]] = []
        for row_no, cells in rows:
            if len(cells) != width:
                extra_empty = len(cells) > width and not any(c.strip() for c in cells[width:])
                short_ok = len(cells) < width and (self.ragged_ok or stop_ok < len(cells))
                if extra_empty:
                    cells = cells[:width]
                elif short_ok:
                    cells = cells + [""] * (width - len(cells))
                else:
                    self.problems.append(Problem("cell_count", row=row_no, params={"found": len(cells), "expected": width}))
                    continue
            fixed.append((row_no, cells))
        return cells_frame(fixed, width)


def table_from_records(records, header_index: int | None = None, ragged_ok: bool = False,
                       budget: Budget | None = None) -> Table:
    """Shared by CSV and Excel: header, unnamed/duplicate columns, ragged rows, title and footer."""
    return whole(records_table(records, header_index, ragged_ok, budget=budget))


@gc_paused()
def records_table(records, header_index: int | None = None, ragged_ok: bool = False,
                  chunk_rows: int | None = None, budget: Budget | None = None) -> RecordsTable | Table:
    """The header found in the first records (title rows skipped); the rest streamed by the
    RecordsTable returned (an empty Table when no header is found)."""
    records = iter(records)
    skipped_title: list[int] = []
    header_cells: list[str] | None = None
    header_row = 0
    buffered: list[tuple[int, list[str]]] = []
    for idx, (row_no, cells) in enumerate(records):
        if header_index is not None and idx < header_index:
            if any(c.strip() for c in cells):
                skipped_title.append(row_no)
            continue
        if header_index is None and _header_score(cells) != set(REQUIRED):
            buffered.append((row_no, cells))
            if len(buffered) > HEADER_SEARCH_ROWS:
                break
            if any(c.strip() for c in cells):
                skipped_title.append(row_no)
            continue
        header_cells, header_row = cells, row_no
        break
    if header_cells is None:
        best: set[str] = set()
        for _, cells in buffered:
            score = _header_score(cells)
            best = score if len(score) > len(best) else best
        missing = [c for c in REQUIRED if c not in best]
        return empty_table([Problem("missing_columns", params={"columns": ", ".join(missing)})])

    budget = budget or default_budget()
    columns, problems = header_columns(header_cells, header_row)
    over = header_limit_problems(header_cells, columns, header_row, budget)
    if over:
        return empty_table(over)
    return RecordsTable(columns=columns, header_row=header_row, skipped_title=skipped_title, problems=problems,
                        records=records, ragged_ok=ragged_ok, chunk_rows=chunk_rows or CHUNK_ROWS, budget=budget)


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


def table_from_xlsx(data: bytes, budget: Budget | None = None) -> Table:
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
        table = table_from_records(_sheet_records(workbook, sheet, budget), ragged_ok=True, budget=budget)
        table.sheet_name = sheet.title  # type: ignore[attr-defined] - problems then name cells as Excel does
        return table
    finally:
        workbook.close()


def _sheet_records(workbook, sheet, budget: Budget) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of each row the sheet holds, as openpyxl's read-only sheet gives them
    but without its padding: rows missing from the sheet are blank (and skipped anyway), and a
    row has cells up to its last value."""
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
            yield row_no, cells
