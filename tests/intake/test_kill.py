"""Durability: `kpi ingest` killed with SIGKILL in the middle of a large load leaves the
warehouse exactly as it was and the file in the inbox; two ingests at once never corrupt
anything (the second waits, or gives up with a clear message)."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

from pipelines.settings import Settings
from pipelines.warehouse.store import open_reader
from tests.intake.conftest import (
    BIG_ROWS, FIXTURES, SMALL, cli_env, fingerprint, load_small, popen_cli, run_cli, size_of, staging_of, wait_for,
    write_big_file,
)


def test_sigkill_mid_load_changes_nothing_and_loses_no_file(big_file: Path, intake_settings: Settings) -> None:
    s = intake_settings
    before = load_small(s)
    published_size = size_of(s.warehouse_path)
    inbox_copy = s.inbox_dir / big_file.name
    shutil.copyfile(big_file, inbox_copy)
    staging = staging_of(s)

    # Killed while reading and checking the file (the next version exists), then while DuckDB
    # writes the new rows into it (the next version has grown past the published one).
    moments = {
        "reading": lambda: staging.exists(),
        "writing": lambda: size_of(staging) > published_size,
    }
    for moment, reached in moments.items():
        proc = popen_cli(s, "ingest")
        try:
            wait_for(lambda: reached() or proc.poll() is not None, 60, f"the ingest to start {moment}")
            assert proc.poll() is None, f"the ingest finished before it could be killed {moment}: {proc.communicate()}"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL

        started = time.monotonic()
        assert fingerprint(s) == before, f"killed {moment}: the warehouse changed"
        assert time.monotonic() - started < 5, "reopening after the kill was slow"
        assert inbox_copy.exists() and inbox_copy.stat().st_size == big_file.stat().st_size, f"killed {moment}: file gone"
        assert len(list(s.archive_dir.iterdir())) == 1 and not any(s.rejected_dir.iterdir())  # the small file only
        with open_reader(s.warehouse_path) as con:
            assert con.execute("SELECT count(*) FROM loads WHERE file_name = ?", [big_file.name]).fetchone()[0] == 0

    # A normal run afterwards loads the file whole and tidies the stale next version.
    done = run_cli(s, "ingest")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{big_file.name}: {BIG_ROWS} rows" in done.stdout
    assert fingerprint(s)[0] == before[0] + BIG_ROWS
    assert not inbox_copy.exists() and len(list(s.archive_dir.iterdir())) == 2
    assert not staging.exists() and not Path(str(staging) + ".wal").exists()


# The first ingest must still hold the lock after a second process has started, waited 0.3 s and
# given up (about 0.8 s in all): 300k rows now load in about 1 s, so this test loads 2M rows
# (97 MB, under the default 100 MiB limit; about 2.5 s).
LOCKED_ROWS = 2_000_000


def test_two_ingests_at_once_wait_or_fail_clearly(intake_settings: Settings, tmp_path: Path) -> None:
    s = intake_settings
    before = load_small(s)
    big_file = tmp_path / "mofa_bigger_2026Q3.csv"
    write_big_file(big_file, LOCKED_ROWS)
    shutil.copyfile(big_file, s.inbox_dir / big_file.name)
    first = popen_cli(s, "ingest")
    try:
        wait_for(lambda: staging_of(s).exists() or first.poll() is not None, 60, "the first ingest to take the lock")
        assert first.poll() is None
        # Dropped after the first ingest listed the inbox: the first does not see it.
        late = s.inbox_dir / "late_arrival.csv"
        late.write_bytes((FIXTURES / "tab_delimited_utf8.csv").read_bytes())

        impatient = run_cli(s, "ingest", env=cli_env(s, KPI_LOCK_TIMEOUT_S="0.3"), timeout=60)
        assert first.poll() is None, "the first ingest ended too soon for this test"
        assert impatient.returncode == 1
        assert "another ingest is writing the warehouse" in impatient.stderr and "KPI_LOCK_TIMEOUT_S" in impatient.stderr
        assert "Traceback" not in impatient.stderr
        assert late.exists()

        patient = popen_cli(s, "ingest")
        out_first, err_first = first.communicate(timeout=120)
        out_patient, err_patient = patient.communicate(timeout=120)
    finally:
        for proc in (first,):
            if proc.poll() is None:
                proc.kill()
    assert first.returncode == 0, err_first
    assert f"{big_file.name}: {LOCKED_ROWS} rows" in out_first and "late_arrival" not in out_first
    assert patient.returncode == 0, err_patient
    assert "late_arrival.csv: 2 rows" in out_patient and big_file.name not in out_patient

    with open_reader(s.warehouse_path) as con:
        loads = con.execute("SELECT file_name, status FROM loads ORDER BY load_id").fetchall()
    assert loads == [(SMALL, "loaded"), (big_file.name, "loaded"), ("late_arrival.csv", "loaded")]
    assert fingerprint(s)[0] == before[0] + LOCKED_ROWS + 2
    assert not any(s.inbox_dir.iterdir())


# Dies (as kill -9 would: no cleanup, no finally) at the second time a source file is renamed
# into archive/ or rejected/: after the publish, with one file filed and the others not.
_DIE_WHILE_FILING = """
import os, sys
from pathlib import Path
moved = []
def hook(event, args):
    if event == "os.rename":
        dst = Path(os.fsdecode(args[1]))
        if dst.parent.name in ("archive", "rejected") and not dst.name.startswith(".") and not dst.name.endswith(".report.txt"):
            moved.append(dst)
            if len(moved) == 2:
                os._exit(9)
sys.addaudithook(hook)
from kpi.cli import main
sys.exit(main(["ingest"]))
"""


def test_a_death_while_files_are_filed_is_finished_by_the_next_ingest(intake_settings: Settings) -> None:
    """Issue 14: a death while files were being moved left an orphan report and a `loads` row
    whose `stored_as` file did not exist."""
    import subprocess
    import sys

    s = intake_settings
    s.inbox_dir.mkdir(parents=True)
    names = ["a_loaded.csv", "b_rejected.csv", "c_loaded.csv"]
    sources = {
        names[0]: (FIXTURES / SMALL).read_bytes(),
        names[1]: (FIXTURES / "negative_count.csv").read_bytes(),
        names[2]: (FIXTURES / "tab_delimited_utf8.csv").read_bytes(),
    }
    for name, data in sources.items():
        (s.inbox_dir / name).write_bytes(data)
    died = subprocess.run([sys.executable, "-c", _DIE_WHILE_FILING], env=cli_env(s), cwd=s.data_dir.parent,
                          capture_output=True, text=True, timeout=120)
    assert died.returncode == 9, died.stdout + died.stderr
    assert len(list(s.inbox_dir.iterdir())) == 2, "the run did not die between two moves"

    done = run_cli(s, "ingest")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not any(s.inbox_dir.iterdir())
    with open_reader(s.warehouse_path) as con:
        loads = con.execute("SELECT file_name, status, stored_as FROM loads ORDER BY load_id").fetchall()
    assert [(name, status) for name, status, _ in loads] == [
        (names[0], "loaded"), (names[1], "rejected"), (names[2], "loaded")], "a file was judged twice"
    for name, _, stored_as in loads:
        assert Path(stored_as).read_bytes() == sources[name], f"{name}: its stored_as file is missing or wrong"
    filed = sorted(p.name for p in s.rejected_dir.iterdir())
    assert len(filed) == 2 and filed[1] == filed[0] + ".report.txt", "a report without its file, or a file without it"
    assert len(list(s.archive_dir.iterdir())) == 2
    assert not [p for p in s.data_dir.rglob("*") if p.name.endswith((".part", ".filing.json"))]


def test_a_death_before_the_publish_leaves_every_file_in_the_inbox(intake_settings: Settings) -> None:
    import subprocess
    import sys

    s = intake_settings
    before = load_small(s)
    (s.inbox_dir / "late.csv").write_bytes((FIXTURES / "tab_delimited_utf8.csv").read_bytes())
    # Dies at the publish itself (the next version renamed over the published one).
    script = _DIE_WHILE_FILING.replace(
        'if dst.parent.name in ("archive", "rejected")', 'if dst.suffix == ".duckdb" or False').replace("== 2", "== 1")
    died = subprocess.run([sys.executable, "-c", script], env=cli_env(s), cwd=s.data_dir.parent,
                          capture_output=True, text=True, timeout=120)
    assert died.returncode == 9, died.stdout + died.stderr
    assert fingerprint(s) == before and (s.inbox_dir / "late.csv").exists()
    done = run_cli(s, "ingest")
    assert done.returncode == 0 and "late.csv: 2 rows" in done.stdout, done.stdout + done.stderr
    assert not any(s.inbox_dir.iterdir()) and len(list(s.archive_dir.iterdir())) == 2
def _signoff_state(settings: Settings) -> tuple:
    """Observations, sign-off events, closures and audit rows: what an approval or close could change."""
    with open_reader(settings.warehouse_path) as con:
        counts = con.execute(
            "SELECT (SELECT count(*) FROM signoffs), (SELECT count(*) FROM closures), (SELECT count(*) FROM audit_log)"
        ).fetchone()
    return (fingerprint(settings), *counts)


def test_sigkill_mid_approval_or_close_changes_nothing_then_both_complete(big_file: Path, intake_settings: Settings) -> None:
    """An approval and a close are written like a load: killed while the next version is being
    written, the published warehouse is as it was (no half approval, no audit row without its
    action); run again, each publishes whole with its audit row."""
    s = intake_settings
    load_small(s)
    shutil.copyfile(big_file, s.inbox_dir / big_file.name)
    assert run_cli(s, "ingest").returncode == 0  # a warehouse big enough that copying it takes a moment
    staging = staging_of(s)
    commands = {
        "approve": ("approve", "--reporter", "MOFA", "--period", "1950-Q1", "--as", "chi"),
        "close": ("close", "--quarter", "1950-Q1", "--as", "chi"),
    }
    off = cli_env(s, KPI_APPROVAL="off")  # closing 1950-Q1 needs no approval of everything before it
    for name, args in commands.items():
        env = off if name == "close" else None
        before = _signoff_state(s)
        proc = popen_cli(s, *args, env=env)
        try:
            wait_for(lambda: staging.exists() or proc.poll() is not None, 60, f"{name} to start writing")
            assert proc.poll() is None, f"{name} finished before it could be killed: {proc.communicate()}"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert _signoff_state(s) == before, f"killed {name}: the warehouse changed"
        done = run_cli(s, *args, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        after = _signoff_state(s)
        assert after[0] == before[0]  # no observation touched
        added = (after[1] - before[1], after[2] - before[2], after[3] - before[3])
        assert added == ((1, 0, 1) if name == "approve" else (0, 1, 1))
        assert not staging.exists()
