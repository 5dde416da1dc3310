"""The audit log as a reader sees it: rows oldest first, details parsed (`kpi audit`, the approvals page).

Written only by pipelines.audit.record, inside the transaction of the action a row describes.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pipelines.warehouse.store import open_reader


def read_audit(db_path: Path, since: datetime | None = None, limit: int | None = None) -> list[dict]:
    """Rows oldest first (from `since`, UTC, inclusive); the newest `limit` when given."""
    with open_reader(db_path) as con:
        if con is None:
            return []
        where, params = ("WHERE at_utc >= ?", [since]) if since else ("", [])
        sql = f"""SELECT audit_id, strftime(at_utc, '%Y-%m-%dT%H:%M:%SZ') AS at, actor, action, object, reason, details
                  FROM audit_log {where} ORDER BY audit_id DESC"""
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        cur = con.execute(sql, params)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    for row in rows:
        row["details"] = json.loads(row["details"]) if row["details"] else {}
    return rows[::-1]
