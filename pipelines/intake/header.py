"""A file's header: the required and optional columns, their aliases, how a cell is compared,
and the checks made on the header row before any data row is read (shared by every reader)."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from pipelines.intake.limits import Budget
from pipelines.problems import Problem

REQUIRED = ("indicator", "reporter", "period", "value")

OPTIONAL = ("unit", "note")

ALIASES: dict[str, str] = {
    "indicator": "indicator", "ma_chi_tieu": "indicator", "chỉ tiêu": "indicator", "mã chỉ tiêu": "indicator",
    "reporter": "reporter", "don_vi_bao_cao": "reporter", "đơn vị báo cáo": "reporter",
    "period": "period", "ky": "period", "kỳ": "period", "kỳ báo cáo": "period",
    "value": "value", "gia_tri": "value", "giá trị": "value",
    "unit": "unit", "don_vi_tinh": "unit", "đơn vị tính": "unit",
    "note": "note", "ghi_chu": "note", "ghi chú": "note",
}

DELIMITERS = (",", ";", "\t")

HEADER_SEARCH_ROWS = 30

HEADER_TEXT_CHARS = 256_000  # where the header is looked for

CODE_LIKE = re.compile(r"^[A-Z0-9_]+$")

# What Python's str.strip() removes: Polars' strip_chars() without an argument keeps \x1c..\x1f.
PY_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def clean_cell(text: str) -> str:
    """NFC, non-breaking and stray spaces folded, ends trimmed: how every cell is compared."""
    text = unicodedata.normalize("NFC", text)
    if "\u00a0" in text or "\u202f" in text or "\u2007" in text:
        text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")
    return text.strip()


def header_key(raw: str) -> str:
    """Canonical column name: an alias resolved, otherwise a lower-case breakdown dimension name."""
    name = " ".join(clean_cell(raw).split()).casefold()
    if name in ALIASES:
        return ALIASES[name]
    spaced = name.replace("_", " ")
    for alias, canonical in ALIASES.items():
        if alias.replace("_", " ") == spaced:
            return canonical
    return name.replace(" ", "_")


def header_columns(header_cells: list[str], header_row: int) -> tuple[list[str], list[Problem]]:
    """Canonical column names of a header row, and a problem per repeated name."""
    problems: list[Problem] = []
    columns = [header_key(c) if clean_cell(c) else "" for c in header_cells]
    seen: set[str] = set()
    for pos, name in enumerate(columns):
        if name and name in seen:
            problems.append(Problem("duplicate_column", row=header_row, column=clean_cell(header_cells[pos])))
        seen.add(name)
    return columns, problems


def last_named(columns: list[str]) -> int:
    """Index of the last named column: a row may stop after it (Excel drops empty trailing cells)."""
    named = [i for i, c in enumerate(columns) if c]
    return named[-1] if named else -1


def header_limit_problems(header_cells: list[str], columns: list[str], header_row: int, budget: Budget) -> list[Problem]:
    """The header's cells and columns against the limits, before any data row is read."""
    limits = budget.limits
    width = last_named(columns) + 1
    if width > limits.max_columns:
        return [Problem("too_many_columns", row=header_row, params={"found": width, "limit": limits.max_columns})]
    if len(header_cells) > limits.max_row_cells:
        return [Problem("too_many_cells", row=header_row, params={"found": len(header_cells), "limit": limits.max_row_cells})]
    return []


def unnamed_problems(columns: list[str], frame: pl.DataFrame, header_row: int) -> list[Problem]:
    """A column without a name that holds something: its data would be silently dropped."""
    return [
        Problem("unnamed_column", row=header_row, params={"position": pos + 1})
        for pos, name in enumerate(columns)
        if not name and frame.height and frame.select((pl.col(f"c{pos}").str.strip_chars(PY_WHITESPACE) != "").any()).item()
    ]


def header_score(cells: list[str]) -> set[str]:
    return {header_key(c) for c in cells} & set(REQUIRED)


def find_header(records: list[tuple[int, list[str]]]) -> tuple[int, set[str]] | None:
    """Index of the first record holding every required column name."""
    for idx, (_, cells) in enumerate(records):
        if header_score(cells) == set(REQUIRED):
            return idx, set(REQUIRED)
    return None
