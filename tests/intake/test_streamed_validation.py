"""Validating a file chunk by chunk gives exactly what validating it whole gives.

Both readers stream: the fast one in pieces of bytes, the exact one (the csv module) in chunks of
rows. Either way the outcome must not depend on where the chunks are cut.

A load streams a regular file's rows through the row-level rules in chunks of about 64 MB and
keeps only compact columns for the file-level rules (number convention, duplicate keys). Here the
chunks are made tiny (a few bytes to a few hundred per piece), so that generated files cross many
chunk boundaries: between a footer-looking row and the data after it, between the first value
that decides the number convention and one that contradicts it, between a key and its duplicate.
The reference is the exact reader's whole Table, validated in one piece.
"""

from __future__ import annotations

import pytest
import unicodedata

from hypothesis import HealthCheck, event, given, settings, strategies as st

from pipelines.intake.check import check_bytes
from pipelines.intake import fast_reader
from pipelines.intake.fast_reader import Irregular, stream_lines, whole_lines
from pipelines.intake.exact_reader import BrokenText, stream_text
from pipelines.intake.table import empty_table
from pipelines.intake.validate import validate
from tests.support.cp1258 import encode_cp1258
from tests.intake.conftest import TODAY, as_text, assert_same_outcome
from tests.intake.test_fast_reader import CATALOG, csv_text, exact_table

MB = 1 << 20


def compare_streamed(text: str, piece_bytes: int, chunk_pieces: int) -> None:
    utf8 = text.encode("utf-8")
    streamed = stream_lines(utf8, piece_bytes=piece_bytes, chunk_pieces=chunk_pieces)
    if streamed is None:
        event("declined at the header")
        return
    try:
        chunked = validate(streamed, CATALOG, TODAY)
    except Irregular:
        event("irregular in a later chunk")
        assert whole_lines(utf8) is None  # the whole-file fast reader declines the same text
        return
    event("valid" if chunked.ok else "rejected")
    assert_same_outcome(chunked, validate(exact_table(text), CATALOG, TODAY))


# Cells from which mostly valid rows are drawn, so that rows get loaded, keys repeat and the
# number convention is decided (or contradicted) across chunks.
VALID_ROWS = {
    "indicator": ["MISSIONS_ABROAD"] * 4 + ["BUDGET_DISBURSED_PCT", "STAFF_HEADCOUNT", "MISIONS_ABROAD", ""],
    "reporter": ["MOFA"] * 3 + ["MOF", "mofa"],
    "period": ["2024", "2025", "2025-Q1", "2025-Q2", "Quý 3/2025", "2031", " 2023 "],
    "value": ["94", "94", "1.234", '"1,234"', '"12,5"', "12.5", "47%", "-3", "", '"1 234,5"'],
    "unit": ["", "", "agencies", "cơ quan", "persons", "%"],
    "country": ["", "", "VN", "FR", "Việt Nam"],
    "note": ["", "", "Ghi chú", '"có dấu phẩy, và ""ngoặc"""', "Nguye\u0302\u0303n"],
}
FOOTERS = ["Người lập biểu", "Nguồn: Bộ Ngoại giao", "MOFA"]


CLEAN_ROWS = {  # rows a valid file is made of (their keys made unique below)
    "indicator": ["MISSIONS_ABROAD", "STAFF_HEADCOUNT"],
    "reporter": ["MOFA", "MOF"],
    "period": [str(y) for y in range(2015, 2026)],
    "value": ["94", "0", "1 234", "15"],
    "unit": ["", ""],
    "country": ["", "VN", "FR", "JP"],
    "note": ["", "Ghi chú", '"có dấu phẩy, và ""ngoặc"""', "Nguye\u0302\u0303n"],
}


@st.composite
def mostly_valid_csv(draw) -> str:
    """Half the files from CLEAN_ROWS with unique keys (a convention-deciding value or none), half
    with every kind of mistake mixed in; blank and footer-looking lines anywhere."""
    columns = draw(st.permutations(list(VALID_ROWS)))
    clean = draw(st.booleans())
    pool = CLEAN_ROWS if clean else VALID_ROWS
    if clean:
        pool = {**pool, "value": pool["value"] + [draw(st.sampled_from(["1.234", '"1,234"', "7"]))]}
    lines, keys = [",".join(columns)], set()
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 19))
        if kind == 0:
            lines.append("")  # a blank line
        elif kind == 1:
            lines.append(draw(st.sampled_from(FOOTERS)) + "," * (len(columns) - 1))  # footer-looking
        else:
            cells = {c: draw(st.sampled_from(pool[c])) for c in columns}
            key = (cells["indicator"], cells["reporter"], cells["period"], cells["country"])
            if clean and key in keys:
                continue
            keys.add(key)
            lines.append(",".join(cells[c] for c in columns))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@given(mostly_valid_csv(), st.integers(1, 300), st.integers(1, 3))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mostly_valid_files_validate_alike_in_chunks_and_whole(text: str, piece_bytes: int, chunk_pieces: int) -> None:
    compare_streamed(text, piece_bytes, chunk_pieces)


@given(csv_text(), st.integers(1, 300), st.integers(1, 3))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_file_validates_alike_in_chunks_and_whole(text: str, piece_bytes: int, chunk_pieces: int) -> None:
    compare_streamed(text, piece_bytes, chunk_pieces)


HEAD = "indicator,reporter,period,value,unit,note\n"


def test_rows_that_look_like_a_footer_are_data_when_a_later_chunk_holds_data() -> None:
    text = HEAD + "Ghi chú chung,,,,,\n\n" + "MISSIONS_ABROAD,MOFA,2023,94,,\n" + "Người lập biểu,,,,,\n"
    streamed = stream_lines(text.encode("utf-8"), piece_bytes=1, chunk_pieces=1)  # one line per chunk
    assert streamed is not None
    frames = list(streamed.chunks())
    assert [f["row_number"].to_list() for f in frames] == [[2, 4]]  # row 2 held back until row 4 came
    assert streamed.skipped_footer == [5]
    outcome = validate(stream_lines(text.encode("utf-8"), piece_bytes=1, chunk_pieces=1), CATALOG, TODAY)
    assert [(p.code, p.row) for p in outcome.problems] == [("unknown_indicator", 2), ("bad_period", 2),
                                                             ("unknown_reporter", 2), ("blank_value", 2)]


def test_a_duplicate_key_in_another_chunk_names_the_first_row() -> None:
    text = HEAD + "MISSIONS_ABROAD,MOFA,2023,94,,\n" + "MISSIONS_ABROAD,MOFA,2024,95,,\n" + "MISSIONS_ABROAD,MOFA,2023,96,,\n"
    outcome = validate(stream_lines(text.encode("utf-8"), piece_bytes=1, chunk_pieces=1), CATALOG, TODAY)
    assert [(p.code, p.row, p.params) for p in outcome.problems] == [("duplicate_key", 4, {"other_row": 2})]


def test_a_number_convention_contradicted_in_a_later_chunk_rejects_the_file() -> None:
    text = HEAD + "BUDGET_DISBURSED_PCT,MOFA,2023,12.5,,\n" + 'BUDGET_DISBURSED_PCT,MOFA,2024,"12,5",,\n'
    outcome = validate(stream_lines(text.encode("utf-8"), piece_bytes=1, chunk_pieces=1), CATALOG, TODAY)
    assert [(p.code, p.row, p.params) for p in outcome.problems] == [
        ("mixed_numbers", 3, {"dot_example": "12.5", "comma_example": "12,5", "dot_row": 2, "comma_row": 3})]


@pytest.mark.parametrize("cpus", [1, 2])
def test_an_irregular_row_in_a_later_chunk_sends_the_file_to_the_exact_reader(cpus: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many chunks in, a row has one cell too many: the rows validated so far are dropped and the
    exact reader's report names that row, as it would for a small file. With two CPUs the next
    chunk is being split when the irregular one is met: the reader still stops there."""
    monkeypatch.setattr(fast_reader, "usable_cpus", lambda: cpus)
    row = "MISSIONS_ABROAD,MOFA,2023,94,agencies,Ghi chú cho dòng này,{}\n"
    rows = 5_000
    body = "".join(row.format(i) for i in range(rows))  # a free breakdown column: every key unique
    data = (HEAD.replace("\n", ",batch\n") + body + "MISSIONS_ABROAD,MOFA,2023,94,agencies,note,x,extra\n").encode("utf-8")
    streamed = stream_lines(data, piece_bytes=4096)
    assert streamed is not None  # the fast reader takes the file on, from its header
    with pytest.raises(Irregular):
        for _ in streamed.chunks():  # about 80 chunks of one piece, the last one irregular
            pass
    assert streamed.height > rows * 9 // 10  # it got that far before it gave up
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY, piece_bytes=4096)
    assert checked is not None and read.encoding == "UTF-8"
    assert [(p.code, p.row, p.params) for p in checked.problems] == [("cell_count", rows + 2, {"found": 8, "expected": 7})]
    assert checked.rows_read == rows


def test_chunks_are_the_same_whether_the_next_is_split_ahead_or_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a CPU to spare the next chunk is split while this one is validated; on one CPU each
    is split when asked for. The frames, their order and the footer held back are the same."""
    rows = "".join(f"MISSIONS_ABROAD,MOFA,{2000 + i % 30},{i},agencies,Ghi chú {i}\n" for i in range(3_000))
    data = (HEAD + rows + "Người lập biểu,,,,,\n").encode("utf-8")
    seen = {}
    for cpus in (1, 2, 4):
        monkeypatch.setattr(fast_reader, "usable_cpus", lambda: cpus)
        streamed = stream_lines(data, piece_bytes=2048, chunk_pieces=1)
        assert streamed is not None
        seen[cpus] = ([frame.rows() for frame in streamed.chunks()], streamed.skipped_footer, streamed.height)
    assert len(seen[1][0]) > 20  # many chunks
    assert seen[1][1] == [3_002] and seen[1][2] == 3_000
    assert seen[2] == seen[1] and seen[4] == seen[1]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1258"])
def test_check_bytes_gives_the_whole_file_outcome_in_every_encoding(encoding: str) -> None:
    text = HEAD + "MISSIONS_ABROAD,MOFA,2023,94,cơ quan,Ghi chú\n" + "Người lập biểu,,,,,\n"
    data = encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY)
    assert checked is not None and checked.ok and read.table is None
    assert as_text(checked.observations).to_dicts() == [{
        "row_number": 2, "indicator": "MISSIONS_ABROAD", "reporter": "MOFA", "period": "2023", "breakdown": "{}",
        "value": 94.0, "unit": "agencies", "note": "Ghi chú"}]
    assert ("skipped_footer", {"count": 1, "rows": "3"}) in checked.info


@given(csv_text(), st.integers(1, 4))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_exact_reader_validates_alike_in_chunks_and_whole(text: str, chunk_rows: int) -> None:
    """Ragged rows, NULs, quoted line breaks, unclosed quotes, footers: in chunks of a few rows."""
    text = unicodedata.normalize("NFC", text)
    streamed = stream_text(text, chunk_rows=chunk_rows)
    try:
        chunked = validate(streamed, CATALOG, TODAY)
        event("rows" if chunked.rows_read else "no rows")
    except BrokenText as exc:
        event("broken quote in a chunk")
        chunked = validate(empty_table([exc.problem], streamed.delimiter), CATALOG, TODAY)
    assert_same_outcome(chunked, validate(exact_table(text), CATALOG, TODAY))


def test_check_bytes_streams_the_exact_reader_and_counts_problems_of_every_chunk() -> None:
    """A Windows-1258 file takes the exact reader: a NUL in one chunk, a ragged row in another."""
    rows = [f"MISSIONS_ABROAD,MOFA,{2000 + i},94,cơ quan,Ghi chú {i}\n" for i in range(20)]
    rows[3] = "MISSIONS_ABROAD,MOFA,2003,9\x004,cơ quan,\n"
    rows[15] = "MISSIONS_ABROAD,MOFA,2015,94,cơ quan,note,extra\n"
    data = encode_cp1258(HEAD + "".join(rows) + "Người lập biểu,,,,,\n")
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY, chunk_rows=4)
    assert read.encoding == "Windows-1258" and checked is not None
    assert [(p.code, p.row) for p in checked.problems] == [("nul_byte", 5), ("cell_count", 17)]
    assert checked.rows_read == 18 and ("skipped_footer", {"count": 1, "rows": "22"}) in checked.info


def test_a_quote_left_open_in_a_later_chunk_is_the_files_only_problem() -> None:
    rows = "".join(f"MISSIONS_ABROAD,MOFA,{2000 + i},94,,bad value here {i}\n" for i in range(12))
    text = HEAD + rows + 'MISSIONS_ABROAD,MOFA,2020,94,,"never closed\n' + "MISSIONS_ABROAD,MOFA,2021,94,,\n"
    data = text.encode("utf-16")  # not UTF-8: the exact reader from the start
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY, chunk_rows=2)
    assert checked is not None and read.delimiter == ","
    assert [(p.code, p.row) for p in checked.problems] == [("unterminated_quote", 14)]
    assert checked.problem_count == 1


def test_a_windows_1258_file_with_a_plain_header_is_split_by_the_fast_reader() -> None:
    """Its ASCII header reads as UTF-8; its first accented letter, chunks later, does not. The
    file is then decoded and the fast reader splits the text: the same outcome as the exact
    reader's, row numbers and problems included, without the exact reader's cost."""
    rows = [f"MISSIONS_ABROAD,MOFA,{1990 + i},{90 + i},agencies,\n" for i in range(30)]
    rows += [f"MISSIONS_ABROAD,MOF,{1990 + i},{i},cơ quan,Ghi chú số {i}\n" for i in range(30)]
    rows[40] = "MISSIONS_ABROAD,MOF,2000,abc,cơ quan,\n"
    data = encode_cp1258(HEAD + "".join(rows) + "Người lập biểu,,,,,\n")
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY, piece_bytes=64)
    assert (read.encoding, read.reader) == ("Windows-1258", "fast")
    text = data.decode("cp1258")
    assert_same_outcome(checked, validate(exact_table(unicodedata.normalize("NFC", text)), CATALOG, TODAY))
    assert [(p.code, p.row) for p in checked.problems] == [("not_a_number", 42)]
