"""Commentary per indicator and quarter: what happened, challenges, next steps and the owning unit.

Written through the warehouse's single-writer publish path like any figure, append-only: a new
version is a new row and the latest one per (indicator, quarter, language) is current, so
nothing said is ever overwritten. Sign-off (approval and closed quarters) applies here too
once it exists: see `check_writable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pipelines.catalog import Catalog
from pipelines.periods import is_quarter, parse_period
from pipelines.warehouse.store import open_writer

MAX_TEXT = 2000  # characters per field: a paragraph, not a report
LANGS = ("vi", "en")
FIELDS = ("happened", "challenges", "next_steps")


@dataclass(frozen=True)
class Commentary:
    """One version of an indicator's commentary for a quarter, in one language."""

    indicator: str
    quarter: str
    owner: str
    happened: str
    challenges: str = ""
    next_steps: str = ""
    lang: str = "vi"
    author: str = ""
    written_at: datetime | None = None
    load_id: int | None = None


class CommentaryError(ValueError):
    """The commentary cannot be stored; the message says which field and what to write."""


def validate(entry: Commentary, catalog: Catalog) -> tuple[Commentary, list[tuple[str, str]]]:
    """The entry in canonical form, and (field, problem) for everything wrong with it."""
    problems: list[tuple[str, str]] = []
    code = entry.indicator.strip().upper()
    if code not in catalog.indicators:
        problems.append(("indicator", f"unknown indicator {entry.indicator!r}; use a code from the catalog, e.g. MISSIONS_ABROAD"))
    quarter = parse_period(entry.quarter.strip()) or ""
    if not is_quarter(quarter):
        problems.append(("quarter", f"not a quarter: {entry.quarter!r}; write YYYY-Qn, e.g. 2026-Q4"))
    owner = entry.owner.strip().upper()
    if owner not in catalog.reporters:
        known = ", ".join(sorted(catalog.reporters))
        problems.append(("owner", f"unknown unit {entry.owner!r}; the owner is a unit of the catalog: {known}"))
    lang = entry.lang.strip().lower()
    if lang not in LANGS:
        problems.append(("lang", f"language {entry.lang!r}: write vi or en"))
    texts = {f: " ".join(getattr(entry, f).split()) for f in FIELDS}  # one paragraph: no stray line breaks
    if not texts["happened"]:
        problems.append(("happened", "say what happened in the quarter (it cannot be empty)"))
    for f, value in texts.items():
        if len(value) > MAX_TEXT:
            problems.append((f, f"{len(value)} characters; at most {MAX_TEXT}"))
    clean = Commentary(code, quarter, owner, texts["happened"], texts["challenges"], texts["next_steps"], lang,
                       entry.author, entry.written_at, entry.load_id)
    return clean, problems


def check_writable(con: duckdb.DuckDBPyConnection, entry: Commentary) -> None:
    """SIGN-OFF HOOK: refuse commentary for a closed quarter once sign-off (i17) records closures.

    Nothing to check until then; when merging, raise CommentaryError if `entry.quarter` is closed."""


def insert(con: duckdb.DuckDBPyConnection, entries: list[Commentary]) -> list[int]:
    """Append the versions inside the caller's writer transaction; return their ids."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    ids = []
    for e in entries:
        check_writable(con, e)
        ids.append(con.execute(
            """INSERT INTO commentary (indicator, quarter, lang, owner, happened, challenges, next_steps,
                                       author, written_at, load_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING commentary_id""",
            [e.indicator, e.quarter, e.lang, e.owner, e.happened, e.challenges, e.next_steps,
             e.author, e.written_at or now, e.load_id],
        ).fetchone()[0])
    return ids


def write_commentary(db_path: Path, catalog: Catalog, entry: Commentary, timeout_s: float = 30.0) -> int:
    """Validate and publish one version; raise CommentaryError naming every bad field."""
    clean, problems = validate(entry, catalog)
    if problems:
        raise CommentaryError("; ".join(f"{field}: {msg}" for field, msg in problems))
    with open_writer(db_path, timeout_s) as con:
        [new_id] = insert(con, [clean])
    return new_id


def pick(versions: dict[str, Commentary] | None, lang: str) -> Commentary | None:
    """The commentary in the reader's language, else in the other one (Vietnamese is the required one)."""
    if not versions:
        return None
    return versions.get(lang) or versions.get("vi") or next(iter(versions.values()))
