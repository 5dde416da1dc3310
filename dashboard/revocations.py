"""Sessions ended before their cookie expires, shared by every replica on this machine.

Signing out must make the cookie's value useless, not just ask the browser to forget it: a copy
of the value (another tab's request, a proxy log) would otherwise still sign in until it
expires. A sign-out appends the session's id to `<KPI_DATA_DIR>/state/sessions/revoked.jsonl`;
a redeemed hand-off appends its nonce (one use only). Every replica reads the same file, so a
sign-out through one replica holds on all of them.

- Appends take an advisory lock (`.revoked.lock`, released by the kernel if the process dies)
  and are fsynced before the sign-out is confirmed.
- Each line carries the time its id stops mattering (the token's expiry); when the file passes
  MAX_BYTES, the next append rewrites it without those (atomically, under the same lock).
- Readers cache the set by the file's (inode, size, mtime), so a check on every page view costs
  one stat. A line that cannot be read is skipped (a torn last line after a crash).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path

from pipelines.file_lock import exclusive_lock

MAX_BYTES = 256 * 1024
LOCK_TIMEOUT_S = 10.0


class RevocationError(Exception):
    """The record cannot be written; a sign-out must then say so rather than pretend."""


class Revocations:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "revoked.jsonl"
        self._cache_key: tuple[int, int, int] | None = None
        self._cache: dict[str, float] = {}
        self._mutex = threading.Lock()

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        lock = self.folder / ".revoked.lock"
        return exclusive_lock(lock, LOCK_TIMEOUT_S, lambda holder: RevocationError(f"{lock} is held by {holder}"), poll_s=0.05)

    def revoke(self, ident: str, until: float) -> None:
        """Record that `ident` (a session id or a hand-off nonce) is no longer valid."""
        line = json.dumps({"id": ident, "until": int(until) + 1}) + "\n"
        try:
            with self._locked():
                if self.path.exists() and self.path.stat().st_size > MAX_BYTES:
                    self._compact()
                with open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(line)
                    handle.flush()
                    os.fsync(handle.fileno())
        except OSError as exc:
            raise RevocationError(f"{self.path}: {exc.strerror or exc}") from None

    def redeem(self, ident: str, until: float) -> bool:
        """Mark a one-time id used; False when it already was (checked and recorded under the lock)."""
        try:
            with self._locked():
                if ident in self._read():
                    return False
                with open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps({"id": ident, "until": int(until) + 1}) + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
        except OSError as exc:
            raise RevocationError(f"{self.path}: {exc.strerror or exc}") from None
        return True

    def is_revoked(self, ident: str) -> bool:
        """True when recorded; also True when the record cannot be read (fail closed)."""
        try:
            return ident in self._read()
        except OSError:
            return True

    def _read(self) -> dict[str, float]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        with self._mutex:
            if key == self._cache_key:
                return self._cache
            entries: dict[str, float] = {}
            with open(self.path, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    try:
                        item = json.loads(line)
                        entries[str(item["id"])] = float(item["until"])
                    except (ValueError, KeyError, TypeError):
                        continue
            self._cache_key, self._cache = key, entries
            return entries

    def _compact(self) -> None:
        """Drop ids whose token has expired anyway (caller holds the lock)."""
        now = time.time()
        keep = {k: v for k, v in self._read().items() if v > now}
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps({"id": k, "until": int(v)}) + "\n" for k, v in keep.items())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
