"""The fast reader (Polars, line by line) gives exactly the exact reader's Table, or declines.

The exact reader (`whole_text`, Python's csv module) is the reference: whatever text the fast
reader accepts must come out with the same columns, cells, Excel row numbers, skipped rows and
problems. Cells may differ only in Unicode normalisation, which the validator applies to every
column (the exact path normalises the whole text first); the validated outcome must be equal too.
"""

from __future__ import annotations

import csv
import io
import itertools
import unicodedata

import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from pipelines.catalog import load_catalog
from pipelines.intake.decode import DecodeError, decode
from pipelines.intake import fast_reader
from pipelines.intake.fast_reader import _direct_cells, whole_lines
from pipelines.intake.read import read_bytes
from pipelines.intake.exact_reader import whole_text
from pipelines.intake.table import Table
from pipelines.intake.validate import validate
from pipelines.settings import DEFAULT_CATALOG_DIR
from tests.intake.conftest import FIXTURES, TODAY, assert_same_outcome

CATALOG = load_catalog(DEFAULT_CATALOG_DIR)
HEADER = ["indicator", "reporter", "period", "value", "unit", "note", "country"]


def nfc_frame(table: Table) -> pl.DataFrame:
    return table.frame.with_columns(pl.col(c).str.normalize("NFC") for c in table.frame.columns if c != "row_number")


def assert_same_table(fast: Table, exact: Table) -> None:
    for name in ("columns", "header_row", "skipped_title", "skipped_footer", "problems", "delimiter"):
        assert getattr(fast, name) == getattr(exact, name), name
    assert nfc_frame(fast).equals(exact.frame)


def exact_table(text: str) -> Table:
    """What read_bytes does for a UTF-8 file the fast reader declines: NFC of the whole text first."""
    return whole_text(unicodedata.normalize("NFC", text))


REGULAR_CELLS = [
    "", " ", "MISSIONS_ABROAD", "MOFA", "HANOI", "2025", "2025-Q1", "Quý 3/2025", "94", "1.234,5", "12%", "agencies",
    "cơ quan", "Nguồn: Bộ Ngoại giao", "VN", "e\u0301", "\u212a", "\u00a0", " x ", ",", ";", "\t", "\u2028", "\x85",
    "=1+1",
]
# Rarer, so that most generated files stay regular and the comparison runs on them.
IRREGULAR_CELLS = ['"', '""', 'a"b', "\r", "\n", "\r\n", "\x00", "\x0b", "\x1c"]
CELLS = st.sampled_from(REGULAR_CELLS * 24 + IRREGULAR_CELLS)


@st.composite
def cell(draw, delimiter: str) -> str:
    text = "".join(draw(st.lists(CELLS, max_size=3)))
    special = any(c in text for c in (delimiter, '"', "\n", "\r"))
    if draw(st.integers(0, 9)) < (8 if special else 1):
        return '"' + text.replace('"', '""') + '"'  # a well-quoted field, as Excel writes one
    return text


@st.composite
def csv_text(draw) -> str:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    extra = draw(st.lists(st.sampled_from(HEADER[4:]), max_size=3, unique=True))
    header = draw(st.permutations(HEADER[:4] + extra))
    if draw(st.integers(0, 9)) == 0:
        header = header[:-1]  # a required column missing
    if draw(st.booleans()):
        header.append("")  # a trailing delimiter on the header too
    lines = [delimiter.join(draw(cell(delimiter)) for _ in range(draw(st.integers(0, 3))))
             for _ in range(draw(st.integers(0, 2)))]  # a title block
    lines.append(delimiter.join(header))
    for _ in range(draw(st.integers(0, 8))):
        width = len(header) + draw(st.sampled_from([0] * 30 + [1, -1, -3]))
        lines.append(delimiter.join(draw(cell(delimiter)) for _ in range(max(width, 1))))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + draw(st.sampled_from(["", end, end + end]))


@given(csv_text())
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_reader_matches_the_exact_reader_whenever_it_accepts(text: str) -> None:
    fast = whole_lines(text.encode("utf-8"))
    event("fast" if fast is not None else "declined")
    if fast is None:
        return
    exact = exact_table(text)
    assert_same_table(fast, exact)
    assert_same_outcome(validate(fast, CATALOG, TODAY), validate(exact, CATALOG, TODAY))


QUOTE_TOKENS = ["a", "é", " ", "x y", " ", ",", ";", "\t"] * 3 + ['"', '""'] * 2 + ["\n", "\r\n"]


@st.composite
def quote_heavy_text(draw) -> str:
    """Every row as wide as the header, cells full of quotes (well placed or not), delimiters and
    line breaks: the shapes on which Polars' CSV parser and the csv module could part ways."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    header = HEADER[: draw(st.integers(4, len(HEADER)))]
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        cells = []
        for _ in header:
            text = "".join(draw(st.lists(st.sampled_from(QUOTE_TOKENS), max_size=4)))
            cells.append('"' + text.replace('"', '""') + '"' if draw(st.booleans()) else text)
        rows.append(delimiter.join(cells))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join([delimiter.join(header), *rows]) + draw(st.sampled_from(["", end]))


@given(quote_heavy_text())
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_whole_piece_parse_matches_the_exact_reader_whenever_it_accepts(text: str) -> None:
    data = text.encode("utf-8")
    body = data[data.index(b"\n") + 1:]
    delimiter = text[len(HEADER[0])]
    width = text.split("\n")[0].rstrip("\r").count(delimiter) + 1
    event("whole piece parsed" if _direct_cells(body, 2, delimiter, width) is not None else "split line by line")
    fast = whole_lines(data)
    event("fast" if fast is not None else "declined")
    if fast is None:
        return
    exact = exact_table(text)
    assert_same_table(fast, exact)


REGULAR = (
    "BÁO CÁO SỐ LIỆU QUÝ 3/2025\r\n\r\n"
    "indicator,reporter,period,value,unit,note,mission_type,\r\n"
    'MISSIONS_ABROAD,MOFA,2025-Q3,94,agencies,"Ghi chú, có dấu phẩy và ""ngoặc""",,\r\n'
    "MISSIONS_ABROAD,MOFA,2025-Q3,60,,,embassy,\r\n"
    "\r\n"
    "MISSIONS_ABROAD,MOFA,2025-Q2,93,,Nguye\u0302\u0303n,,,\r\n"
    "Nguồn: Bộ Ngoại giao,,,,,,,\r\n"
)


def test_a_regular_file_with_every_common_quirk_takes_the_fast_reader() -> None:
    """Title block, CRLF, trailing delimiters, a quoted note with a comma and quotes, a blank line,
    decomposed Vietnamese, a footer: all handled without the exact reader, and identically."""
    fast = whole_lines(REGULAR.encode("utf-8"))
    assert fast is not None
    assert fast.skipped_title == [1] and fast.header_row == 3 and fast.skipped_footer == [8]
    assert fast.frame["row_number"].to_list() == [4, 5, 7]
    assert fast.frame["c5"][0] == 'Ghi chú, có dấu phẩy và "ngoặc"'
    assert_same_table(fast, exact_table(REGULAR))


def test_irregular_files_are_left_to_the_exact_reader() -> None:
    """Each of these needs the exact reader's row-by-row report or its csv semantics."""
    head = "indicator,reporter,period,value\n"
    for body in [
        'MISSIONS_ABROAD,MOFA,2025,"two\nlines"\n',  # a quoted line break: one row over two lines
        "MISSIONS_ABROAD,MOFA,2025,94,extra\n",  # a ragged row
        "MISSIONS_ABROAD,MOFA,2025\n",  # a short row
        'MISSIONS_ABROAD,MOFA,"2025",94\nMISSIONS_ABROAD,MOFA,2025\n',  # a short row, and a quote elsewhere in the piece
        'MISSIONS_ABROAD,MOFA,"2025"\nMISSIONS_ABROAD,MOFA,2025,94,1\n',  # a short row with a quote, a long one without
        "MISSIONS_ABROAD,MOFA,2025,9\x004\n",  # a NUL
        "MISSIONS_ABROAD,MOFA\r2025,94\n",  # a lone CR
        'MISSIONS_ABROAD,MOFA,2025,"94\n',  # an unterminated quote
        'MISSIONS_ABROAD,MOFA,2025,9"4"\n',  # a quote inside a plain field
        'MISSIONS_ABROAD,MOFA,2025,"9"4\n',  # text after a closing quote
        'MISSIONS_ABROAD,MOFA,2025,""9""\n',  # Polars reads 9, the csv module stops at the 9
        'MISSIONS_ABROAD,MOFA,2025,9"4,5"\n',  # a quote inside a plain field, before a delimiter
    ]:
        assert whole_lines((head + body).encode("utf-8")) is None, body
    assert whole_lines("indicator;reporter\nx;y\n".encode("utf-8")) is None  # no header
    assert whole_lines(b"indicator,reporter,period,value\n\xff\n") is None  # not UTF-8


def test_a_piece_of_whole_quoted_fields_is_parsed_whole_and_read_as_the_exact_reader_reads_it() -> None:
    head = "indicator,reporter,period,value,note\n"
    body = 'MISSIONS_ABROAD,MOFA,2025,94,"x, ""y"""\r\nMISSIONS_ABROAD,MOFA,2024,93,""\r\n'
    assert _direct_cells(body.encode(), 2, ",", 5) is not None
    assert_same_table(whole_lines((head + body).encode("utf-8")), exact_table(head + body))


@pytest.mark.parametrize("lines_with_quote", ["found one by one", "all checked"])
def test_every_short_cell_of_quotes_and_delimiters_is_parsed_whole_only_as_the_csv_module_reads_it(
        lines_with_quote: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exhaustive over a small alphabet: every text of up to six characters among `a`, `"` and
    `,`, put in a cell of a piece (last cell, middle cell, CRLF line ends). Whenever the whole-piece
    parse accepts it, its cells are the csv module's, row for row; and wherever the fast reader
    accepts the file, the exact reader's Table is the same. Both ways of proving the lines with a
    quote are taken: found one by one (few of them), or all lines checked at once (many)."""
    if lines_with_quote == "all checked":
        monkeypatch.setattr(fast_reader, "SPARSE_MIN", -1)
        monkeypatch.setattr(fast_reader, "SPARSE_QUOTES", 1 << 40)
    accepted = 0
    for length in range(7):
        for chars in itertools.product('a",', repeat=length):
            text = "".join(chars)
            for body in (f"M,R,2025,{text}\nM,R,2024,2\n", f"M,R,{text},1\r\nM,R,2024,2\r\n", f"M,R,2025,{text}"):
                direct = _direct_cells(body.encode(), 2, ",", 4)
                if direct is None:
                    continue
                accepted += 1
                rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=",", strict=True))
                kept = [(i + 2, *r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
                assert direct.select("row_number", "c0", "c1", "c2", "c3").rows() == kept, body
                fast = whole_lines(("indicator,reporter,period,value\n" + body).encode())
                assert fast is not None, body
                assert_same_table(fast, exact_table("indicator,reporter,period,value\n" + body))
    assert accepted > 100  # the well-quoted ones (and the plain ones) are parsed whole


@given(st.binary(max_size=64).map(lambda b: b.translate(bytes(b"a\r\n,"[i % 4] for i in range(256)))), st.integers(0, 70), st.integers(0, 70))
@settings(max_examples=300, deadline=None)
def test_line_ends_delimiters_and_line_ending_crs_are_counted_across_blocks(data: bytes, start: int, end: int) -> None:
    """The NumPy counts (a block at a time; blocks of 3 bytes here, so that a CR LF straddles
    two) are bytes.count's: a miscount would shift row numbers or let a lone CR through."""
    original = fast_reader.COUNT_BLOCK
    fast_reader.COUNT_BLOCK = 3
    try:
        for byte in (b"\n", b",", b"\r"):
            assert fast_reader._count_byte(data, start, end, byte) == data.count(byte, start, end)
        assert fast_reader._count_crlf(data) == data.count(b"\r\n")
    finally:
        fast_reader.COUNT_BLOCK = original


def test_every_golden_file_reads_the_same_through_read_bytes() -> None:
    """The golden files (every encoding) as the pipeline reads them, fast reader first, against
    the exact reader alone on the same decoded text."""
    taken = 0
    for path in sorted(FIXTURES.glob("*.csv")) + sorted(FIXTURES.glob("*.txt")):
        data = path.read_bytes()
        try:
            text = decode(data).text
        except DecodeError:
            continue  # rejected before any table is made: nothing to compare
        result = read_bytes(data, 1 << 30)
        if result.table is None:
            continue
        taken += whole_lines(text.encode("utf-8")) is not None
        assert_same_table(result.table, whole_text(text))
    assert taken >= 20  # most golden files are regular: the fast reader is what loads them
