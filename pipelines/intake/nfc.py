"""Which text may change under NFC, found by a character class instead of normalising every cell.

A string is already NFC when every character in it is NFC-stable: unchanged by NFC, of
combining class 0, and never the second character of a canonical composition (which NFC would
fuse with the character before it). The ranges below hold only such characters (checked against
Python's Unicode database by tests/intake/test_nfc.py): ASCII, the Latin letters of Vietnamese
(Latin-1, Latin Extended-A and B, IPA, spacing modifiers, Latin Extended Additional), the usual
punctuation, spaces and currency signs. Text of those alone, which is nearly every reporter's
file, skips NFC (1 to 2 s per million notes); any other character (a combining tone mark, a
Greek, CJK or Hangul letter) sends its column through NFC as before.
"""

from __future__ import annotations

NFC_STABLE_RANGES = [(0x0000, 0x02FF), (0x1E00, 0x1EFF), (0x2002, 0x2027), (0x202F, 0x205E), (0x20A0, 0x20C0)]

# Rust regex: a character outside every NFC-stable range.
MAY_CHANGE_UNDER_NFC = "[^" + "".join(f"\\x{{{a:04X}}}-\\x{{{b:04X}}}" for a, b in NFC_STABLE_RANGES) + "]"
