"""The commentary template: a CSV file `kpi ingest` recognises by its header and validates like
any other file (every problem with its row and column; one bad row rejects the whole file).

    indicator,quarter,owner,lang,happened,challenges,next_steps
    MISSIONS_ABROAD,2026-Q4,MOFA,vi,"…","…","…"

Vietnamese headers are accepted too (mã chỉ tiêu, quý, đơn vị chủ trì, ngôn ngữ, diễn biến,
khó khăn, bước tiếp theo). UTF-8 only: a paragraph of Vietnamese must not be guessed at.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from pipelines.catalog import Catalog
from pipelines.commentary import FIELDS, MAX_TEXT, Commentary, Issue, validate
from pipelines.problems import Problem

COLUMNS = ("indicator", "quarter", "owner", "lang", "happened", "challenges", "next_steps")
REQUIRED = ("indicator", "quarter", "owner", "happened")
ALIASES = {
    "mã chỉ tiêu": "indicator", "chỉ tiêu": "indicator", "quý": "quarter", "đơn vị chủ trì": "owner",
    "ngôn ngữ": "lang", "diễn biến": "happened", "khó khăn": "challenges", "bước tiếp theo": "next_steps",
    "next steps": "next_steps",
}
MAX_ROWS = 500  # indicators × languages of one quarter, with room to spare


def _key(cell: str) -> str:
    name = " ".join(cell.replace("\ufeff", "").split()).casefold()
    return ALIASES.get(name, name)


def looks_like_commentary(data: bytes) -> bool:
    """The first line names the template's text columns: this is commentary, not figures."""
    first = data[:4096].split(b"\n", 1)[0].decode("utf-8", errors="replace").replace("\r", "").replace("\x00", "")
    try:
        keys = {_key(c) for c in next(csv.reader([first]), [])}
    except csv.Error:  # not a CSV line at all (UTF-16, binary): a figures file, judged by the reader
        return False
    return {"happened", "next_steps"} <= keys or {"happened", "owner", "quarter"} <= keys


def parse_commentary(data: bytes, catalog: Catalog, author: str,
                     closed: Callable[[str], Issue | None] | None = None) -> tuple[list[Commentary], list[Problem], int]:
    """The file's entries, or the problems that reject it; and the data rows read.

    `closed(quarter)`: the refusal when a close covers the quarter (commentary_closed, on the row)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Problem("bad_encoding", params={"encoding": "UTF-8"})], 0
    rows = list(csv.reader(io.StringIO(text)))
    header = [_key(c) for c in rows[0]] if rows else []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [Problem("commentary_columns", params={"columns": ", ".join(missing)})], 0
    problems: list[Problem] = []
    entries: list[Commentary] = []
    seen: dict[tuple[str, str, str], int] = {}
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if len(body) > MAX_ROWS:
        return [], [Problem("too_many_rows", row=body[MAX_ROWS][0], params={"limit": MAX_ROWS})], len(body)
    for number, row in body:
        cells = {name: (row[i] if i < len(row) else "") for i, name in enumerate(header) if name in COLUMNS}
        for f in FIELDS:
            if len(cells.get(f, "")) > MAX_TEXT:
                problems.append(Problem("commentary_too_long", row=number, column=f, params={"found": len(cells[f]), "limit": MAX_TEXT}))
        entry, found = validate(Commentary(
            indicator=cells.get("indicator", ""), quarter=cells.get("quarter", ""), owner=cells.get("owner", ""),
            happened=cells.get("happened", ""), challenges=cells.get("challenges", ""),
            next_steps=cells.get("next_steps", ""), lang=cells.get("lang", "") or "vi", author=author,
        ), catalog)
        for issue in found:
            column = issue.field
            if column == "indicator":
                problems.append(Problem("unknown_indicator", row=number, column=column, value=cells.get(column, "")))
            elif column == "owner":
                problems.append(Problem("unknown_owner", row=number, column=column, value=cells.get(column, "")))
            elif column == "quarter":
                problems.append(Problem("bad_quarter", row=number, column=column, value=cells.get(column, "")))
            elif column == "lang":
                problems.append(Problem("bad_lang", row=number, column=column, value=cells.get(column, "")))
            elif column == "happened":
                problems.append(Problem("blank_happened", row=number, column=column))
        if not found and closed is not None:
            refusal = closed(entry.quarter)
            if refusal is not None:
                problems.append(Problem("commentary_closed", row=number, column="quarter", value=entry.quarter,
                                        params=refusal.params))
        key = (entry.indicator, entry.quarter, entry.lang)
        if not found and key in seen:
            problems.append(Problem("duplicate_commentary", row=number, column="indicator", params={"other_row": seen[key]}))
        seen.setdefault(key, number)
        entries.append(entry)
    return ([] if problems else entries), problems, len(body)
