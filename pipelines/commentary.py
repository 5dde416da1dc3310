"""Commentary per indicator and quarter: what happened, challenges, next steps and the owning unit.

Written through the warehouse's single-writer publish path like any figure, append-only: a new
version is a new row and the latest one per (indicator, quarter, language) is current, so
nothing said is ever overwritten. Sign-off applies as to figures: a closed quarter takes no new
version (`check_writable`), and leaders read the latest *approved* version while a newer one
waits for an approver (pipelines/commentary_signoff.py). Every write leaves an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from pipelines import audit
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
    commentary_id: int | None = None
    pending: bool = False  # read in the view including pending: this version waits for approval


@dataclass(frozen=True)
class Issue:
    """One thing wrong with an entry: the field, a code and its parameters, so the CLI (English),
    the file report and the page (either language) each say it in their own words."""

    field: str
    code: str  # unknown_indicator | bad_quarter | unknown_owner | bad_lang | blank_happened | too_long | closed_quarter
    params: dict[str, Any]

    def message(self) -> str:
        """In English, for the CLI and logs."""
        p = self.params
        return {
            "unknown_indicator": "unknown indicator {value!r}; use a code from the catalog, e.g. MISSIONS_ABROAD",
            "bad_quarter": "not a quarter: {value!r}; write YYYY-Qn, e.g. 2026-Q4",
            "unknown_owner": "unknown unit {value!r}; the owner is a unit of the catalog: {known}",
            "bad_lang": "language {value!r}: write vi or en",
            "blank_happened": "say what happened in the quarter (it cannot be empty)",
            "too_long": "{found} characters; at most {limit}",
            "closed_quarter": ("{quarter} is closed (by {actor} on {closed_on}), so its commentary cannot change; "
                               "an approver must reopen it first: kpi reopen --quarter {quarter} --reason \"...\""),
        }[self.code].format(**p)


class CommentaryError(ValueError):
    """The commentary cannot be stored; the message says which field and what to write."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("; ".join(f"{i.field}: {i.message()}" for i in issues))


def validate(entry: Commentary, catalog: Catalog) -> tuple[Commentary, list[Issue]]:
    """The entry in canonical form, and an Issue for everything wrong with it."""
    problems: list[Issue] = []
    code = entry.indicator.strip().upper()
    if code not in catalog.indicators:
        problems.append(Issue("indicator", "unknown_indicator", {"value": entry.indicator}))
    quarter = parse_period(entry.quarter.strip()) or ""
    if not is_quarter(quarter):
        problems.append(Issue("quarter", "bad_quarter", {"value": entry.quarter}))
    owner = entry.owner.strip().upper()
    if owner not in catalog.reporters:
        problems.append(Issue("owner", "unknown_owner", {"value": entry.owner, "known": ", ".join(sorted(catalog.reporters))}))
    lang = entry.lang.strip().lower()
    if lang not in LANGS:
        problems.append(Issue("lang", "bad_lang", {"value": entry.lang}))
    texts = {f: " ".join(getattr(entry, f).split()) for f in FIELDS}  # one paragraph: no stray line breaks
    if not texts["happened"]:
        problems.append(Issue("happened", "blank_happened", {}))
    for f, value in texts.items():
        if len(value) > MAX_TEXT:
            problems.append(Issue(f, "too_long", {"found": len(value), "limit": MAX_TEXT}))
    clean = Commentary(code, quarter, owner, texts["happened"], texts["challenges"], texts["next_steps"], lang,
                       entry.author, entry.written_at, entry.load_id)
    return clean, problems


def closed_issue(con: duckdb.DuckDBPyConnection, quarter: str) -> Issue | None:
    """The refusal for commentary on `quarter` when a close covers it (the same rule as figures)."""
    from pipelines.read_model.signoff import closed_quarters
    from pipelines.signoff import closing_quarter

    closure = closing_quarter(quarter, closed_quarters(con))
    if closure is None:
        return None
    closed_on = closure.at_utc.strftime("%Y-%m-%d") if hasattr(closure.at_utc, "strftime") else str(closure.at_utc)
    return Issue("quarter", "closed_quarter", {"quarter": closure.quarter, "actor": closure.actor, "closed_on": closed_on})


def check_writable(con: duckdb.DuckDBPyConnection, entry: Commentary) -> None:
    """Refuse commentary for a quarter a close covers: it is frozen with the quarter's figures."""
    issue = closed_issue(con, entry.quarter)
    if issue is not None:
        raise CommentaryError([issue])


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
    """Validate and publish one version with its audit row; raise CommentaryError naming every bad
    field, or the closed quarter (nothing is written then)."""
    clean, problems = validate(entry, catalog)
    if problems:
        raise CommentaryError(problems)
    with open_writer(db_path, timeout_s) as con:
        con.execute("BEGIN")
        [new_id] = insert(con, [clean])
        audit.record(con, clean.author, "comment", f"{clean.indicator} {clean.quarter}",
                     details={"commentary_id": new_id, "lang": clean.lang, "owner": clean.owner})
        con.execute("COMMIT")
    return new_id


def pick(versions: dict[str, Commentary] | None, lang: str) -> Commentary | None:
    """The commentary in the reader's language, else in the other one (Vietnamese is the required one)."""
    if not versions:
        return None
    return versions.get(lang) or versions.get("vi") or next(iter(versions.values()))
