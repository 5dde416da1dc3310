"""Sign-ins and sign-outs of analysts and approvers: the audit log's rows that are not in the warehouse.

Why a file and not the warehouse's `audit_log` table: writing the warehouse means publishing a
new version (copy, write, swap, under the single writer's lock). A sign-in would then wait
behind a long ingest, and every sign-in would invalidate every open page's caches and redraw
them. So these rows go to an append-only JSON-lines file beside the warehouse,
`<warehouse dir>/signins.jsonl`, under its own advisory lock (`.signins.lock`, released by the
kernel if the process dies), each line flushed and fsynced before the sign-in proceeds.
`pipelines.read_model.audit.read_audit` merges them with the warehouse's rows in time order, so
`kpi audit` and the approvers' view show one log.

- Who: analysts and approvers (the people whose actions the log is about); a viewer's sign-in
  is not recorded. Failed attempts are recorded for their accounts too; a name that is no
  account is recorded as UNKNOWN_NAME, never as typed (it may be a mistyped password).
- Nothing in the product edits or deletes a line. A torn last line (a crash mid-write) is
  skipped when reading.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipelines.file_lock import exclusive_lock

ACTIONS = ("sign-in", "sign-out", "sign-in-failed")
UNKNOWN_NAME = "(unknown name)"
MAX_FIELD_CHARS = 200
LOCK_TIMEOUT_S = 10.0


class SigninLogError(Exception):
    """The row cannot be written; the message names the file."""


def log_path(db_path: Path) -> Path:
    return db_path.with_name("signins.jsonl")


def _clean(text: str) -> str:
    """One line of printable text, bounded: nothing that could steer a terminal or a table."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:MAX_FIELD_CHARS]


def _locked(folder: Path) -> contextlib.AbstractContextManager[None]:
    lock = folder / ".signins.lock"
    return exclusive_lock(lock, LOCK_TIMEOUT_S, lambda holder: SigninLogError(f"{lock} is held by {holder}"), poll_s=0.05)


def record(db_path: Path, actor: str, action: str, details: dict[str, Any] | None = None,
           at: datetime | None = None) -> None:
    """Append one row (UTC time, who, what) and fsync it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown sign-in action {action!r}")
    when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    row = {"at": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "actor": _clean(actor) or UNKNOWN_NAME, "action": action,
           "details": {k: _clean(str(v)) for k, v in sorted((details or {}).items())}}
    path = log_path(db_path)
    try:
        with _locked(path.parent):
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        raise SigninLogError(f"{path}: {exc.strerror or exc}") from None


def read(db_path: Path, since: datetime | None = None) -> list[dict]:
    """Rows oldest first, shaped as `read_audit`'s (`at` to the second, `audit_id` "S<line>",
    `source` "signins"); `since` naive UTC, inclusive. `at_sort` keeps the sub-second time."""
    path = log_path(db_path)
    try:
        handle = open(path, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    rows = []
    with handle:
        for number, line in enumerate(handle, start=1):
            try:
                item = json.loads(line)
                stamp = datetime.strptime(item["at"], "%Y-%m-%dT%H:%M:%S.%fZ")
                actor, action = str(item["actor"]), str(item["action"])
                details = item.get("details") if isinstance(item.get("details"), dict) else {}
            except (ValueError, KeyError, TypeError):
                continue
            if since is not None and stamp < since:
                continue
            rows.append({"audit_id": f"S{number}", "at": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "actor": actor,
                         "action": action, "object": "dashboard", "reason": None, "details": details,
                         "source": "signins", "at_sort": stamp})
    rows.sort(key=lambda r: r["at_sort"])
    return rows
