"""A workbook's typed numbers as the reporter's Excel shows them.

The reader turns every cell into the text a CSV export would hold (`71.6`, never ambiguous), but a
message must quote a number as the reporter sees it: `71,6` in a Vietnamese Excel, `86%` for 0.86
under the format `0%`, `1.234,5` under `#,##0.0`. `NumberCells` remembers which cells held a
typed number and under which number format (compact arrays: a few bytes per cell), and
`excel_text` writes a number under a format with the reading language's decimal and thousands marks.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

MARKS = {"en": (".", ","), "vi": (",", ".")}  # (decimal, thousands) as each language's Excel shows them
GENERAL = "General"


@dataclass
class NumberCells:
    """(row, column index) → number format of each cell that held a typed number, in sheet order."""

    rows: array = field(default_factory=lambda: array("i"))
    columns: array = field(default_factory=lambda: array("i"))
    format_ids: array = field(default_factory=lambda: array("I"))
    formats: list[str] = field(default_factory=list)
    _ids: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, row: int, column: int, number_format: str | None) -> None:
        """Rows arrive in sheet order (the lookup bisects on them)."""
        name = number_format or GENERAL
        fid = self._ids.get(name)
        if fid is None:
            fid = self._ids[name] = len(self.formats)
            self.formats.append(name)
        self.rows.append(row)
        self.columns.append(column)
        self.format_ids.append(fid)

    def format_at(self, row: int, column: int) -> str | None:
        """The cell's number format, or None when the cell did not hold a typed number."""
        i = bisect_left(self.rows, row)
        while i < len(self.rows) and self.rows[i] == row:
            if self.columns[i] == column:
                return self.formats[self.format_ids[i]]
            i += 1
        return None


def excel_text(number: float, number_format: str | None, lang: str) -> str:
    """`number` as Excel displays it under `number_format`, with `lang`'s marks.

    Covers what reporters use (General, 0, 0.0, #,##0.00, 0%, literal text, a negative section,
    a trailing comma scaling by thousands); a date, time or fraction format falls back to General.
    """
    decimal_mark, thousands_mark = MARKS.get(lang, MARKS["en"])
    section, negative_done = _section(number, number_format or GENERAL)
    if section is None:
        return _general(number, decimal_mark)
    parts = _tokens(section)
    if parts is None:
        return _general(number, decimal_mark)
    prefix, pattern, suffix = parts
    value = abs(number) if negative_done else number
    value *= 100 ** (section.count("%") - _quoted_count(section, "%"))
    integer_part, _, fraction_part = pattern.partition(".")
    scale = len(integer_part) - len(integer_part.rstrip(","))
    integer_part = integer_part.rstrip(",")
    value /= 1000 ** scale
    grouped = "," in integer_part
    decimals = sum(fraction_part.count(c) for c in "0#?")
    min_decimals = len(fraction_part) - len(fraction_part.lstrip("0"))  # 0.0# shows one decimal at least, two at most
    min_integer = integer_part.count("0")
    rounded = Decimal(repr(abs(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{rounded:f}".partition(".")
    frac = frac.ljust(decimals, "0")
    if len(frac) > min_decimals:
        frac = frac[:min_decimals] + frac[min_decimals:].rstrip("0")
    whole = whole.lstrip("0").rjust(min_integer, "0")
    if grouped:
        whole = f"{int(whole or 0):,}".replace(",", thousands_mark) if whole else whole
    text = whole + (decimal_mark + frac if "." in pattern else "")
    sign = "-" if value < 0 and not negative_done and (frac.strip("0") or whole.strip("0")) else ""
    return f"{sign}{prefix}{text}{suffix}"


def _general(number: float, decimal_mark: str) -> str:
    """Excel's General: no grouping, up to 15 significant digits."""
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    return format(number, ".15g").replace(".", decimal_mark).replace("e", "E")


def _split_sections(number_format: str) -> list[str]:
    sections, current, quoted = [], "", False
    for ch in number_format:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += ch
    return sections + [current]


def _section(number: float, number_format: str) -> tuple[str | None, bool]:
    """(the section Excel uses for `number`, whether that section writes the sign itself)."""
    if number_format.strip() in (GENERAL, "@", ""):
        return None, False
    sections = _split_sections(number_format)
    if number < 0 and len(sections) > 1 and sections[1].strip():
        return sections[1], True
    if number == 0 and len(sections) > 2 and sections[2].strip():
        return sections[2], True
    return sections[0], False


_BRACKET = re.compile(r"\[(\$([^\]-]*)[^\]]*|[^\]]*)\]")


def _quoted_count(section: str, ch: str) -> int:
    return sum(part.count(ch) for part in re.findall(r'"([^"]*)"', section)) + section.count("\\" + ch)


def _tokens(section: str) -> tuple[str, str, str] | None:
    """(literal before the number, the number's pattern of 0 # ? , ., literal after); None for a
    format this module does not draw (dates, times, fractions, scientific notation)."""
    section = _BRACKET.sub(lambda m: m.group(2) or "", section)
    prefix, pattern, suffix = "", "", ""
    i, seen_number, after = 0, False, False
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            literal = section[i + 1:end]
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            literal = section[i + 1]
            i += 2
        elif ch in "_*" and i + 1 < len(section):
            literal = " " if ch == "_" else ""
            i += 2
        elif ch in "0#?" or (ch in ".," and seen_number and not after) or (ch == "." and not seen_number and
                                                                            i + 1 < len(section) and section[i + 1] in "0#?"):
            if after:
                return None  # a second number (a fraction such as # ?/?)
            pattern += ch
            seen_number = True
            i += 1
            continue
        elif ch.lower() in "ymdhse/" or ch == "@":
            return None
        else:
            literal = ch
            i += 1
        if seen_number:
            after = True
            suffix += literal
        else:
            prefix += literal
    if not seen_number:
        return None
    return prefix, pattern, suffix
