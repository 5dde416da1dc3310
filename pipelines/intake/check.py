"""A file's bytes judged whole: read, validated, and read again exactly if the fast reader gave up.

The one entry point for a load and for the upload page's preview, so both judge a file alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pipelines.catalog import Catalog
from pipelines.intake.limits import Budget, Limits, OverLimit
from pipelines.intake.lines import PIECE_BYTES, Irregular
from pipelines.intake.read import ReadResult, read_bytes
from pipelines.intake.tabular import BrokenText, Rows, empty_table
from pipelines.intake.validate import Validated, validate


def check_bytes(load: Callable[[], bytes], max_bytes: int, catalog: Catalog, today: date,
                size: int | None = None, piece_bytes: int = PIECE_BYTES,
                chunk_rows: int | None = None, limits: Limits | None = None) -> tuple[ReadResult, Validated | None]:
    """The read (encoding, delimiter, or why the file is unreadable; its table dropped) and the
    validation, None when there was nothing to validate.

    `load` gives the file's bytes, and is called again only in the rare case below: so the
    bytes are held by the streamed table alone, which lets them go once its last chunk is read
    (480 MB for a 5M-row file). A text file is validated as its rows stream in. If a later row
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
    read.table = None
    return read, checked


def _validate(table: Rows, catalog: Catalog, today: date, budget: Budget) -> Validated:
    try:
        return validate(table, catalog, today, budget)
    except BrokenText as exc:  # nothing of the rows read so far counts
        return validate(empty_table([exc.problem], table.delimiter), catalog, today)
    except OverLimit as exc:  # a bound crossed: the file is judged by that alone
        return validate(empty_table(exc.problems, table.delimiter), catalog, today)
