"""`kpi watch`: the inbox watched, each complete file ingested by the same code as `kpi ingest`.

A file is taken only once it is complete: its writer closed it (inotify's close-after-write)
and it has not changed since, or its size and mtime have stayed still for `settle_s` (shares
that send no close event). Temporary and partial names (`.x.csv`, `~$x.xlsx`, `x.csv.part`,
`x.crdownload`, ...) are never read: copy tools rename them when done, which counts as a new
file. The inbox is also rescanned every few seconds, so a missed event only delays a file.

What the loop survives: a bad file (rejected and filed by `ingest` as always), a busy warehouse
(another ingest holds the writer lock: the files stay pending and are retried), an unexpected
error (logged; the file is parked until it changes, so a broken file never spins the loop), a
file `ingest` leaves in the inbox (e.g. one waiting for an analyst to accept its warnings: parked
the same way, and `kpi notify` tells analysts it is waiting), and its own restart (files already
in the inbox are picked up at start). SIGTERM/SIGINT finish the ingest in hand, then stop.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest import SKIPPED_NAMES, FileOutcome, ingest
from pipelines.settings import Settings
from pipelines.warehouse.store import WarehouseBusyError

log = logging.getLogger("kpi.watch")

PARTIAL_NAMES = re.compile(
    r"(\.(part|partial|tmp|temp|crdownload|download|filepart|swp|swx|lock)|~)$", re.IGNORECASE)
RESCAN_S = 5.0
POLL_S = 0.1
CLOSED_QUIET_S = 0.1


def is_candidate(name: str) -> bool:
    """A name the watcher may ingest: not a report, a hidden/temp file or a partial download."""
    return not SKIPPED_NAMES.search(name) and not PARTIAL_NAMES.search(name)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_size, st.st_mtime_ns)


@dataclass
class _Pending:
    stat: tuple[int, int]
    still_since: float  # monotonic time the stat last changed
    closed_at: float | None = None  # monotonic time of the last close-after-write with this stat


class InboxWatcher:
    """The watcher's state and loop; `run()` blocks until `stop()`."""

    def __init__(self, settings: Settings, settle_s: float, retry_s: float,
                 after_ingest: Callable[[list[FileOutcome]], None] | None = None,
                 periodic: Callable[[], None] | None = None, periodic_every_s: float = 0.0):
        self.settings = settings
        self.inbox = settings.inbox_dir
        self.settle_s = settle_s
        self.retry_s = retry_s
        self.after_ingest = after_ingest
        self.periodic = periodic
        self.periodic_every_s = periodic_every_s
        self._pending: dict[Path, _Pending] = {}
        self._parked: dict[Path, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._retry_at = 0.0

    # -- called from watchdog's thread -------------------------------------------------------
    def note(self, path: Path, closed: bool = False) -> None:
        if path.parent != self.inbox or not is_candidate(path.name):
            return
        stat = _stat(path)
        now = time.monotonic()
        with self._lock:
            if stat is None:
                self._pending.pop(path, None)
                self._parked.pop(path, None)
                return
            if self._parked.get(path) == stat:
                return
            self._parked.pop(path, None)
            entry = self._pending.get(path)
            if entry is None or entry.stat != stat:
                entry = self._pending[path] = _Pending(stat, now)
            if closed:
                entry.closed_at = now
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    # -- the loop ------------------------------------------------------------------------------
    def scan(self) -> None:
        """Every candidate file in the inbox becomes pending (at start, and now and then)."""
        try:
            names = [p for p in self.inbox.iterdir() if p.is_file()]
        except FileNotFoundError:
            return
        for path in names:
            if path not in self._pending:
                self.note(path)

    def ready(self, now: float) -> list[Path]:
        """Pending files that are complete; files that changed restart their wait."""
        out = []
        with self._lock:
            for path, entry in list(self._pending.items()):
                stat = _stat(path)
                if stat is None:
                    del self._pending[path]
                elif stat != entry.stat:
                    self._pending[path] = _Pending(stat, now)
                elif (entry.closed_at is not None and now - entry.closed_at >= CLOSED_QUIET_S) \
                        or now - entry.still_since >= self.settle_s:
                    out.append(path)
        return sorted(out)

    def ingest_ready(self, now: float | None = None) -> list[FileOutcome]:
        """Ingest whatever is complete now; returns the outcomes (also logged, one line per file)."""
        now = time.monotonic() if now is None else now
        if now < self._retry_at:
            return []
        files = self.ready(now)
        if not files:
            return []
        outcomes: list[FileOutcome] = []
        try:
            outcomes = self._ingest(files)
        except WarehouseBusyError:
            log.info("warehouse busy (another ingest is writing); %d file(s) wait, retry in %g s", len(files), self.retry_s)
            self._retry_at = time.monotonic() + self.retry_s
            return []
        except Exception:  # noqa: BLE001 - find the file at fault by trying them one at a time
            for path in files:
                try:
                    outcomes += self._ingest([path])
                except WarehouseBusyError:
                    self._retry_at = time.monotonic() + self.retry_s
                    break
                except Exception as exc:  # noqa: BLE001 - never let one file stop the watcher
                    log.error("failed      %s: %s: %s (left in the inbox; it is tried again when it changes)",
                              path.name, type(exc).__name__, exc)
                    self._park(path)
        for outcome in outcomes:
            log.info("%s", outcome.summary_line("en"))
        if outcomes and self.after_ingest is not None:
            try:
                self.after_ingest(outcomes)
            except Exception:  # noqa: BLE001 - a notification problem never stops the loads
                log.exception("after-ingest hook failed")
        return outcomes

    def _ingest(self, files: list[Path]) -> list[FileOutcome]:
        present = [p for p in files if p.exists()]
        with self._lock:
            for path in files:
                self._pending.pop(path, None)
        if not present:
            return []
        try:
            outcomes = ingest(present, self.settings, lang="en")
        except BaseException:  # busy, a file moved away meanwhile, a bug: nothing was filed
            self._requeue([p for p in present if p.exists()])
            raise
        for path in present:  # filed by ingest, or deliberately left in the inbox for an analyst
            if path.exists():
                log.info("waiting     %s: left in the inbox for an analyst", path.name)
                self._park(path)
        return outcomes

    def _requeue(self, files: list[Path]) -> None:
        now = time.monotonic()
        with self._lock:
            for path in files:
                stat = _stat(path)
                if stat is not None:
                    self._pending[path] = _Pending(stat, now - self.settle_s, closed_at=now - CLOSED_QUIET_S)

    def _park(self, path: Path) -> None:
        stat = _stat(path)
        with self._lock:
            self._pending.pop(path, None)
            if stat is not None:
                self._parked[path] = stat

    def run(self) -> None:
        from watchdog.events import FileClosedEvent, FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.is_directory or event.event_type in ("opened", "closed_no_write"):
                    return
                raw = event.dest_path if event.event_type == "moved" else event.src_path
                name = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
                # A rename into the inbox is a copy tool's last step: the file is complete.
                watcher.note(Path(name), closed=isinstance(event, FileClosedEvent) or event.event_type == "moved")

        self.inbox.mkdir(parents=True, exist_ok=True)
        observer = Observer()
        observer.schedule(Handler(), str(self.inbox), recursive=False)
        observer.start()
        log.info("watching %s (settle %g s)", self.inbox, self.settle_s)
        last_scan = last_periodic = 0.0
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if now - last_scan >= RESCAN_S:
                    self.scan()
                    last_scan = now
                self.ingest_ready()
                if self.periodic is not None and self.periodic_every_s > 0 and now - last_periodic >= self.periodic_every_s:
                    last_periodic = now
                    try:
                        self.periodic()
                    except Exception:  # noqa: BLE001
                        log.exception("periodic task failed")
                self._wake.wait(POLL_S)
                self._wake.clear()
        finally:
            observer.stop()
            observer.join(timeout=5)
            log.info("stopped")
