"""The fast reader for regular text: Polars splits the lines into cells, chunk by chunk.

The exact reader (`exact_reader`, Python's `csv` module) builds a list per row, which is slow
and large for big files (figures: docs/benchmarks.md, "Figures behind the code"). Nearly every large file is regular: one record per line, every
line with the header's number of cells, no control characters. For those this module gives the
very same rows (same cells, same Excel row numbers, same skipped title and footer rows, same
problems) from column-wise string operations, as a stream of chunks (`LinesTable`) or whole
(`whole_lines`). Whatever it cannot prove regular (a quoted line break, a ragged row, a stray
CR, a NUL or other control character, a header it cannot place) makes it decline (None, or
Irregular raised from a later chunk), and the exact reader runs instead: a malformed file still
gets its exact report.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipelines.cpus import usable_cpus
from pipelines.intake.exact_reader import choose_delimiter
from pipelines.intake.header import (
    CODE_LIKE,
    HEADER_TEXT_CHARS,
    PY_WHITESPACE,
    clean_cell,
    header_columns,
    header_limit_problems,
    last_named,
    unnamed_problems,
)
from pipelines.intake.table import Table, cell_columns, empty_table, whole
from pipelines.intake.limits import Budget, OverLimit, default_budget
from pipelines.problems import Problem

# Control characters: the exact reader reports a NUL, and its csv module and a plain split differ
# on the others (a CR ends a record). A file holding one, or a CR outside a CRLF, takes that reader.
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\r")
_NOT_CONTROLS = bytes(b for b in range(256) if b not in _CONTROLS)


def is_regular_text(utf8: bytes) -> bool:
    """No control character but tab and line ends (checked on bytes: much faster than a regex).
    Where a CR is, the caller checks that each ends a line."""
    return not utf8.translate(None, _NOT_CONTROLS)


class Irregular(Exception):
    """Raised while the rows are read: the text is not regular after all (or not UTF-8), so the
    exact reader must read the file instead. Nothing read so far may be kept.

    `not_utf8`: the bytes are not UTF-8 (a Windows-1258 file whose header is plain ASCII looks
    like UTF-8 until its first accented letter). The caller then decodes the file first, and
    the fast reader may still split the decoded text: only the decoding was wrong, not the lines.
    """

    def __init__(self, not_utf8: bool = False) -> None:
        super().__init__("not UTF-8" if not_utf8 else "irregular")
        self.not_utf8 = not_utf8


# A whole quoted field as a regex: quotes inside doubled.
QUOTED_FIELD = '"(?:[^"]|"")*"'
PIECE_BYTES = 16 << 20  # what one thread splits at a time
# The bytes after the header checked as UTF-8 before any piece is split (at most the first
# piece's): a Windows-1258 file with an ASCII header is declined there, in a millisecond, instead
# of by its first piece once the whole file has been cut into pieces (docs/benchmarks.md).
UTF8_PROBE_BYTES = 1 << 20
# Pieces per chunk handed to the validator. Since the rules work per distinct value, a chunk
# costs little more than its rows, and smaller chunks hold less at the peak: one piece holds
# 70 MB less than two (four held 100–150 MB more again), and the page faults saved make it no
# slower (docs/benchmarks.md). On a machine of several cores the next chunk is split while the
# validator works on this one (see `LinesTable.chunks`), so one piece loses no parallelism.
CHUNK_PIECES = 1


@dataclass
class LinesTable:
    """A regular file's header, and its data rows as a stream of chunks (see `chunks`).

    The same fields as a Table. `skipped_footer` and the unnamed-column problems are known only
    when the last chunk has been read: a row that looks like a footer is held back until a data
    row follows it (it was data) or the file ends (it was the footer).
    """

    columns: list[str]
    header_row: int
    skipped_title: list[int]
    problems: list[Problem]
    delimiter: str
    utf8: bytes = field(repr=False)
    start: int  # offset of the first data line
    piece_bytes: int = PIECE_BYTES
    chunk_pieces: int = CHUNK_PIECES
    skipped_footer: list[int] = field(default_factory=list)
    height: int = 0
    budget: Budget = field(default_factory=default_budget, repr=False)
    # The cells are not NFC yet (a Windows-1258 file's combining tone marks, see stream_lines):
    # the validator normalises every column it keeps, and counts a cell's bytes in NFC for the limit.
    nfc_pending: bool = False

    def chunks(self) -> Iterator[pl.DataFrame]:
        """Frames of `row_number` and `c0`..`cN`, in file order, as a Table's frame would hold
        them; raises Irregular on a piece the fast reader cannot vouch for."""
        width = len(self.columns)
        pieces = _pieces(self.utf8, self.start, self.header_row + 1, self.piece_bytes)
        last = last_named(self.columns)
        unnamed: dict[int, Problem] = {}  # by position: a column found holding data in any chunk
        pending: pl.DataFrame | None = None  # trailing rows that may be the footer
        windows = [pieces[at: at + self.chunk_pieces] for at in range(0, len(pieces), self.chunk_pieces)]
        # With a core to spare, the next chunk's pieces are split while this one is validated (the
        # validator and Polars' reader both let go of the GIL); on one core that would only hold
        # one more chunk in memory, so each chunk is split when it is asked for.
        cpus = usable_cpus()
        ahead = cpus > 1
        workers = min(self.chunk_pieces, cpus - 1) if ahead else 1  # splitting ahead: one CPU is the validator's
        with ThreadPoolExecutor(max_workers=workers) as pool:
            def split(window: list[tuple[int, int, int, int]]) -> list[Future]:
                return [pool.submit(_piece_cells, self.utf8, *piece, self.delimiter, width) for piece in window]

            next_parts = split(windows[0]) if ahead and windows else None
            for i, window in enumerate(windows):
                self.budget.check_time()
                parts = [f.result() for f in (next_parts or split(window))]
                next_parts = split(windows[i + 1]) if ahead and i + 1 < len(windows) else None
                for part, (start, end, *_) in zip(parts, window):
                    if part is None:
                        raise Irregular(not_utf8=not _is_utf8(self.utf8, start, end))
                cells = pl.concat([p for p in (pending, *parts) if p is not None], rechunk=False)  # type: ignore[misc]
                del parts
                cells, pending = _hold_back_footer(cells)
                if not cells.height:
                    continue
                # Ragged rows: empty extra cells are dropped and a row may stop after the last named
                # column, as the exact reader allows; any other count needs the exact reader's report.
                if not cells.select((pl.col(f"c{last}").is_not_null() & pl.col("_extra_blank")).all()).item():
                    raise Irregular
                # A row over the cells limit (empty trailing cells count): the exact reader names it.
                if cells.select((pl.col("_cells") > self.budget.limits.max_row_cells).any()).item():
                    raise Irregular
                limit = self.budget.limits.max_rows
                if self.height + cells.height > limit:
                    first_over = cells["row_number"][limit - self.height]
                    raise OverLimit([Problem("too_many_rows", row=first_over, params={"limit": limit})])
                frame = cells.select(pl.col("row_number").cast(pl.Int32), *(pl.col(c).fill_null("") for c in cell_columns(width)))
                del cells
                unnamed.update((p.params["position"], p) for p in unnamed_problems(self.columns, frame, self.header_row))
                self.height += frame.height
                yield frame
        self.utf8 = b""  # every row is read: the text may go (the caller holds no other reference)
        self.skipped_footer = pending["row_number"].to_list() if pending is not None else []
        self.problems.extend(unnamed[position] for position in sorted(unnamed))


def _is_utf8(utf8: bytes, start: int, end: int) -> bool:
    """Whether utf8[start:end] decodes (checked only once a piece was declined)."""
    try:
        utf8[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _hold_back_footer(cells: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """(rows up to the last data row, the rows after it). A row with only its first cell filled,
    and that cell not a code, is a footer when no data follows it; blank rows are already gone.
    The rows are in file order, so the footers held back are the longest run of them at the end
    (slices of the chunk: nothing copied)."""
    candidates = cells.select(pl.col("row_number", "c0").filter(pl.col("_first_only")))
    footers = {row for row, first in candidates.rows() if not CODE_LIKE.match(clean_cell(first))}
    if not footers:
        return cells, None
    trailing = 0
    for row in reversed(cells["row_number"].tail(len(footers)).to_list()):
        if row not in footers:
            break
        trailing += 1
    if trailing == cells.height:
        return cells.clear(), cells
    return (cells.head(cells.height - trailing), cells.tail(trailing)) if trailing else (cells, None)


def stream_lines(utf8: bytes, piece_bytes: int = PIECE_BYTES, chunk_pieces: int = CHUNK_PIECES,
                budget: Budget | None = None, nfc_pending: bool = False, regular: bool | None = None) -> LinesTable | Table | None:
    """The streamed table of a UTF-8 file (without BOM); None unless its header and characters
    are regular. Its rows may still turn out irregular while they are read (Irregular).

    `nfc_pending`: the text is not NFC yet (Windows-1258 as decoded, its letters with combining
    tone marks): the header is looked for in its NFC (`_nfc_prefix`), as the exact reader looks
    for it in the NFC text, and the table's cells are left to the validator (LinesTable.nfc_pending).
    `regular`: is_regular_text(utf8), when the caller found it already (the decoder, in a pass it makes anyway).
    """
    # Irregular text and bytes that are not UTF-8 are both declined (None): the check of the
    # whole text's characters comes last, after the checks of its first lines.
    header = _header(utf8, nfc_pending)
    if header is None:
        return None
    delimiter, head = header
    header_index = len(head) - 1
    budget = budget or default_budget()
    columns, problems = header_columns([unicodedata.normalize("NFC", c) for c in head[-1]], header_index + 1)
    over = header_limit_problems(head[-1], columns, header_index + 1, budget)
    if over:
        return empty_table(over, delimiter) if (is_regular_text(utf8) if regular is None else regular) else None
    start = _line_end(utf8, header_index + 1)
    # The header's lines, and the whole lines of the first piece's first MB: bytes that are not
    # UTF-8 there would make the first piece raise Irregular(not_utf8) before anything else.
    probe_end = utf8.rfind(b"\n", start, start + min(piece_bytes, UTF8_PROBE_BYTES)) + 1
    try:
        utf8[:max(start, probe_end)].decode("utf-8")
    except UnicodeDecodeError:
        return None  # not UTF-8: decoded first (the exact decoder finds the rows at fault)
    if not (is_regular_text(utf8) if regular is None else regular):
        return None
    return LinesTable(
        columns=columns,
        header_row=header_index + 1,
        skipped_title=[i + 1 for i, cells in enumerate(head[:-1]) if any(c.strip() for c in cells)],
        problems=problems,
        delimiter=delimiter,
        utf8=utf8,
        start=start,
        piece_bytes=piece_bytes,
        chunk_pieces=chunk_pieces,
        budget=budget,
        nfc_pending=nfc_pending,
    )


def whole_lines(utf8: bytes, piece_bytes: int = PIECE_BYTES, chunk_pieces: int = CHUNK_PIECES,
                     budget: Budget | None = None) -> Table | None:
    """The whole Table of a UTF-8 file (without BOM), all its chunks read; None unless it is regular."""
    streamed = stream_lines(utf8, piece_bytes, chunk_pieces, budget)
    if streamed is None:
        return None
    try:
        return whole(streamed)
    except Irregular:
        return None
    except OverLimit as exc:
        return empty_table(exc.problems, streamed.delimiter)


def _nfc_prefix(utf8: bytes) -> str:
    """The first lines of the NFC of a text not in NFC: HEADER_TEXT_CHARS characters or more
    (all of it if shorter), which is what `_header` reads of an NFC text.

    Only those lines are normalised, a block of lines at a time (a line end never composes
    with what is around it, so NFC of the blocks is the NFC of their text): NFC of a whole
    Windows-1258 file in Python cost 2.8 s for 93 MB.
    """
    parts: list[str] = []
    chars = at = 0
    while chars < HEADER_TEXT_CHARS and at < len(utf8):
        cut = utf8.find(b"\n", at + HEADER_TEXT_CHARS)
        cut = len(utf8) if cut < 0 else cut + 1
        parts.append(unicodedata.normalize("NFC", utf8[at:cut].decode("utf-8")))
        chars += len(parts[-1])
        at = cut
    return "".join(parts)


def _line_end(utf8: bytes, lines: int) -> int:
    """Offset just past the first `lines` line ends (or the end of the text)."""
    at = 0
    for _ in range(lines):
        found = utf8.find(b"\n", at)
        if found < 0:
            return len(utf8)
        at = found + 1
    return at


def _pieces(utf8: bytes, start: int, first_row: int, piece_bytes: int) -> list[tuple[int, int, int, int]]:
    """(start, end, row number of its first line, its line ends) of pieces of about `piece_bytes`,
    cut after a line end. The line ends are counted once, here (a pass over the text)."""
    pieces = []
    while start < len(utf8):
        end = utf8.find(b"\n", min(start + piece_bytes, len(utf8)))
        end = len(utf8) if end < 0 else end + 1
        newlines = _count_byte(utf8, start, end, b"\n")
        pieces.append((start, end, first_row, newlines))
        first_row += newlines
        start = end
    return pieces or [(start, start, first_row, 0)]


COUNT_BLOCK = 1 << 20


def _count_byte(data: bytes, start: int, end: int, byte: bytes) -> int:
    """How many times `byte` occurs in data[start:end]: NumPy compares a MB at a time (no copy of
    the text, a MB of flags at most), four times faster than bytes.count on a 16 MB piece."""
    end = min(end, len(data))
    if len(byte) != 1 or end <= start:
        return data.count(byte, start, end)
    view = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
    value = byte[0]
    return sum(int(np.count_nonzero(view[at: at + COUNT_BLOCK] == value)) for at in range(0, len(view), COUNT_BLOCK))


def _count_crlf(data: bytes) -> int:
    """How many CRs in `data` are followed by a LF (as `_count_byte`, a MB at a time)."""
    view = np.frombuffer(data, dtype=np.uint8)
    last = len(view) - 1  # a CR at the very end is followed by nothing
    return sum(int(np.count_nonzero((view[at: min(at + COUNT_BLOCK, last)] == 13)
                                    & (view[at + 1: min(at + COUNT_BLOCK, last) + 1] == 10)))
               for at in range(0, max(last, 0), COUNT_BLOCK))


def _piece_cells(utf8: bytes, start: int, end: int, first_row: int, newlines: int, delimiter: str,
                 width: int) -> pl.DataFrame | None:
    """The cells and flags of the lines in utf8[start:end], which holds `newlines` line ends (see
    _split_plain); None when they are not UTF-8 or not regular."""
    piece = utf8[start:end]
    direct = _direct_cells(piece, first_row, delimiter, width, newlines)
    if direct is not None:
        return direct
    try:  # validated in Rust, and no Python string: that would cost twice the text for Vietnamese
        lines = pl.Series([piece], dtype=pl.Binary).cast(pl.String).str.split("\n").explode()
    except pl.exceptions.ComputeError:
        return None
    if b"\r" in piece:  # CRLF line ends: any other CR is a line break the csv module would see
        lines = lines.str.strip_suffix("\r")
        if lines.str.contains("\r", literal=True).any():
            return None
    body = pl.DataFrame({"line": lines}).with_row_index("row_number", offset=first_row)
    del lines
    # Lines holding a quote are checked and split by a field grammar; the others at each delimiter.
    has_quote = body.select(pl.col("line").str.contains('"', literal=True)).to_series()
    if not has_quote.any():
        return _split_plain(body, delimiter, width).filter(~pl.col("_blank"))
    quoted = _quoted_cells(body.filter(has_quote), delimiter, width)
    if quoted is None:
        return None
    plain = _split_plain(body.filter(~has_quote), delimiter, width)
    del body
    return pl.concat([plain, quoted]).sort("row_number").filter(~pl.col("_blank"))


def _direct_cells(piece: bytes, first_row: int, delimiter: str, width: int,
                  newlines: int | None = None) -> pl.DataFrame | None:
    """The cells and flags of a piece in which every line is one record of exactly `width` cells,
    parsed in one go by Polars' CSV reader (about three times faster than splitting every line
    into cells with string expressions); None when that cannot be proved, and the piece is split
    line by line instead.

    Where Polars and the csv module could read a line differently, Polars raises or a check
    below fails: Polars' records must be as many as the lines, and every line must be `width`
    whole fields (a blank line is one field). A line without a quote is proved by the piece's
    delimiter count (`width - 1` per such line, in all: Polars raises on a line with too many
    cells, so none has too few); the lines holding a quote by a regex (`_width_fields_pattern`),
    or all lines in one pass where most hold one: Polars reads `""a""` as `a`, where the csv
    module stops at the `a` after a closing quote. `newlines`: the piece's line ends, when already counted.
    """
    if width < 2 or not piece or piece.startswith(b"\xef\xbb\xbf"):  # a parser would take a cell's U+FEFF for a BOM
        return None
    if b"\r" in piece and _count_byte(piece, 0, len(piece), b"\r") != _count_crlf(piece):
        return None  # a CR that does not end a line: the line-by-line split reports it
    quoted = b'"' in piece
    names = cell_columns(width)
    try:
        cells = pl.read_csv(piece, has_header=False, new_columns=names, infer_schema=False, separator=delimiter,
                            quote_char='"' if quoted else None, empty_string_is_null=False)
        newlines = _count_byte(piece, 0, len(piece), b"\n") if newlines is None else newlines
        lines = newlines + (not piece.endswith(b"\n"))
        if cells.height != lines:
            return None
        # The lines without a quote hold `width - 1` delimiters each, in all: Polars raises on a
        # line with too many cells, so none has too few. The lines with a quote (or all lines,
        # where quotes are common) must match `_width_fields_pattern`.
        with_quote = _lines_with_quote(piece, lines) if quoted else b""
        checked = piece if with_quote is None else with_quote
        if checked and not _all_width_fields(checked, delimiter, width):
            return None
        if with_quote is not None:
            plain_lines = lines - with_quote.count(b"\n") - (bool(with_quote) and not with_quote.endswith(b"\n"))
            d = delimiter.encode()
            if _count_byte(piece, 0, len(piece), d) - with_quote.count(d) != (width - 1) * plain_lines:
                return None
    except pl.exceptions.PolarsError:
        return None
    del piece
    # Blank rows and rows with only their first cell filled (footers) both have a blank second
    # cell: the flags are worked out on those few rows alone.
    blank = [pl.col(c).str.strip_chars(PY_WHITESPACE) == "" for c in names]
    few = cells.with_row_index("_i").filter(blank[1])
    first_only = pl.repeat(False, cells.height, eager=True).alias("_first_only")
    drop = None
    if few.height:
        flags = few.select("_i", _blank=pl.all_horizontal(blank), _first_only=~blank[0] & pl.all_horizontal(blank[1:]))
        first_only = first_only.scatter(flags.filter("_first_only")["_i"], True)
        drop = flags.filter("_blank")["_i"]
    frame = cells.select(
        pl.int_range(first_row, first_row + cells.height, dtype=pl.UInt32).alias("row_number"),
        pl.lit(False).alias("_blank"),
        *names,  # no null: an empty cell is "", and every row has every cell (counted above)
        first_only,
        pl.lit(True).alias("_extra_blank"),
        pl.lit(width, dtype=pl.UInt32).alias("_cells"),
    )
    if drop is not None and drop.len():
        frame = frame.with_row_index("_i").filter(~pl.col("_i").is_in(drop.implode())).drop("_i")
    return frame


# `_lines_with_quote` gives up once more than one line in SPARSE_QUOTES holds a quote (past the
# first SPARSE_MIN such lines): then a regex over the whole piece is cheaper than finding them.
SPARSE_QUOTES = 6
SPARSE_MIN = 64


def _lines_with_quote(piece: bytes, lines: int) -> bytes | None:
    """The piece's lines holding a quote, each with its line end, joined; None when they are
    common (a regex over the whole piece is then cheaper than finding them one by one)."""
    found: list[bytes] = []
    at = piece.find(b'"')
    while at >= 0:
        start = piece.rfind(b"\n", 0, at) + 1
        end = piece.find(b"\n", at) + 1 or len(piece)
        found.append(piece[start:end])
        if len(found) > SPARSE_MIN and len(found) * SPARSE_QUOTES * len(piece) > end * lines:
            return None
        at = piece.find(b'"', end)
    return b"".join(found)


def _all_width_fields(text: bytes, delimiter: str, width: int) -> bool:
    """Whether every line of the text is `width` whole fields (`_width_fields_pattern`), in a
    single pass of the regex engine's DFA (splitting the text into lines costs more)."""
    series = pl.Series([text], dtype=pl.Binary).cast(pl.String)
    return bool(series.str.contains(_width_fields_pattern(delimiter, width)).item())


def _width_fields_pattern(delimiter: str, width: int) -> str:
    """A text whose every line is `width` whole fields, as a regex: plain ones without a quote,
    quoted ones (quotes inside doubled) without a line break; each line may end in CR LF, the
    last may have no line end. On such lines every CSV reader agrees."""
    d = re.escape(delimiter)
    field = f'(?:[^"{d}\\r\\n]*|"(?:[^"\\r\\n]|"")*")'
    line = f"{field}(?:{d}{field}){{{width - 1}}}\\r?"
    return f"\\A(?:{line}\\n)*(?:{line})?\\z"


def _whole_fields_pattern(delimiter: str) -> str:
    """A line of whole fields, as a regex: plain ones without a quote, and quoted ones (quotes
    inside doubled) followed by a delimiter or the line's end. On such lines every CSV reader
    agrees."""
    d = re.escape(delimiter)
    field = f'(?:[^"{d}]*|{QUOTED_FIELD})'
    return f"^{field}(?:{d}{field})*$"


def _header(utf8: bytes, nfc_pending: bool = False) -> tuple[str, list[list[str]]] | None:
    """The delimiter and the records up to the header, found exactly as the exact reader finds
    them (in the same first characters), and only when each of those records is one whole line.
    `nfc_pending`: the text is not NFC; they are found in its NFC, as the exact reader's text is."""
    # The first HEADER_TEXT_CHARS characters of the NFC prefix lie within HEADER_TEXT_CHARS * 4 bytes.
    first = _nfc_prefix(utf8) if nfc_pending else utf8[: HEADER_TEXT_CHARS * 4].decode("utf-8", errors="ignore")
    start = first[:HEADER_TEXT_CHARS]
    delimiter, index = choose_delimiter(unicodedata.normalize("NFC", start))
    if delimiter is None:
        return None
    lines = [line.removesuffix("\r") for line in start.split("\n")[: index + 1]]  # type: ignore[operator]
    records = _one_record_per_line(lines, delimiter)
    if records is None or len(records) != index + 1:  # type: ignore[operator]
        return None
    return delimiter, records


def _one_record_per_line(lines: list[str], delimiter: str) -> list[list[str]] | None:
    """Each line parsed by the csv module; None if a record runs over a line or a quote is open."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        for cells in reader:
            records.append(cells)
            if reader.line_num != len(records):
                return None
    except csv.Error:
        return None
    return records


def _split_plain(body: pl.DataFrame, delimiter: str, width: int) -> pl.DataFrame:
    """Each line split at every delimiter, as the csv module splits a line without quotes.

    Cells past the end of a short line are null; `_rest` (dropped) holds what follows the last
    column. Flags: `_blank` (nothing but spaces), `_first_only` (only the first cell filled) and
    `_extra_blank` (nothing but spaces past the last column).
    """
    d = re.escape(delimiter)
    ws = re.escape(PY_WHITESPACE)
    line = pl.col("line")
    return (
        body.lazy()
        .select(
            pl.col("row_number"),
            line.str.contains(f"^[{ws}{d}]*$").alias("_blank"),
            line.str.contains(f"^[^{d}]*(?:{d}[{ws}{d}]*)?$").alias("_rest_blank"),
            line.str.splitn(delimiter, width + 1).struct.rename_fields([*cell_columns(width), "_rest"]).alias("_split"),
            (line.str.count_matches(delimiter, literal=True) + 1).alias("_cells"),
        )
        .unnest("_split")
        .with_columns(
            _first_only=pl.col("_rest_blank") & (pl.col("c0").str.strip_chars(PY_WHITESPACE) != ""),
            _extra_blank=pl.col("_rest").is_null() | pl.col("_rest").str.contains(f"^[{ws}{d}]*$"),
        )
        .select("row_number", "_blank", *cell_columns(width), "_first_only", "_extra_blank", "_cells")
        .collect()
    )


def _quoted_cells(lines: pl.DataFrame, delimiter: str, width: int) -> pl.DataFrame | None:
    """The cells and flags (as `_split_plain` gives them) of lines holding a quote; None when the
    csv module's reading of them is not certain.

    Only lines of plain fields and whole quoted fields (quotes inside doubled) are taken: on those
    every CSV reader agrees, and a regex finds the fields from left to right (a quoted field is
    matched whole, delimiters inside it included). Past the last column, a quote counts as content
    (`_extra_blank` false): such a line is neither blank nor a footer, and its extra cells send the
    file to the exact reader.
    """
    if not lines.select(pl.col("line").str.contains(_whole_fields_pattern(delimiter)).all()).item():
        return None
    names = cell_columns(width)
    # Fields per line: the delimiters left once the quoted fields are taken out, plus one. Lines
    # with exactly the header's number go to Polars' CSV parser (which agrees with every reader on
    # such lines, and is twice as fast as the field regex below); the others take the regex.
    fields = pl.col("line").str.replace_all(QUOTED_FIELD, "").str.count_matches(delimiter, literal=True) + 1
    exact = lines.select(fields == width).to_series()
    if width and exact.all():
        return _finish_quoted(_parsed_cells(lines, delimiter, names), names)
    if width and exact.any():
        parsed = _parsed_cells(lines.filter(exact), delimiter, names)
        matched = _matched_cells(lines.filter(~exact), delimiter, width)
        return _finish_quoted(pl.concat([parsed, matched]).sort("row_number"), names)
    return _finish_quoted(_matched_cells(lines, delimiter, width), names)


def _parsed_cells(lines: pl.DataFrame, delimiter: str, names: list[str]) -> pl.DataFrame:
    """Lines of whole fields, each with exactly len(names) of them, parsed by Polars' CSV reader."""
    text = lines.select(pl.col("line").str.join("\n").cast(pl.Binary)).item() + b"\n"
    if text.startswith(b"\xef\xbb\xbf"):  # a parser would take a cell's leading U+FEFF for a BOM
        return _matched_cells(lines, delimiter, len(names))
    cells = pl.read_csv(text, has_header=False, infer_schema=False, separator=delimiter, quote_char='"',
                        new_columns=names)
    del text
    if cells.height != lines.height:  # never expected: a line the parser saw otherwise
        raise Irregular
    return cells.select(
        lines["row_number"], *(pl.col(c).fill_null("") for c in names),
        _extra_blank=pl.lit(True), _cells=pl.lit(len(names), dtype=pl.UInt32),
    )


def _matched_cells(lines: pl.DataFrame, delimiter: str, width: int) -> pl.DataFrame:
    """Lines of whole fields, any number of them, split by a field regex."""
    d = re.escape(delimiter)
    ws = re.escape(PY_WHITESPACE)
    # Each field with the delimiter before it (one is put before the first field too): a match is
    # never empty, and an empty match would hide a field that starts where it ends.
    parts = (pl.lit(delimiter) + pl.col("line")).str.extract_all(f'{d}(?:{QUOTED_FIELD}|[^"{d}]*)')
    names = cell_columns(width)
    cells = (
        lines.lazy()
        .select(pl.col("row_number"), parts.alias("_parts"))
        .select(
            pl.col("row_number"),
            *(pl.col("_parts").list.get(i, null_on_oob=True).str.slice(1).alias(f"c{i}") for i in range(width)),  # without its delimiter
            _extra_blank=pl.col("_parts").list.slice(width).list.join("").str.contains(f"^[{ws}{d}]*$"),
            _cells=pl.col("_parts").list.len().cast(pl.UInt32),
        )
        .collect()
    )
    # Unquoted only in the columns where some field is quoted (usually the note alone): the
    # unquoting of a column costs three passes over it.
    quoted_in = cells.select(pl.col(c).str.starts_with('"').any() for c in names).row(0) if width else ()

    def unquoted(name: str) -> pl.Expr:
        text = pl.col(name)
        inner = text.str.strip_prefix('"').str.strip_suffix('"').str.replace_all('""', '"', literal=True)
        return pl.when(text.str.starts_with('"')).then(inner).otherwise(text).alias(name)

    return cells.with_columns(unquoted(c) for c, quoted in zip(names, quoted_in) if quoted)


def _finish_quoted(cells: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The `_blank` and `_first_only` flags, and the columns in `_split_plain`'s order."""
    filled = [pl.col(c).fill_null("").str.strip_chars(PY_WHITESPACE) != "" for c in names]
    return cells.with_columns(
        _blank=~pl.any_horizontal(filled) & pl.col("_extra_blank"),
        _first_only=filled[0] & ~pl.any_horizontal(filled[1:] or [pl.lit(False)]) & pl.col("_extra_blank"),
    ).select(pl.col("row_number"), pl.col("_blank"), *names, pl.col("_first_only"), pl.col("_extra_blank"), pl.col("_cells"))
