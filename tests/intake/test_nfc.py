"""The NFC shortcut (pipelines/intake/nfc.py): a column of NFC-stable characters only is left as
it is, so every character the ranges admit must really be NFC-stable."""

from __future__ import annotations

import unicodedata

import polars as pl
from hypothesis import given, strategies as st

from pipelines.intake.nfc import MAY_CHANGE_UNDER_NFC, NFC_STABLE_RANGES


def composition_seconds() -> set[str]:
    """Characters that NFC may fuse with the character before them (second of a canonical pair)."""
    seconds = set()
    for cp in range(0x110000):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<") and len(d.split()) == 2:
            seconds.add(chr(int(d.split()[1], 16)))
    return seconds


def test_every_character_the_ranges_admit_is_nfc_stable() -> None:
    seconds = composition_seconds()
    for first, last in NFC_STABLE_RANGES:
        for cp in range(first, last + 1):
            ch = chr(cp)
            assert unicodedata.normalize("NFC", ch) == ch, hex(cp)
            assert unicodedata.combining(ch) == 0, hex(cp)
            assert ch not in seconds, hex(cp)


def test_vietnamese_in_nfc_needs_nothing_and_decomposed_tone_marks_are_found() -> None:
    cells = pl.Series(["Nguyễn Thị Hương, Đà Nẵng", "Quý 3/2025", "Nguye\u0302\u0303n", "\u2126", "가"])
    assert cells.str.contains(MAY_CHANGE_UNDER_NFC).to_list() == [False, False, True, True, True]


@given(st.text(max_size=30))
def test_a_string_the_pattern_passes_is_already_nfc(text: str) -> None:
    if "\n" in text or "\r" in text:
        text = text.replace("\n", " ").replace("\r", " ")
    if not pl.Series([text]).str.contains(MAY_CHANGE_UNDER_NFC).item():
        assert unicodedata.normalize("NFC", text) == text
