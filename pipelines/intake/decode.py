"""Bytes to NFC text: the first pipeline step, strict so that nothing is silently misread.

Order matters: sniff binary formats by content (never trust the extension), honour a BOM,
then strict UTF-8, then Windows-1258 only when the bytes hold no UTF-8 at all (a UTF-8 file
with one bad row is a broken UTF-8 file, not a Windows-1258 one).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipelines.intake.exact_reader import excel_rows
from pipelines.problems import Problem

_MAGIC = [
    (b"PK\x03\x04", "a zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Word file (.xls/.doc); save it as .xlsx"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]


# Non-ASCII characters other than the lone surrogates that stand for undecodable bytes. Kept as
# text: compiling it (its ranges span all of Unicode) took 4 ms of every command's start-up, for
# a search that runs only past the thousandth pair below; `re` compiles it then, once.
_VALID_NON_ASCII = "[\u0080-\udc7f\udd00-\U0010ffff]"
# Every multi-byte UTF-8 sequence starts with a lead byte followed by a continuation byte: bytes
# without such a pair hold none (a Windows-1258 file nearly never has one). The bytes translated
# to their classes (1 a lead byte, 2 a continuation byte, 0 any other) and the pair looked for
# with bytes.find: a tenth of the time of a regex search (0.05 s against 0.5 s for 93 MB).
_BYTE_CLASSES = bytes(1 if 0xC2 <= b <= 0xF4 else 2 if 0x80 <= b <= 0xBF else 0 for b in range(256))
# Everything but continuation bytes, deleted first: Vietnamese in Windows-1258 seldom has any (they
# are its punctuation and symbols, € … “ ” NBSP °), and without one there is no pair to look for.
_NOT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b <= 0xBF)
_LEAD_THEN_CONTINUATION = b"\x01\x02"
# Pairs looked at one by one before the whole text is decoded instead (a bound on Python's loop).
_PAIRS_LOOKED_AT = 1000


class DecodeError(Exception):
    """The file cannot become text; carries the problems to report."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems[0].code if problems else "decode")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    nfc: bool = True  # False: Windows-1258 text as decoded, its combining tone marks not composed


def is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def sniff_binary(data: bytes) -> str | None:
    """A human name for a binary format, or None if the bytes may be text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 with BOM: NUL bytes are expected
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if head and controls / len(head) > 0.10:
        return "binary data"
    return None


def _row_of_offset(text_before: str) -> int:
    """The Excel row of the character that follows `text_before` (quoted line breaks included)."""
    text_before = text_before.lstrip("\ufeff")
    return excel_rows(text_before, [text_before.count("\n") + 1])[0]


def _bad_utf8_rows(data: bytes) -> list[int]:
    """Rows (as Excel numbers them, header = 1) holding bytes that are not UTF-8."""
    lines = []
    for line_no, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            lines.append(line_no)
    return excel_rows(data.decode("utf-8", errors="surrogateescape"), lines)


def decode(data: bytes, nfc: bool = True) -> DecodedText:
    """Decode strictly; raise DecodeError with the rows at fault.

    `nfc=False` leaves a Windows-1258 text as decoded (`DecodedText.nfc` says so), for the fast
    reader, whose validator normalises the cells it keeps: NFC of the whole text costs 2.8 s for
    93 MB of Vietnamese written with combining tone marks. Other encodings are always NFC.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, body = "utf-16", data
    else:
        encoding, body = "utf-8", data
    if encoding == "utf-16":
        try:
            text = body.decode("utf-16")
        except UnicodeDecodeError as exc:
            before = body[: exc.start - exc.start % 2].decode("utf-16", errors="replace")
            raise DecodeError([Problem("bad_encoding", row=_row_of_offset(before), params={"encoding": "UTF-16"})])
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            has_utf8 = _has_multibyte_utf8(body)
            if has_utf8 or encoding == "utf-8-sig":
                rows = _bad_utf8_rows(body)
                raise DecodeError(
                    [Problem("bad_encoding", row=r, params={"encoding": "UTF-8"}) for r in rows]
                ) from None
            try:
                text, encoding = body.decode("cp1258"), "windows-1258"
            except UnicodeDecodeError as exc:
                before = body[: exc.start].decode("cp1258", errors="replace")
                raise DecodeError(
                    [Problem("bad_encoding", row=_row_of_offset(before), params={"encoding": "Windows-1258"})]
                ) from None
    name = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "utf-16": "UTF-16"}.get(encoding, "Windows-1258")
    if not nfc and encoding == "windows-1258":  # no U+FEFF in Windows-1258: nothing to strip
        return DecodedText(text=text, encoding=name, nfc=False)
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    return DecodedText(text=text, encoding=name)


def _has_multibyte_utf8(body: bytes) -> bool:
    """True if some non-ASCII byte run decodes as UTF-8: the file was meant to be UTF-8.

    A valid sequence starts where a lead byte is followed by a continuation byte, and the
    decoder (which never swallows a lead byte into an invalid run) starts a character at every
    lead byte: so the question is whether one of those pairs starts a valid sequence.
    """
    if not body.translate(None, _NOT_CONTINUATION):
        return False
    classes = body.translate(_BYTE_CLASSES)
    at = classes.find(_LEAD_THEN_CONTINUATION)
    for _ in range(_PAIRS_LOOKED_AT):
        if at < 0:
            return False
        if not "\udc80" <= body[at: at + 4].decode("utf-8", errors="surrogateescape")[0] <= "\udcff":
            return True  # a valid sequence: its first character is not an escaped byte
        at = classes.find(_LEAD_THEN_CONTINUATION, at + 1)
    del classes
    decoded = body.decode("utf-8", errors="surrogateescape")
    return re.search(_VALID_NON_ASCII, decoded) is not None
