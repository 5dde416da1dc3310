"""The exact reader: decoded text split by Python's csv module, for any file the fast reader
(pipelines/intake/fast_reader.py) does not take: quoted line breaks, ragged rows, NUL bytes,
non-UTF-8 text. It finds the delimiter and the header row, skips a title block and a footer,
and streams the rows in chunks (`stream_text`, `stream_records`; `whole_*` reads them whole).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from pipelines.intake.header import (
    DELIMITERS,
    HEADER_SEARCH_ROWS,
    HEADER_TEXT_CHARS,
    REQUIRED,
    CODE_LIKE,
    find_header,
    header_score,
    clean_cell,
    header_columns,
    header_limit_problems,
    last_named,
    unnamed_problems,
)
from pipelines.intake.limits import Budget, OverLimit, default_budget
from pipelines.intake.table import Table, cells_frame, empty_table, gc_paused, whole
from pipelines.problems import Problem

# The csv module rejects a field over 131,072 characters as if its quote were never closed. The
# size of a cell is judged by KPI_MAX_CELL_BYTES instead, with its own message; the whole text is
# in memory already, so no field can be larger than it. (Process-wide; it only ever grows.)
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))

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


def choose_delimiter(text: str) -> tuple[str, int] | tuple[None, set[str]]:
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
        found = find_header(records)
        if found:
            return delimiter, found[0]
        for _, cells in records:
            score = header_score(cells)
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
    delimiter, _ = choose_delimiter(text)
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


def stream_text(text: str, chunk_rows: int | None = None, budget: Budget | None = None) -> RecordsTable | Table:
    """The exact reader: decoded text split by the csv module, its rows streamed in chunks
    (a Table when there are no rows to stream: no header, or a quote broken before it)."""
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")  # old Mac Excel "CSV (Macintosh)": CR-only line ends
    delimiter, found = choose_delimiter(text)
    if delimiter is None:
        missing = [c for c in REQUIRED if c not in found]  # type: ignore[operator]
        return empty_table([Problem("missing_columns", row=None, params={"columns": ", ".join(missing)})])
    try:
        table = stream_records(_records(text, delimiter), header_index=found, chunk_rows=chunk_rows,  # type: ignore[arg-type]
                              budget=budget)
    except _QuoteError as exc:
        return empty_table([_broken(exc)], delimiter)
    table.delimiter = delimiter
    return table


def whole_text(text: str, budget: Budget | None = None) -> Table:
    """Split decoded text into a Table; structure problems are collected, not raised."""
    table = stream_text(text, budget=budget)
    try:
        return whole(table)
    except BrokenText as exc:
        return empty_table([exc.problem], table.delimiter)
    except OverLimit as exc:
        return empty_table(exc.problems, table.delimiter)


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
            if first_only and not CODE_LIKE.match(clean_cell(cells[0])):
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


def whole_records(records, header_index: int | None = None, ragged_ok: bool = False,
                       budget: Budget | None = None) -> Table:
    """Shared by CSV and Excel: header, unnamed/duplicate columns, ragged rows, title and footer."""
    return whole(stream_records(records, header_index, ragged_ok, budget=budget))


@gc_paused()
def stream_records(records, header_index: int | None = None, ragged_ok: bool = False,
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
        if header_index is None and header_score(cells) != set(REQUIRED):
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
            score = header_score(cells)
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
