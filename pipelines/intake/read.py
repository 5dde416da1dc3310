"""File bytes to a Table: size limit, content sniffing, decoding, CSV or first Excel sheet.

Three ways to read text: the fast reader's whole Table (`read_bytes`), its rows streamed in chunks
(`stream=True`, what a load uses: the validator then never holds every cell at once), or the
exact reader alone (`exact=True`, for a file the fast reader gave up on halfway).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipelines.intake.decode import DecodeError, decode, is_zip, sniff_binary
from pipelines.intake.limits import Budget, OverLimit, default_budget
from pipelines.intake.fast_reader import PIECE_BYTES, LinesTable, stream_lines, whole_lines
from pipelines.intake.exact_reader import RecordsTable, stream_text, whole_text
from pipelines.intake.table import Table
from pipelines.intake.xlsx import whole_xlsx
from pipelines.problems import Problem

if TYPE_CHECKING:  # only named in an annotation: check.py imports this module
    from pipelines.intake.check import ExcelCells


@dataclass
class ReadResult:
    table: Table | LinesTable | RecordsTable | None
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    cells: "ExcelCells | None" = None  # a workbook's sheet, header and typed numbers (pipelines.intake.check)
    # Which reader gave the rows: 'fast' (Polars splits the lines), 'exact' (the csv module) or
    # 'xlsx' (the workbook's records); None when nothing was read. Reported by `kpi ingest --json`
    # so that a valid file sent to the exact reader by accident shows (bench/shapes.py checks it).
    reader: str | None = None


_BLANK_BYTES = b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"


def _is_xlsx(data: bytes) -> bool:
    if not is_zip(data):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".removesuffix(".0")


def read_bytes(data: bytes, max_bytes: int, size: int | None = None, stream: bool = False,
               exact: bool = False, piece_bytes: int = PIECE_BYTES, chunk_rows: int | None = None,
               budget: Budget | None = None, decode_first: bool = False) -> ReadResult:
    """Never raises on content: every way a file can be unreadable becomes a Problem.

    `size` is the file's size on disk when the caller chose not to read an oversized file.
    With `stream`, a text file comes back as a LinesTable (regular text: its chunks may still
    raise Irregular) or a RecordsTable (the exact reader: its chunks may raise BrokenText);
    `exact` skips the fast reader. `piece_bytes` sets the size of the fast reader's pieces (a chunk
    is CHUNK_PIECES of them) and `chunk_rows` the exact reader's chunks: tests make them small
    to cross many chunks. `budget`: the limits and the clock of this file's check. `decode_first`:
    the bytes proved not to be UTF-8 (Irregular.not_utf8), so they are decoded before the fast
    reader splits the text, instead of the fast reader trying them as UTF-8.
    """
    budget = budget or default_budget()

    def fast(utf8: bytes, nfc_pending: bool = False, regular: bool | None = None) -> Table | LinesTable | None:
        if exact:
            return None
        if stream:
            return stream_lines(utf8, piece_bytes, budget=budget, nfc_pending=nfc_pending, regular=regular)
        return whole_lines(utf8, piece_bytes, budget=budget)
    size = len(data) if size is None else size
    if size > max_bytes:
        return ReadResult(None, [Problem("file_too_large", params={"size_mb": _mb(size), "limit_mb": _mb(max_bytes)})])
    if not data[:65536].strip(_BLANK_BYTES) and not data.strip(_BLANK_BYTES):  # the head first: cheap
        return ReadResult(None, [Problem("empty_file")])
    if _is_xlsx(data):
        try:
            return ReadResult(whole_xlsx(data, budget), encoding="xlsx", reader="xlsx")
        except OverLimit as exc:
            return ReadResult(None, exc.problems, encoding="xlsx")
        except Exception as exc:  # a damaged workbook: openpyxl raises many kinds
            return ReadResult(None, [Problem("unreadable_workbook", params={"reason": type(exc).__name__})])
    kind = sniff_binary(data)
    if kind:
        return ReadResult(None, [Problem("not_text", params={"kind": kind})])
    body = None if decode_first else _utf8_body(data)
    if body is not None:
        table = fast(body)
        if table is not None:
            return ReadResult(table, encoding="UTF-8 (BOM)" if len(body) < len(data) else "UTF-8", delimiter=table.delimiter,
                              reader="fast")
    try:
        # A streamed Windows-1258 text is left as decoded: the validator normalises its cells.
        decoded = decode(data, nfc=not stream or exact)
    except DecodeError as exc:
        return ReadResult(None, exc.problems)
    data = body = None  # type: ignore[assignment]  # the caller's reference only: the table holds the text alone
    encoding = decoded.encoding
    if decoded.is_blank():
        return ReadResult(None, [Problem("empty_file")], encoding=encoding)
    # Other encodings get the fast reader on the text as UTF-8; a UTF-8 file it declined already.
    table = None
    if encoding not in ("UTF-8", "UTF-8 (BOM)") and not exact:
        # Windows-1258 comes as UTF-8 already, not NFC (only when streamed); UTF-16 re-encoded.
        utf8 = decoded.utf8 if decoded.utf8 is not None else decoded.text.encode("utf-8")
        table = fast(utf8, nfc_pending=not decoded.nfc, regular=decoded.regular)
        utf8 = None  # type: ignore[assignment]
    reader = "fast"
    if table is None:
        text = decoded.nfc_text()
        decoded = None  # type: ignore[assignment]
        table = stream_text(text, chunk_rows, budget) if stream else whole_text(text, budget)
        reader = "exact"
    return ReadResult(table, encoding=encoding, delimiter=table.delimiter, reader=reader)


def _utf8_body(data: bytes) -> bytes | None:
    """The bytes after a UTF-8 BOM, or all of them when there is no BOM at all; None for UTF-16
    (the fast reader takes UTF-8 only, and checks that it is)."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    return None if body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) else body

