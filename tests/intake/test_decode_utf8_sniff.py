"""Whether bytes that are not UTF-8 still hold some UTF-8 (then the file was meant to be UTF-8 and
is reported as broken UTF-8, not read as Windows-1258): the quick byte check must agree with
decoding the bytes and looking for a decoded character."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.intake.decode import _PAIRS_LOOKED_AT, _has_multibyte_utf8
from tests.support.cp1258 import encode_cp1258

_DECODED_NON_ASCII = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")

# Bytes drawn mostly from the ranges that matter: ASCII, continuation bytes and lead bytes
# (invalid ones included: C0, C1, F5 and above).
_BYTE = st.one_of(st.integers(0x00, 0x7F), st.integers(0x80, 0xBF), st.integers(0xC0, 0xFF))


def _by_decoding(data: bytes) -> bool:
    return _DECODED_NON_ASCII.search(data.decode("utf-8", errors="surrogateescape")) is not None


@settings(max_examples=1000)
@given(st.lists(_BYTE, max_size=12).map(bytes))
def test_the_byte_check_agrees_with_decoding(data: bytes) -> None:
    assert _has_multibyte_utf8(data) == _by_decoding(data)


def test_windows_1258_vietnamese_holds_no_utf8_and_one_utf8_letter_is_found() -> None:
    cp1258 = encode_cp1258("Đào tạo cán bộ; Bộ Ngoại giao")
    assert not _has_multibyte_utf8(cp1258)
    assert _has_multibyte_utf8(cp1258 + "ạ".encode("utf-8"))


def test_utf8_after_more_invalid_pairs_than_are_looked_at_one_by_one_is_still_found() -> None:
    """Past _PAIRS_LOOKED_AT lead-then-continuation pairs that are not UTF-8 (\xe0\x80 is not), the
    check decodes the whole text instead: the answer stays the decoder's."""
    invalid = b"a\xe0\x80 " * (_PAIRS_LOOKED_AT + 5)
    assert not _has_multibyte_utf8(invalid)
    assert _has_multibyte_utf8(invalid + "ạ".encode("utf-8"))
    assert _has_multibyte_utf8(b"a\xe0\x80 " * 3 + "ạ".encode("utf-8"))
