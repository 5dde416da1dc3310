"""Slowing down password guessing without letting a stranger lock the real user out.

The scheme (docs/deployment.md, "Sign-in attempts"):
- Per client address and account name: three failures are free, then each attempt must wait
  twice as long as the last (2 s, 4 s, ... up to 60 s). A stranger's failures from another
  address never delay the real user.
- Per account name, from all addresses together (the small global cap against guessing from
  many addresses): past ten failures within 15 minutes, at most one attempt per second for that
  name. The real user then waits at most a second.
- One lock per (address, name) around wait-check, password check and record: eight submits
  at once from eight tabs are checked one after another, and those past the free ones are told
  to wait instead of being checked. At most two password checks (scrypt, 16 MiB each) run at once.
- Failures are forgotten 15 minutes after the last one; at most 10,000 names and addresses are
  remembered (the oldest go first), so the table cannot be grown without bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FREE_FAILURES = 3
MAX_DELAY_S = 60.0
ACCOUNT_FREE_FAILURES = 10
ACCOUNT_SPACING_S = 1.0
FORGET_AFTER_S = 15 * 60.0
MAX_ENTRIES = 10_000
CONCURRENT_CHECKS = 2


@dataclass(frozen=True)
class Outcome:
    """`ok` when the password was right; `wait_s` > 0 when it was not even checked."""

    ok: bool
    wait_s: float = 0.0

    @property
    def throttled(self) -> bool:
        return self.wait_s > 0


class Throttle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._table = threading.Lock()  # guards the dicts below, held only briefly
        self._checks = threading.BoundedSemaphore(CONCURRENT_CHECKS)
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._client: dict[tuple[str, str], tuple[int, float]] = {}  # (address, name) -> (failures, last)
        self._account: dict[str, tuple[int, float]] = {}  # name -> (failures, last)

    def _lock_for(self, key: tuple[str, str]) -> threading.Lock:
        with self._table:
            lock = self._locks.get(key)
            if lock is None:
                self._forget_old()
                lock = self._locks[key] = threading.Lock()
            return lock

    def _forget_old(self) -> None:
        now = self._clock()
        for table in (self._client, self._account):
            for key in [k for k, (_, last) in table.items() if now - last > FORGET_AFTER_S]:
                del table[key]
            while len(table) > MAX_ENTRIES:
                del table[min(table, key=lambda k: table[k][1])]
        if len(self._locks) > MAX_ENTRIES:
            for key in [k for k, lock in self._locks.items() if k not in self._client and not lock.locked()]:
                del self._locks[key]

    def wait_left(self, address: str, name: str) -> float:
        now = self._clock()
        with self._table:
            count, last = self._client.get((address, name), (0, 0.0))
            total, account_last = self._account.get(name, (0, 0.0))
        wait = 0.0
        if count >= FREE_FAILURES:
            wait = max(wait, last + min(2.0 ** (count - FREE_FAILURES + 1), MAX_DELAY_S) - now)
        if total >= ACCOUNT_FREE_FAILURES:
            wait = max(wait, account_last + ACCOUNT_SPACING_S - now)
        return max(0.0, wait)

    def attempt(self, address: str, name: str, check: Callable[[], bool]) -> Outcome:
        """Check a password unless this address must wait for this name; record the result."""
        key = (address, name)
        with self._lock_for(key):
            wait = self.wait_left(address, name)
            if wait > 0:
                return Outcome(False, wait)
            with self._checks:
                ok = check()
            now = self._clock()
            with self._table:
                if ok:
                    self._client.pop(key, None)
                    self._account.pop(name, None)
                else:
                    count, _ = self._client.get(key, (0, 0.0))
                    self._client[key] = (count + 1, now)
                    total, _ = self._account.get(name, (0, 0.0))
                    self._account[name] = (total + 1, now)
            return Outcome(ok)
