"""The audit log as a reader sees it: rows oldest first, details parsed (`kpi audit`, the approvals page);
the warehouse's rows and the dashboard's sign-in rows (pipelines/signins.py) merged in time order.

Written only by pipelines.audit.record, inside the transaction of the action a row describes.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pipelines.warehouse.store import open_reader


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

