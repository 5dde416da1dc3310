"""A Windows-1258 file made UTF-8 for the fast reader a block at a time, never decoded whole.

`decode(nfc=False)` gives the fast reader the file's UTF-8 bytes (`DecodedText.utf8`) converted in
small blocks (`_cp1258_to_utf8`) instead of the whole decoded str encoded again; and a file is
tried as UTF-8 on its first megabyte before the whole. The references are what the code did
before: `bytes.decode("cp1258").encode("utf-8")`, and the exact reader on the NFC text.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings, strategies as st

from pipelines.intake.check import check_bytes
from pipelines.intake.decode import UTF8_HEAD_BYTES, DecodeError, _cp1258_to_utf8, _has_multibyte_utf8, decode
from pipelines.intake.fast_reader import is_regular_text
from pipelines.intake.read import read_bytes
from pipelines.intake.table import whole
from pipelines.problems import Problem
from tests.intake.conftest import TODAY, assert_same_outcome
from tests.intake.test_fast_reader import CATALOG, assert_same_table, exact_table
from tests.intake.test_windows_1258_fast import HEAD, reference, rows_of
from tests.support.cp1258 import encode_cp1258

MB = 1 << 20
UNDEFINED = [b for b in range(256) if bytes([b]).decode("cp1258", errors="replace") == "\ufffd"]


def _by_decoding(data: bytes) -> bytes | int:
    """The UTF-8 of the decoded text, or the offset of the first undefined byte."""
    try:
        return data.decode("cp1258").encode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start


def _by_blocks(data: bytes, block_bytes: int) -> bytes | int:
    try:
        return _cp1258_to_utf8(data, block_bytes)
    except UnicodeDecodeError as exc:
        return exc.start


# Every byte, the undefined ones rarer so that most examples convert.
_BYTE = st.one_of(st.integers(0x00, 0xFF), st.integers(0x00, 0xFF), st.integers(0x00, 0xFF), st.sampled_from(UNDEFINED))


@settings(max_examples=500)
@given(st.lists(_BYTE, max_size=40).map(bytes), st.sampled_from([1, 2, 3, 7, 16, 1 << 14]))
def test_any_bytes_convert_in_blocks_as_the_whole_decoded_text_encodes(data: bytes, block_bytes: int) -> None:
    """The same UTF-8 bytes, or the same offset of the first undefined byte, whatever the blocks."""
    assert _by_blocks(data, block_bytes) == _by_decoding(data)


def test_every_character_of_the_code_page_converts_across_block_boundaries() -> None:
    defined = bytes(b for b in range(256) if b not in UNDEFINED)
    data = defined * 300  # 70 KB: several blocks of the default size, cut at every offset of the code page
    assert _cp1258_to_utf8(data) == data.decode("cp1258").encode("utf-8")
    assert _cp1258_to_utf8(b"") == b""


# The Vietnamese alphabet with every tone, upper and lower case (encode_cp1258 writes the letters
# the code page lacks as a base letter and a combining tone mark), and what a CSV row holds besides.
_VIETNAMESE = [unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
               for tone in ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]] + list("bcdđghklmnpqrstvxBCDĐGHKLMNPQRSTVX")
_TEXT = st.text(st.sampled_from(_VIETNAMESE + [" ", ",", "0", "9", "%", "\u20ab", "\u00a0"]), max_size=12)


@st.composite
def vietnamese_file(draw) -> str:
    """A title row or none, the header, and rows of Vietnamese words, some quoted with `;` inside."""
    lines = [draw(st.sampled_from(["", "Báo cáo số liệu quý;;;;;;", "Bộ Ngoại giao"]))] if draw(st.booleans()) else []
    lines.append(HEAD.rstrip("\n"))
    for _ in range(draw(st.integers(1, 30))):
        cells = draw(st.lists(_TEXT, min_size=7, max_size=7))
        if draw(st.booleans()):
            cells[5] = '"' + cells[5] + ';' + draw(_TEXT) + '"'
        lines.append(";".join(cells))
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None)
@given(vietnamese_file(), st.sampled_from([64, 1024, MB]))
def test_vietnamese_text_in_windows_1258_gives_the_exact_readers_cells(text: str, piece_bytes: int) -> None:
    """Through the fast reader (cells NFC as the validator makes them) the very table the exact
    reader reads from the NFC of the whole decoded text."""
    data = encode_cp1258(text)
    # Not this path: plain ASCII, or bytes holding some UTF-8 by chance (Ừ + NBSP: DD CC A0, and
    # CC A0 is UTF-8), which are a broken UTF-8 file (test_windows_1258_fast.py).
    assume(not data.isascii() and not _has_multibyte_utf8(data))
    # Decoded first, as check_bytes does once a piece proves the bytes not UTF-8 (a file whose
    # first piece is plain ASCII is tried as UTF-8 before that).
    read = read_bytes(data, 100 * MB, stream=True, piece_bytes=piece_bytes, decode_first=True)
    assert read.encoding == "Windows-1258" and read.reader == "fast", read.problems
    assert read.table.nfc_pending
    exact = exact_table(data.decode("cp1258"))
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == unicodedata.normalize("NFC", text)
    assert_same_table(whole(read.table), exact)


def test_an_undefined_byte_past_the_first_blocks_is_reported_on_its_row() -> None:
    """0x81 is not a character of the code page: the row named is the one the whole decode names."""
    rows = rows_of(800)  # about 40 KB: the undefined byte lands in the third block
    lines = [encode_cp1258(line) for line in (HEAD + rows).split("\n")]
    lines[600] = lines[600].replace(b"MOFA", b"MO\x81FA")  # Excel's row 601
    data = b"\n".join(lines)
    assert data.index(b"\x81") > 2 * (16 << 10)
    expected = [Problem("bad_encoding", row=601, params={"encoding": "Windows-1258"})]
    assert read_bytes(data, 100 * MB, stream=True).problems == expected
    assert read_bytes(data, 100 * MB).problems == expected  # the whole decode, as before
    with pytest.raises(DecodeError) as raised:
        decode(data, nfc=False)
    assert raised.value.problems == expected


def test_a_windows_1258_file_whose_first_megabyte_is_ascii_is_still_read_as_windows_1258() -> None:
    """The UTF-8 head passes; the whole decode then fails and the file is Windows-1258."""
    ascii_rows = "MISSIONS_ABROAD;MOFA;2024;94;agencies;;VN\n" * (UTF8_HEAD_BYTES // 40)
    data = encode_cp1258(HEAD + ascii_rows + rows_of(100))
    assert data[:UTF8_HEAD_BYTES].isascii()
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY)
    assert (read.encoding, read.reader) == ("Windows-1258", "fast") and checked is not None
    assert_same_outcome(checked, reference(data))


def test_a_utf8_file_broken_past_its_first_megabyte_names_the_broken_row() -> None:
    text = HEAD + "MISSIONS_ABROAD;MOFA;2024;94;cơ quan;;VN\n" * (UTF8_HEAD_BYTES // 40) + rows_of(10)
    data = text.encode("utf-8") + b"MISSIONS_ABROAD;MOFA;2025;94;c\xa1 quan;;VN\n"
    row = text.count("\n") + 1
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY)
    assert checked is None and read.problems == [Problem("bad_encoding", row=row, params={"encoding": "UTF-8"})]


@pytest.mark.parametrize("data", [b" \xa0 \n\xa0\t\n", b"\xa0" * 5000])
def test_a_windows_1258_file_of_spaces_and_no_break_spaces_is_empty(data: bytes) -> None:
    """A no-break space (0xA0) is whitespace, as it was in the decoded text."""
    for stream in (True, False):
        assert [p.code for p in read_bytes(data, MB, stream=stream).problems] == ["empty_file"]


def test_a_windows_1258_file_with_text_after_many_no_break_spaces_is_not_empty() -> None:
    data = b"\xa0" * 5000 + encode_cp1258("\n" + HEAD + rows_of(3))
    read = read_bytes(data, MB, stream=True)
    assert read.encoding == "Windows-1258" and "empty_file" not in [p.code for p in read.problems]


# Bytes of a file that is not UTF-8: mostly Vietnamese letters, some control characters and CRs.
_FILE_BYTE = st.one_of(st.sampled_from(list(encode_cp1258("aăâđêôơưáàảãạ;\n"))), st.integers(0x00, 0x1F),
                       st.sampled_from([0x80, 0x93, 0x94, 0xA0, 0xBF]), st.integers(0x00, 0xFF))


@settings(max_examples=500)
@given(st.lists(_FILE_BYTE, min_size=1, max_size=40).map(bytes))
def test_what_decoding_says_of_control_characters_is_what_the_fast_reader_finds(data: bytes) -> None:
    """The one translate that looks for continuation bytes and control characters at once gives
    the fast reader's own answer (is_regular_text on the UTF-8), and the same encoding decision."""
    try:
        data.decode("utf-8")
        return  # UTF-8: not this path
    except UnicodeDecodeError:
        pass
    try:
        decoded = decode(data, nfc=False)
    except DecodeError:
        assert _has_multibyte_utf8(data) or data.translate(None, bytes(UNDEFINED)) != data
        return
    assert not _has_multibyte_utf8(data)
    assert decoded.utf8 == data.decode("cp1258").encode("utf-8")
    assert decoded.regular == is_regular_text(decoded.utf8)


def test_a_windows_1258_file_with_a_control_character_is_read_by_the_exact_reader() -> None:
    """A vertical tab (Word's line break pasted into Excel) in a note: the fast reader declines
    the decoded text, as it did when it looked for control characters itself."""
    text = HEAD + rows_of(40).replace("Số liệu ước tính", "Số liệu\x0bước tính", 1)
    data = encode_cp1258(text)
    read, checked = check_bytes(lambda: data, 100 * MB, CATALOG, TODAY)
    assert (read.encoding, read.reader) == ("Windows-1258", "exact") and checked is not None
    assert_same_outcome(checked, reference(data))
