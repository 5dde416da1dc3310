"""The audit log: who did what, when and why, one append-only row per action.

Rows are written only by `record`, inside the writer's transaction of the action they
describe (a load, an approval, a close), so an action and its row are published together or
not at all. Nothing in the product updates or deletes them (tests/pipeline/test_audit_log.py
checks the source for it).
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import datetime, timezone
from typing import Any

import duckdb


MAX_ACTOR_CHARS = 200
MAX_REASON_CHARS = 2000


def utc_now() -> datetime:
    """Naive UTC, as every timestamp in the warehouse."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def os_user() -> str:
    """The account running the command, for rows written without `--as`."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def clean_actor(actor: str | None) -> str:
    """A name for the log: the given one trimmed and bounded, else the OS user."""
    name = " ".join((actor or "").split())[:MAX_ACTOR_CHARS]
    return name or os_user()


def record(con: duckdb.DuckDBPyConnection, actor: str | None, action: str, obj: str,
           reason: str | None = None, details: dict[str, Any] | None = None, at: datetime | None = None) -> None:
    """Append one row on a writer connection (see store.open_writer)."""
    con.execute(
        "INSERT INTO audit_log (at_utc, actor, action, object, reason, details) VALUES (?, ?, ?, ?, ?, ?)",
        [at or utc_now(), clean_actor(actor), action, obj, (reason or None) and reason[:MAX_REASON_CHARS],
         json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)],
    )


def record_outcome(con: duckdb.DuckDBPyConnection, actor: str | None, outcome: Any) -> None:
    """The audit row of one ingested file (an ingest.FileOutcome): loaded, duplicate or rejected."""
    action = {"loaded": "load", "duplicate": "duplicate", "rejected": "reject"}[outcome.status]
    details: dict[str, Any] = {"load_id": outcome.load_id, "sha256": outcome.sha256}
    if outcome.status == "loaded":
        details.update(rows=outcome.rows, revised=outcome.revised)
    elif outcome.status == "duplicate":
        details["duplicate_of"] = outcome.duplicate_of
    else:
        details.update(problem_count=outcome.problem_count, problems=sorted({p.code for p in outcome.problems}))
    record(con, actor, action, outcome.file_name, details=details)


CATALOG_TABLES = ("pillars", "reporters", "indicators", "dimension_values")


def catalog_digests(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """One digest per catalog table, to tell whether a sync changed anything."""
    return {
        table: con.execute(
            f"SELECT md5(coalesce(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR), '')) FROM {table} t"
        ).fetchone()[0]
        for table in CATALOG_TABLES
    }


def record_catalog_change(con: duckdb.DuckDBPyConnection, actor: str | None, before: dict[str, str]) -> None:
    """An audit row when the catalog synced into the warehouse differs from the one it replaced."""
    after = catalog_digests(con)
    changed = [t for t in CATALOG_TABLES if before.get(t) != after[t]]
    if changed:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in changed}
        record(con, actor, "catalog", "catalog", details={"changed": changed, "rows": counts})
