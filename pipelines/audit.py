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
from pathlib import Path
from typing import Any

import duckdb

from pipelines.warehouse.store import open_reader

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


def read_audit(db_path: Path, since: datetime | None = None, limit: int | None = None) -> list[dict]:
    """Rows oldest first (from `since`, UTC, inclusive); the newest `limit` when given.

    The warehouse's rows and the sign-in file's (pipelines/signins.py), merged in time order;
    `source` tells which ("warehouse" or "signins"; a sign-in row's `audit_id` is "S<line>").
    """
    from pipelines import signins

    rows: list[dict] = []
    with open_reader(db_path) as con:
        if con is not None:
            where, params = ("WHERE at_utc >= ?", [since]) if since else ("", [])
            sql = f"""SELECT audit_id, strftime(at_utc, '%Y-%m-%dT%H:%M:%SZ') AS at, actor, action, object, reason, details,
                             at_utc AS at_sort
                      FROM audit_log {where} ORDER BY audit_id DESC"""
            if limit is not None:
                sql += " LIMIT ?"
                params.append(limit)
            cur = con.execute(sql, params)
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()][::-1]
    for row in rows:
        row["details"] = json.loads(row["details"]) if row["details"] else {}
        row["source"] = "warehouse"
    merged = sorted(rows + signins.read(db_path, since), key=lambda r: r["at_sort"])  # stable: ids stay in order
    if limit is not None:
        merged = merged[-limit:] if limit > 0 else []
    for row in merged:
        del row["at_sort"]
    return merged


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
