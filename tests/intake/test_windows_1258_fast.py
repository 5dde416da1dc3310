"""A Windows-1258 file through the fast reader, its text not normalised first.

Vietnamese Excel writes many letters as a base letter and a combining tone mark. The fast reader
now splits that text as decoded (only the lines where the header is looked for are NFC first)
and leaves NFC to the validator, which normalises every column it keeps; the cell-size limit
still counts a cell's bytes in NFC. The reference is what every Windows-1258 file got before:
the whole text in NFC, read by the exact reader and validated (the fast reader on NFC text gives
the same, tests/intake/test_fast_reader.py).
"""

from __future__ import annotations

import itertools
import unicodedata

import polars as pl
from hypothesis import HealthCheck, given, settings, strategies as st

from pipelines.intake.check import _validate, check_bytes
from pipelines.intake.decode import DecodeError, decode
from pipelines.intake.fast_reader import _nfc_prefix, stream_lines
from pipelines.intake.header import HEADER_TEXT_CHARS
from pipelines.intake.limits import Limits
from pipelines.intake.read import read_bytes
from pipelines.intake.validate import Validated
from tests.intake.conftest import TODAY, as_text, assert_same_outcome
from tests.intake.test_fast_reader import CATALOG, exact_table
from tests.support.cp1258 import TONE_MARKS, encode_cp1258

MB = 1 << 20
CP1258 = [c for c in bytes(range(256)).decode("cp1258", errors="replace") if c != "\ufffd"]
MARKS = sorted(TONE_MARKS)


def reference(data: bytes, limits: Limits | None = None) -> Validated:
    """The outcome before this change: NFC of the whole text, the exact reader, the validator."""
    return _validate(exact_table(data.decode("cp1258")), CATALOG, TODAY, (limits or Limits()).start())


def test_windows_1258_text_grows_under_nfc_by_at_most_a_byte_per_tone_mark() -> None:
    """What lets the cell-size limit look only at cells over half of it (validate.oversized_cells):
    every character of the code page is NFC on its own, and a letter followed by up to three tone
    marks grows under NFC by at most one byte per mark (Å + dot below becomes Ạ + ring: 4 → 5)."""
    for base in (c for c in CP1258 if c not in TONE_MARKS):
        assert unicodedata.normalize("NFC", base) == base
        for count in range(4):
            for marks in itertools.product(MARKS, repeat=count):
                text = base + "".join(marks)
                assert len(unicodedata.normalize("NFC", text).encode()) <= len(text.encode()) + count, text
    assert len(unicodedata.normalize("NFC", "\u00c5\u0323").encode()) == 5


@given(st.text(st.sampled_from(CP1258), max_size=40))
def test_any_windows_1258_text_grows_under_nfc_by_at_most_a_byte_per_tone_mark(text: str) -> None:
    marks = sum(text.count(m) for m in MARKS)
    assert len(unicodedata.normalize("NFC", text).encode()) <= len(text.encode()) + marks


def test_a_header_the_exact_reader_finds_in_the_nfc_texts_first_characters_is_found_alike() -> None:
    """The header is looked for in the first HEADER_TEXT_CHARS characters of the NFC text. Here a
    title row of decomposed letters puts the header past that many decoded characters but not
    past that many NFC ones: the fast reader finds it where the exact reader does."""
    title = "Bộ Ngoại giao " * (HEADER_TEXT_CHARS // 14 - 500)
    text = title + "\n" + HEAD + rows_of(20)
    data = encode_cp1258(text)
    decoded = data.decode("cp1258")
    assert decoded.index("indicator") > HEADER_TEXT_CHARS > unicodedata.normalize("NFC", decoded).index("indicator")
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY)
    assert (read.reader, read.delimiter) == ("fast", ";") and checked is not None
    assert_same_outcome(checked, reference(data))
    assert checked.ok and ("skipped_title", {"count": 1, "rows": "1"}) in checked.info


def test_the_nfc_prefix_is_the_start_of_the_nfc_text() -> None:
    line = "Nguye\u0302\u0303n ca\u0301n bo\u0323\u0302;" * 20 + "\n"
    text = line * (HEADER_TEXT_CHARS * 12 // len(line.encode()))
    nfc = unicodedata.normalize("NFC", text)
    prefix = _nfc_prefix(text.encode())
    assert len(prefix) >= HEADER_TEXT_CHARS and nfc.startswith(prefix) and prefix.endswith("\n")
    assert _nfc_prefix(line.encode()) == unicodedata.normalize("NFC", line)  # a short file: all of it


HEAD = "indicator;reporter;period;value;unit;note;country\n"


def rows_of(count: int) -> str:
    """Distinct rows (up to 864) of the mix shape's kind: a count with Vietnamese units, a percent
    with a decimal comma, notes with tone marks (one quoted, with quotes inside)."""
    notes = ["", "Số liệu ước tính của đơn vị", '"Điều chỉnh theo kết quả rà soát ""tinh gọn bộ máy"""', "Ghi chú số {i}"]
    rows = []
    for i in range(count):
        period = f"{1990 + (i // 2) % 144 // 4}-Q{(i // 2) % 4 + 1}"
        country = ["VN", "FR", "JP"][i // 288 % 3]
        note = notes[i % 4].format(i=i)
        if i % 2:
            rows.append(f"BUDGET_DISBURSED_PCT;MOFA;{period};{i % 90},5;%;{note};{country}\n")
        else:
            rows.append(f"MISSIONS_ABROAD;MOFA;{period};{i % 90};{['cơ quan', 'agencies'][i % 4 // 2]};{note};{country}\n")
    return "".join(rows)


def test_a_windows_1258_file_loads_the_same_observations_as_its_utf8_twin_through_the_fast_reader() -> None:
    text = "Báo cáo số liệu quý;;;;;;\n" + HEAD + rows_of(800) + "Người lập biểu;;;;;;\n"
    cp1258 = encode_cp1258(text)
    assert any(m.encode("cp1258") in cp1258 for m in MARKS)  # letters with combining tone marks
    loads: list[int] = []

    def load() -> bytes:
        loads.append(1)
        return cp1258

    read, checked = check_bytes(load, 100 * MB, CATALOG, TODAY, piece_bytes=4096)
    assert (read.encoding, read.reader, read.delimiter) == ("Windows-1258", "fast", ";")
    assert len(loads) == 1  # declined as UTF-8 before any piece was split: the bytes read once
    twin_read, twin = check_bytes(lambda: text.encode("utf-8"), 100 * MB, CATALOG, TODAY, piece_bytes=4096)
    assert (twin_read.encoding, twin_read.reader) == ("UTF-8", "fast")
    assert checked is not None and checked.ok and checked.rows_read == 800
    assert_same_outcome(checked, twin)
    assert_same_outcome(checked, reference(cp1258))
    notes = as_text(checked.observations)["note"].drop_nulls().unique().to_list()
    assert "Số liệu ước tính của đơn vị" in notes and all(unicodedata.is_normalized("NFC", n) for n in notes)


def test_the_fast_reader_declines_windows_1258_bytes_at_its_first_lines() -> None:
    """Not after splitting the whole file into pieces (which raised Irregular from the first)."""
    data = encode_cp1258(HEAD + rows_of(50))
    assert stream_lines(data) is None
    read = read_bytes(data, 100 * MB, stream=True)
    assert (read.encoding, read.reader) == ("Windows-1258", "fast") and read.table.nfc_pending


def test_the_cell_size_limit_counts_a_windows_1258_cell_in_nfc() -> None:
    """Å + dot below is 4 bytes decoded and 5 in NFC; a + acute is 3 decoded and 2 in NFC: the
    limit judges both as it did when the whole text was normalised first."""
    grows = "\u00c5\u0323" * 10  # 40 bytes decoded, 50 in NFC
    shrinks = "a\u0301" * 20  # 60 bytes decoded, 40 in NFC
    body = f"MISSIONS_ABROAD;MOFA;2024;94;;{grows};VN\nMISSIONS_ABROAD;MOFA;2025;94;;{shrinks};VN\n"
    data = HEAD.encode() + body.encode("cp1258")
    limits = Limits(max_cell_bytes=45)
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY, limits=limits)
    assert read.reader == "fast" and checked is not None
    assert [(p.code, p.row, p.column, p.params) for p in checked.problems] == [
        ("cell_too_large", 2, "note", {"size_kb": "0", "limit_kb": "0"})]
    assert_same_outcome(checked, reference(data, limits))


CELLS = ["", " ", "MISSIONS_ABROAD", "MOFA", "2025", "2025-Q1", "Quy\u0301 3/2025", "94", "1.234,5", "12,5", "12%",
         "agencies", "c\u01a1 quan", "Ngu\u00f4\u0300n: B\u00f4\u0323 Ngoa\u0323i giao", "VN", "\u0301", "e\u0301",
         "\u00c5\u0323", "\u00ca\u0301", "a\u0301\u0323", "\u00a0", " x ", ",", ";", "=1+1", '"', "\u20ab",
         "\u0110a\u0300 N\u00e2\u0303ng"]


@st.composite
def windows_1258_file(draw) -> str:
    """A small file of cells Vietnamese Excel writes (decomposed letters, tone marks after a
    delimiter or a quote, Å + dot below), sometimes quoted, with title, blank and footer rows."""
    header = draw(st.permutations(["indicator", "reporter", "period", "value", "unit", "note", "country"]))
    lines = [";".join(header)]
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(["B\u00e1o c\u00e1o quy\u0301 3", "Ba\u0301o ca\u0301o;;", ""])))
    for _ in range(draw(st.integers(0, 12))):
        cells = []
        for _ in range(len(header)):
            text = "".join(draw(st.lists(st.sampled_from(CELLS), max_size=3)))
            if ";" in text or '"' in text or draw(st.integers(0, 9)) == 0:
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(";".join(cells))
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["Ng\u01b0\u01a1\u0300i l\u00e2\u0323p bi\u00ea\u0309u", "MOFA", "\u0301"])))
    return "\n".join(lines) + "\n"


@given(windows_1258_file(), st.sampled_from([64, 256, 4096]), st.sampled_from([8, 30, None]))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_windows_1258_file_gives_the_outcome_of_its_nfc_text(text: str, piece_bytes: int, max_cell_bytes: int | None) -> None:
    """In chunks of a few rows, and whole under a small cell-size limit (a limit crossed is
    reported for the first chunk that crosses it, so there the chunks must be the same)."""
    data = text.encode("cp1258")
    limits = Limits(max_cell_bytes=max_cell_bytes) if max_cell_bytes else Limits()
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY, piece_bytes=piece_bytes if max_cell_bytes is None else MB,
                                limits=limits)
    try:
        decode(data)
    except DecodeError as exc:  # some bytes are UTF-8 after all (Ê + acute + NBSP: CA EC A0 A0)
        assert checked is None and read.problems == exc.problems
        return
    assert checked is not None
    if not _is_utf8(data):
        assert read.encoding == "Windows-1258"
    assert_same_outcome(checked, reference(data, limits))
    assert read.delimiter == exact_table(data.decode("cp1258")).delimiter


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_nfc_of_the_polars_cells_is_pythons_for_windows_1258_pairs() -> None:
    """The validator composes in Polars what was composed in Python before: the same letters."""
    pairs = [base + mark for base in CP1258 if base not in TONE_MARKS for mark in MARKS]
    assert pl.Series(pairs).str.normalize("NFC").to_list() == [unicodedata.normalize("NFC", p) for p in pairs]
