"""The notifier's memory: an append-only JSON-lines ledger of deliveries, under the data folder.

Why not a warehouse table: writing to the warehouse means publishing a new version (copy,
write, swap), and a new version token invalidates every dashboard cache and makes every open
page redraw itself. Recording one e-mail must not cost the dashboard that, so the ledger lives
beside the warehouse in `<data dir>/notify/ledger.jsonl` with its own lock (`.notify.lock`,
an advisory flock released by the kernel if the process dies).

Each line is one step of one delivery (`key` of the event, `channel`, `to`): `pending` (the
message, written before any send is tried: the outbox), then `sent`, `failed` (retried later)
or `gave_up` (after KPI_NOTIFY_MAX_ATTEMPTS; logged as an error). A restart reads the ledger
and never creates a delivery twice. A crash between a send and its `sent` line means that one
message may go out again (at least once, never silently lost); a torn last line is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pipelines.file_lock import exclusive_lock


class NotifierBusyError(Exception):
    """Another `kpi notify` holds the ledger."""


@dataclass
class Delivery:
    """One message to one recipient over one channel, with its history folded in."""

    key: str
    channel: str  # email | webhook
    to: str
    lang: str
    kind: str
    audience: str
    subject: str
    body: str
    attachments: list[dict] = field(default_factory=list)  # {"path": ..., "name": ...}
    data: dict = field(default_factory=dict)  # event facts, for the webhook
    state: str = "pending"
    attempts: int = 0
    last_at: str | None = None
    error: str | None = None

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.key, self.channel, self.to)

    def to_record(self) -> dict:
        return {"step": "pending", "key": self.key, "channel": self.channel, "to": self.to, "lang": self.lang,
                "kind": self.kind, "audience": self.audience, "subject": self.subject, "body": self.body,
                "attachments": self.attachments, "data": self.data, "at": now_iso()}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Ledger:
    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / "ledger.jsonl"

    @contextlib.contextmanager
    def locked(self, timeout_s: float = 60.0) -> Iterator["Ledger"]:
        """One `kpi notify` at a time: a second one waits, then says the first sends what is due."""
        lock = self.folder / ".notify.lock"

        def busy(holder: str) -> NotifierBusyError:
            return NotifierBusyError(f"another `kpi notify` is running (lock {lock}); it sends what is due, nothing to do")

        with exclusive_lock(lock, timeout_s, busy, poll_s=0.2):
            yield self

    def read(self) -> dict[tuple[str, str, str], Delivery]:
        """Every delivery with its latest state."""
        out: dict[tuple[str, str, str], Delivery] = {}
        if not self.path.exists():
            return out
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line torn by a crash
                ident = (rec.get("key"), rec.get("channel"), rec.get("to"))
                if rec.get("step") == "pending":
                    fields = {k: rec[k] for k in ("key", "channel", "to", "lang", "kind", "audience", "subject", "body",
                                                  "attachments", "data") if k in rec}
                    out[ident] = Delivery(**fields, last_at=rec.get("at"))
                elif ident in out:
                    d = out[ident]
                    d.state, d.last_at, d.error = rec["step"], rec.get("at"), rec.get("error")
                    d.attempts = rec.get("attempt", d.attempts)
        return out

    def append(self, records: list[dict]) -> None:
        if not records:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())

    def step(self, delivery: Delivery, step: str, error: str | None = None) -> None:
        delivery.state, delivery.error = step, error
        if step in ("sent", "failed", "gave_up"):
            delivery.attempts += 1
        delivery.last_at = now_iso()
        rec = {"step": step, "key": delivery.key, "channel": delivery.channel, "to": delivery.to,
               "attempt": delivery.attempts, "at": delivery.last_at}
        if error:
            rec["error"] = error
        self.append([rec])

    # Small state beside the ledger (last statuses seen), replaced atomically.
    def read_state(self, name: str) -> dict | None:
        path = self.folder / f"{name}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def write_state(self, name: str, value: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{name}.json.tmp"
        tmp.write_text(json.dumps(value, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.folder / f"{name}.json")
