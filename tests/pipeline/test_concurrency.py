"""One writer at a time, readers never blocked: publish-and-swap and the writer lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import textwrap

import pytest

from pipelines.cpus import usable_cpus
from pipelines.ingest import ingest
from pipelines.warehouse.store import WarehouseBusyError, open_reader, open_writer, writer_lock
from tests.conftest import HEADER, TODAY, observation_count
from tests.support.cli import popen_kpi

BASE = [["MISSIONS_ABROAD", "MOFA", f"2025-Q{q}", str(90 + q), "", ""] for q in (1, 2, 3)]
MORE = [["MISSIONS_ABROAD", "MOFA", f"2024-Q{q}", str(80 + q), "", ""] for q in (1, 2)]

READER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pipelines.warehouse.store import open_reader
    with open_reader(Path(sys.argv[1])) as con:
        print(con.execute("SELECT count(*) FROM observations").fetchone()[0], flush=True)
        sys.stdin.readline()  # hold the read-only connection until told to go on
        print(con.execute("SELECT count(*) FROM observations").fetchone()[0], flush=True)
""")

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from pipelines.warehouse.store import writer_lock
    with writer_lock(Path(sys.argv[1]), 5):
        print("locked", flush=True)
        time.sleep(60)
""")


@pytest.fixture
def loaded(settings, catalog, write_csv):
    [outcome] = ingest([write_csv("base.csv", BASE)], settings, catalog, today=TODAY)
    assert outcome.status == "loaded"
    return settings


def test_reader_in_another_process_does_not_block_an_ingest(loaded, catalog, write_csv, tmp_path):
    settings = loaded
    reader = subprocess.Popen([sys.executable, "-c", READER, str(settings.warehouse_path)], cwd=tmp_path,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "3"
        started = time.monotonic()
        [outcome] = ingest([write_csv("more.csv", MORE)], settings, catalog, today=TODAY)
        assert outcome.status == "loaded" and time.monotonic() - started < 10
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "3"  # its version stays valid for it
    finally:
        reader.communicate(timeout=30)
    assert reader.returncode == 0
    assert observation_count(settings) == 5  # a new reader sees the new version


def test_open_reader_in_this_process_does_not_block_an_ingest(loaded, catalog, write_csv):
    settings = loaded
    with open_reader(settings.warehouse_path) as con:
        [outcome] = ingest([write_csv("more.csv", MORE)], settings, catalog, today=TODAY)
        assert outcome.status == "loaded"
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == 3
    assert observation_count(settings) == 5


PROGRESS_BAR = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pipelines.warehouse.store import open_reader, open_writer
    setting = "SELECT current_setting('enable_progress_bar')"
    with open_writer(Path(sys.argv[1])) as con:
        print(con.execute(setting).fetchone()[0])
    with open_reader(Path(sys.argv[1])) as con:
        print(con.execute(setting).fetchone()[0])
""")


def test_warehouse_connections_never_draw_a_progress_bar(loaded, tmp_path):
    """DuckDB draws one on stdout for any query past two seconds (a large file's join on a busy
    machine), where it would land inside `kpi ingest --json` and `kpi export`'s CSV. Asked of a
    process of its own: under pytest DuckDB starts with the bar off."""
    settings = loaded
    done = subprocess.run([sys.executable, "-c", PROGRESS_BAR, str(settings.warehouse_path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_readers_see_old_or_new_version_while_an_ingest_runs(loaded, kpi, write_csv):
    settings = loaded
    rows = [["OFFICIALS_TRAINED", "HANOI", "2025-Q1", str(i), "", "", f"C{i:05d}"] for i in range(30_000)]
    path = write_csv("big.csv", rows, header=HEADER + ["country"])
    seen, errors, done = [], [], threading.Event()

    def read_loop():
        while not done.is_set():
            try:
                seen.append(observation_count(settings))
            except Exception as exc:  # noqa: BLE001 - any failure to read is the bug
                errors.append(exc)

    thread = threading.Thread(target=read_loop)
    thread.start()
    try:
        result = kpi("ingest", path)
    finally:
        done.set()
        thread.join()
    assert result.returncode == 0, result.stderr
    assert errors == []
    assert set(seen) <= {3, 30_003} and len(seen) > 1
    assert observation_count(settings) == 30_003


def test_second_ingest_fails_when_the_lock_wait_times_out(loaded, catalog, write_csv):
    settings = loaded
    settings.lock_timeout_s = 0.5
    path = write_csv("more.csv", MORE, folder=settings.inbox_dir)
    with writer_lock(settings.warehouse_path, 1):
        started = time.monotonic()
        with pytest.raises(WarehouseBusyError, match="another ingest"):
            ingest(None, settings, catalog, today=TODAY)
        assert time.monotonic() - started >= 0.5
    assert path.exists()  # still in the inbox, for the next run
    assert observation_count(settings) == 3


def test_second_ingest_waits_for_the_writer_lock(loaded, catalog, write_csv):
    settings = loaded
    settings.lock_timeout_s = 20
    holding, release = threading.Event(), threading.Event()

    def hold():
        with writer_lock(settings.warehouse_path, 1):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    threading.Timer(1.0, release.set).start()
    started = time.monotonic()
    [outcome] = ingest([write_csv("more.csv", MORE)], settings, catalog, today=TODAY)
    waited = time.monotonic() - started
    thread.join()
    assert outcome.status == "loaded" and waited >= 0.9
    assert observation_count(settings) == 5


def test_kpi_ingest_busy_exits_1_with_a_message(loaded, kpi, write_csv):
    settings = loaded
    path = write_csv("more.csv", MORE)
    with writer_lock(settings.warehouse_path, 1):
        result = kpi("ingest", path, env={"KPI_LOCK_TIMEOUT_S": "0.3"})
    assert result.returncode == 1
    assert "another ingest" in result.stderr and "KPI_LOCK_TIMEOUT_S" in result.stderr
    assert "Traceback" not in result.stderr


def test_lock_of_a_killed_writer_is_released(loaded, catalog, write_csv, tmp_path):
    settings = loaded
    settings.lock_timeout_s = 5
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(settings.warehouse_path)], cwd=tmp_path,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(10)
    started = time.monotonic()
    [outcome] = ingest([write_csv("more.csv", MORE)], settings, catalog, today=TODAY)
    assert outcome.status == "loaded" and time.monotonic() - started < 3


def test_killed_ingest_leaves_the_previous_state(loaded, catalog, kpi, write_csv, data_dir, tmp_path):
    settings = loaded
    rows = [["OFFICIALS_TRAINED", "HANOI", "2025-Q1", str(i), "", "", f"C{i:06d}"] for i in range(200_000)]
    path = write_csv("big.csv", rows, header=HEADER + ["country"], folder=settings.inbox_dir)
    child = popen_kpi(data_dir, "ingest")
    staging = settings.warehouse_path.with_name(settings.warehouse_path.name + ".next")
    deadline = time.monotonic() + 30
    while not staging.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # somewhere inside reading, validating or loading
    child.kill()
    child.wait(10)
    assert child.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert observation_count(settings) == 3
    assert path.exists()
    [outcome] = ingest(None, settings, catalog, today=TODAY)
    assert outcome.status == "loaded" and outcome.rows == 200_000
    assert not staging.exists()


def test_a_writer_buffers_one_row_group_per_thread_it_can_run(tmp_path):
    """DuckDB buffers five row groups of a bulk insert by default, to compress them together on
    as many threads: with fewer threads the buffer only holds memory (120 MB of a million-row
    file). A writer holds as many as its threads, which are the process's CPUs."""
    with open_writer(tmp_path / "warehouse.duckdb") as con:
        threads, buffered = con.execute(
            "SELECT current_setting('threads'), current_setting('write_buffer_row_group_count')").fetchone()
    assert int(buffered) == int(threads) == usable_cpus()
