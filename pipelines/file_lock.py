"""An exclusive advisory lock on a file, waited for up to a deadline: one warehouse writer at a
time (warehouse/store.py), one `kpi notify` at a time (notify/ledger.py).

`flock` is released by the kernel when the process dies, so a killed holder never leaves the
lock taken. While held, the file says which process holds it, for the busy message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def exclusive_lock(path: Path, timeout_s: float, busy: Callable[[str], Exception], poll_s: float = 0.1) -> Iterator[None]:
    """Hold the lock on `path` (created with its folder if missing) for the block. After
    `timeout_s` of waiting, raise `busy(holder)`, holder naming the process that has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    raise busy(handle.read().strip() or "another process") from None
                time.sleep(poll_s)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
