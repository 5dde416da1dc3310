"""The Table every reader produces (or streams), and what turns a streamed table into a whole one.

Row numbers are the ones the analyst sees in Excel: every record counts, blank ones and the
title block included, and the header is row 1 when it is the first line.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from pipelines.problems import Problem

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


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file's rows become Python lists (they hold no
    cycles): it would otherwise rescan every row built so far, again and again, which made
    reading a large file several times slower. Restored on exit; usable as a decorator."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
