"""How the warehouse file is written and read by different processes at once.

DuckDB lets one process write a file only while no other process has it open, even read-only.
So writers never touch the published file: an ingest copies it to `kpi.duckdb.next`, writes
there, checkpoints, closes and `os.replace`s it over the published one (atomic on POSIX).
Readers (the dashboard, `kpi status`, `kpi export`) attach the published file read-only for a
moment; whichever version they opened stays valid for them. A killed writer leaves only a
stale `.next` file behind, which the next writer deletes. One writer at a time is enforced with
an advisory lock on `warehouse/.kpi.duckdb.lock` (beside the published file, named after it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipelines.cpus import usable_cpus
from pipelines.file_lock import exclusive_lock
from pipelines.warehouse.schema import migrate


class WarehouseBusyError(Exception):
    """Another ingest holds the writer lock longer than we were willing to wait."""


def _lock_path(db_path: Path) -> Path:
    return db_path.with_name("." + db_path.name + ".lock")


def _connect(database: str) -> duckdb.DuckDBPyConnection:
    """A connection that never draws DuckDB's progress bar (it goes to stdout, into `kpi ingest
    --json` and `kpi export` output, whenever a query runs longer than two seconds), with as many
    threads as the process has CPUs to run on (DuckDB counts the machine's: under `taskset` its
    threads took turns on one core)."""
    con = duckdb.connect(database)
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET threads = {usable_cpus()}")
    return con


@contextlib.contextmanager
def writer_lock(db_path: Path, timeout_s: float) -> Iterator[None]:
    """Exclusive advisory lock; released by the kernel even if the process is killed."""
    def busy(holder: str) -> WarehouseBusyError:
        return WarehouseBusyError(f"another ingest is writing the warehouse ({holder}); waited {timeout_s:g} s. "
                                  "Try again when it finishes, or raise KPI_LOCK_TIMEOUT_S.")

    with exclusive_lock(_lock_path(db_path), timeout_s, busy, poll_s=0.1):
        yield


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def open_writer(db_path: Path, timeout_s: float = 30.0, *, lock_held: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to the next version; published on clean exit, discarded on error.

    `lock_held`: the caller already holds `writer_lock` (to keep it past the publish).
    """
    with contextlib.nullcontext() if lock_held else writer_lock(db_path, timeout_s):
        staging = db_path.with_name(db_path.name + ".next")
        for stale in (staging, Path(str(staging) + ".wal")):
            stale.unlink(missing_ok=True)
        if db_path.exists():
            shutil.copyfile(db_path, staging)
        con = _connect(str(staging))
        # No fsync by DuckDB on the staging copy (a dozen per ingest, one per commit): nothing
        # reads it after a crash (the next writer deletes it), and the whole file is fsynced
        # below before it replaces the published one. (A DuckDB without the setting, before 2.0,
        # keeps its fsyncs.)
        try:
            con.execute("SET fsync_mode = 'none'")
        except duckdb.CatalogException:
            pass
        # A bulk insert's row groups are buffered, then compressed and written together, one per
        # thread: DuckDB's default of five kept 120 MB more of a million-row file in memory for
        # nothing when fewer threads write them (0.05 s of page faults). (A DuckDB without the
        # setting keeps its own way.)
        try:
            con.execute(f"SET write_buffer_row_group_count = {usable_cpus()}")
        except duckdb.CatalogException:
            pass
        try:
            migrate(con)
            yield con
            con.execute("CHECKPOINT")
        except BaseException:
            con.close()
            staging.unlink(missing_ok=True)
            Path(str(staging) + ".wal").unlink(missing_ok=True)
            raise
        con.close()
        with open(staging, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, db_path)
        _fsync_dir(db_path.parent)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def open_reader(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A short-lived read-only view of the published file, or None if nothing is published yet.

    Attaching into a fresh in-memory database (rather than `connect(path)`) avoids DuckDB's
    per-process instance cache, which would keep serving a file that has since been replaced.
    """
    if not db_path.exists():
        yield None
        return
    con = _connect(":memory:")
    try:
        con.execute(f"ATTACH {_sql_string(str(db_path))} AS kpi (READ_ONLY)")
        con.execute("USE kpi")
        yield con
    finally:
        con.close()


def version_token(db_path: Path) -> str:
    """Changes whenever a new version is published: a cache key for readers."""
    try:
        st = db_path.stat()
    except FileNotFoundError:
        return "absent"
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"
