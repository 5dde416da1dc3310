"""A file's bytes judged whole: read, validated, and read again exactly if the fast reader gave up.

The one entry point for a load and for the upload page's preview, so both judge a file alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pipelines.catalog import Catalog
from pipelines.intake.lines import PIECE_BYTES, Irregular
from pipelines.intake.read import ReadResult, read_bytes
from pipelines.intake.validate import Validated, validate


def check_bytes(load: Callable[[], bytes], max_bytes: int, catalog: Catalog, today: date,
                size: int | None = None, piece_bytes: int = PIECE_BYTES) -> tuple[ReadResult, Validated | None]:
    """The read (encoding, delimiter, or why the file is unreadable; its table dropped) and the
    validation, None when there was nothing to validate.

    `load` gives the file's bytes, and is called again only in the rare case below: so the
    bytes are held by the streamed table alone, which lets them go once its last chunk is read
    (480 MB for a 5M-row file). A regular text file is validated as its rows stream in; if a
    later row proves it irregular, all of that is dropped and the exact reader starts over.
    `piece_bytes`: see `read_bytes`.
    """
    read = read_bytes(load(), max_bytes, size=size, stream=True, piece_bytes=piece_bytes)
    if read.table is None:
        return read, None
    try:
        checked = validate(read.table, catalog, today)
    except Irregular:
        read = read_bytes(load(), max_bytes, size=size, exact=True)
        checked = validate(read.table, catalog, today) if read.table is not None else None
    read.table = None
    return read, checked
