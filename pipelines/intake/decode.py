"""Bytes to NFC text: the first pipeline step, strict so that nothing is silently misread.

Order matters: sniff binary formats by content (never trust the extension), honour a BOM,
then strict UTF-8, then Windows-1258 only when the bytes hold no UTF-8 at all (a UTF-8 file
with one bad row is a broken UTF-8 file, not a Windows-1258 one).
"""

from __future__ import annotations

import codecs
import io
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
# The control characters the fast reader declines (fast_reader.is_regular_text); kept with the
# continuation bytes by one translate of a file that is not UTF-8, which so answers both questions
# in one pass over its bytes (they are ASCII, the same bytes in Windows-1258 and in its UTF-8).
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\r")
_NOT_CONTROLS = bytes(b for b in range(256) if b not in _CONTROLS)
_NEITHER_CONTINUATION_NOR_CONTROL = bytes(b for b in _NOT_CONTINUATION if b not in _CONTROLS)
_LEAD_THEN_CONTINUATION = b"\x01\x02"
# Pairs looked at one by one before the whole text is decoded instead (a bound on Python's loop).
_PAIRS_LOOKED_AT = 1000
# The first bytes tried as UTF-8 before the whole: a failed decode copies all the bytes it was given
# into its UnicodeDecodeError (0.07 s for 93 MB), and a Windows-1258 file nearly always fails there.
UTF8_HEAD_BYTES = 1 << 20
# Windows-1258 becomes UTF-8 for the fast reader this many bytes at a time (`_cp1258_to_utf8`).
CP1258_BLOCK_BYTES = 16 << 10
_CP1258 = codecs.lookup("cp1258")


class DecodeError(Exception):
    """The file cannot become text; carries the problems to report."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems[0].code if problems else "decode")


@dataclass(frozen=True)
class DecodedText:
    text: str  # NFC; empty when the text is given as `utf8` instead
    encoding: str
    # decode(nfc=False) of Windows-1258: the text as UTF-8 bytes, its combining tone marks not
    # composed, for the fast reader (whose validator normalises the cells it keeps).
    utf8: bytes | None = None
    # Whether the text holds no control character but tab and line ends, when decoding found out
    # (fast_reader.is_regular_text, a pass the fast reader then saves); None: not known.
    regular: bool | None = None

    @property
    def nfc(self) -> bool:
        """Whether the text is NFC (False for the `utf8` of a Windows-1258 file)."""
        return self.utf8 is None

    def nfc_text(self) -> str:
        """The text in NFC (a Windows-1258 file's UTF-8 decoded and normalised: for the exact reader)."""
        return self.text if self.utf8 is None else unicodedata.normalize("NFC", self.utf8.decode("utf-8"))

    def is_blank(self) -> bool:
        """Empty or only whitespace (as str.isspace says: a no-break space counts)."""
        if self.utf8 is None:
            return not self.text or self.text.isspace()  # not strip(): a copy of the whole text
        # A character other than a space in the first bytes answers at once (`ignore`: a
        # character cut at the end of the head is dropped, which cannot make the head blank).
        head = self.utf8[:4096].decode("utf-8", errors="ignore")
        if head and not head.isspace():
            return False
        return not self.utf8 or self.utf8.decode("utf-8").isspace()


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

    `nfc=False` gives a Windows-1258 text as UTF-8 bytes, not normalised (`DecodedText.utf8`),
    for the fast reader, whose validator normalises the cells it keeps: NFC of the whole text
    costs 2.8 s for 93 MB of Vietnamese written with combining tone marks, and converting it a
    block at a time never holds the decoded str (`_cp1258_to_utf8`). Other encodings are always NFC.
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
            # An incomplete character at the end of the head is no error (final=False).
            codecs.utf_8_decode(memoryview(body)[:UTF8_HEAD_BYTES], "strict", False)
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            rare = body.translate(None, _NEITHER_CONTINUATION_NOR_CONTROL)  # nearly always short
            has_utf8 = _has_multibyte_utf8(body, continuation=not rare.isascii())
            if has_utf8 or encoding == "utf-8-sig":
                rows = _bad_utf8_rows(body)
                raise DecodeError(
                    [Problem("bad_encoding", row=r, params={"encoding": "UTF-8"}) for r in rows]
                ) from None
            try:
                if not nfc:  # no U+FEFF in Windows-1258: nothing to strip
                    return DecodedText(text="", encoding="Windows-1258", utf8=_cp1258_to_utf8(body),
                                       regular=not rare.translate(None, _NOT_CONTROLS))
                text, encoding = body.decode("cp1258"), "windows-1258"
            except UnicodeDecodeError as exc:
                before = body[: exc.start].decode("cp1258", errors="replace")
                raise DecodeError(
                    [Problem("bad_encoding", row=_row_of_offset(before), params={"encoding": "Windows-1258"})]
                ) from None
    name = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "utf-16": "UTF-16"}.get(encoding, "Windows-1258")
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    return DecodedText(text=text, encoding=name)


def _cp1258_to_utf8(body: bytes, block_bytes: int = CP1258_BLOCK_BYTES) -> bytes:
    """`body.decode("cp1258").encode("utf-8")` without the decoded str (two bytes a character:
    190 MB for a 93 MB file): a block at a time, each small enough for the allocator to reuse its
    memory, written to a buffer that grows in place. 0.19 s of CPU for 93 MB instead of 0.27 s,
    most of the difference the page faults of the big str. Raises UnicodeDecodeError, its
    `start` the offset in `body`, at a byte the code page leaves undefined. (A single-byte code
    page: a block may end anywhere.)
    """
    out = io.BytesIO()
    with memoryview(body) as view:
        for at in range(0, len(body), block_bytes):
            try:
                text, _ = _CP1258.decode(view[at: at + block_bytes])
            except UnicodeDecodeError as exc:
                raise UnicodeDecodeError("cp1258", body, at + exc.start, at + exc.end, exc.reason) from None
            out.write(text.encode("utf-8"))
    return out.getvalue()


def _has_multibyte_utf8(body: bytes, continuation: bool | None = None) -> bool:
    """True if some non-ASCII byte run decodes as UTF-8: the file was meant to be UTF-8.

    A valid sequence starts where a lead byte is followed by a continuation byte, and the
    decoder (which never swallows a lead byte into an invalid run) starts a character at every
    lead byte: so the question is whether one of those pairs starts a valid sequence.
    `continuation`: whether the bytes hold a continuation byte, when the caller knows already.
    """
    if continuation is None:
        continuation = bool(body.translate(None, _NOT_CONTINUATION))
    if not continuation:
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
