"""`kpi watch`: a real watcher process over a real inbox: complete files only, once, whole;
bad files, a busy warehouse and restarts survived; SIGTERM stops it cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipelines.warehouse.store import writer_lock
from tests.conftest import csv_text
from tests.support.cli import kpi_env

ROWS = [["OFFICIALS_TRAINED", "HANOI", f"2025-Q{q}", str(100 + q), "persons", "x" * 200] for q in (1, 2, 3, 4)]
BAD = [["MISSIONS_ABROAD", "MOFA", "2025-Q1", "-5", "agencies", ""]]


class Watcher:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process, self.log_path = process, log_path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def file_lines(self) -> list[str]:
        """The per-file lines (timestamp cut off)."""
        words = ("loaded ", "rejected ", "duplicate ", "failed ", "waiting ")
        return [ln.split(" ", 2)[2] for ln in self.log().splitlines()
                if len(ln.split(" ", 2)) == 3 and ln.split(" ", 2)[2].startswith(words)]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                pytest.fail(f"watcher exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.05)
        pytest.fail(f"timed out waiting for {what}:\n{self.log()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=15)


@pytest.fixture
def start_watcher(tmp_path: Path, data_dir: Path) -> Iterator[Callable[..., Watcher]]:
    started: list[Watcher] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Watcher:
        log_path = tmp_path / f"watch{len(started)}.log"
        full_env = kpi_env(data_dir, **(env or {}))
        with open(log_path, "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "kpi", "watch", *args], cwd=tmp_path,
                                       env=full_env, stdout=log, stderr=subprocess.STDOUT)
        watcher = Watcher(process, log_path)
        started.append(watcher)
        watcher.wait_for(lambda: "watching " in watcher.log(), what="the watcher to start")
        return watcher

    yield start
    for w in started:
        if w.process.poll() is None:
            w.process.kill()
            w.process.wait()


def loads(query) -> list[tuple]:
    return query("SELECT file_name, status, rows_loaded FROM loads ORDER BY load_id")


def test_a_file_copied_slowly_is_loaded_once_and_whole(start_watcher, data_dir, query):
    watcher = start_watcher("--settle", "1.5")
    data = csv_text(ROWS).encode()
    target = data_dir / "inbox" / "hanoi_training.csv"
    with open(target, "wb") as handle:  # one writer, pauses shorter than the settle time
        for i in range(0, len(data), 200):
            handle.write(data[i:i + 200])
            handle.flush()
            time.sleep(0.3)
    watcher.wait_for(lambda: watcher.file_lines(), what="the file to be ingested")
    time.sleep(1.0)
    assert watcher.file_lines() == ["loaded     hanoi_training.csv: 4 rows"]
    assert loads(query) == [("hanoi_training.csv", "loaded", 4)]
    assert not target.exists() and len(list((data_dir / "archive").iterdir())) == 1
    assert watcher.stop() == 0


def test_partial_and_temporary_names_are_never_read(start_watcher, data_dir, query):
    watcher = start_watcher("--settle", "0.3")
    inbox = data_dir / "inbox"
    for name in ("hanoi.csv.part", ".hanoi.csv", "~$hanoi.xlsx", "hanoi.csv.crdownload", "hanoi.csv.tmp"):
        (inbox / name).write_text(csv_text(ROWS))
    time.sleep(2)
    assert watcher.file_lines() == [] and loads(query) == []
    (inbox / "hanoi.csv.part").rename(inbox / "hanoi.csv")  # the copy tool's final rename
    watcher.wait_for(lambda: watcher.file_lines(), what="the renamed file")
    assert watcher.file_lines() == ["loaded     hanoi.csv: 4 rows"]
    assert watcher.stop() == 0


def test_a_bad_file_is_rejected_and_the_watcher_goes_on(start_watcher, data_dir, query):
    watcher = start_watcher("--settle", "0.3")
    inbox = data_dir / "inbox"
    (inbox / "bad.csv").write_text(csv_text(BAD))
    watcher.wait_for(lambda: len(watcher.file_lines()) == 1, what="the bad file")
    (inbox / "good.csv").write_text(csv_text(ROWS))
    watcher.wait_for(lambda: len(watcher.file_lines()) == 2, what="the good file")
    lines = watcher.file_lines()
    assert lines[0].startswith("rejected   bad.csv: 1 problem(s); bad.csv, row 2, column value")
    assert lines[1] == "loaded     good.csv: 4 rows"
    assert [s for _, s, _ in loads(query)] == ["rejected", "loaded"]
    assert sorted(p.name.split("_", 2)[2] for p in (data_dir / "rejected").iterdir()) == ["bad.csv", "bad.csv.report.txt"]
    assert watcher.stop() == 0


def test_files_left_in_the_inbox_are_taken_at_start(start_watcher, data_dir, query, write_csv):
    write_csv("waiting.csv", ROWS, folder=data_dir / "inbox")
    watcher = start_watcher("--settle", "0.3")
    watcher.wait_for(lambda: watcher.file_lines(), what="the waiting file")
    assert watcher.file_lines() == ["loaded     waiting.csv: 4 rows"]
    assert watcher.stop() == 0
    # Restarted over the same inbox: nothing is loaded twice.
    again = start_watcher("--settle", "0.3")
    time.sleep(1.5)
    assert again.file_lines() == [] and len(loads(query)) == 1
    assert again.stop() == 0


def test_a_busy_warehouse_is_retried_until_free(start_watcher, data_dir, settings, query):
    watcher = start_watcher("--settle", "0.3", env={"KPI_WATCH_RETRY_S": "0.5", "KPI_WATCH_LOCK_TIMEOUT_S": "0.2"})
    with writer_lock(settings.warehouse_path, 5):
        (data_dir / "inbox" / "a.csv").write_text(csv_text(ROWS))
        watcher.wait_for(lambda: "warehouse busy" in watcher.log(), what="the busy message")
        time.sleep(1.0)
        assert watcher.file_lines() == []
    watcher.wait_for(lambda: watcher.file_lines(), what="the load after the lock was released")
    assert watcher.file_lines() == ["loaded     a.csv: 4 rows"] and len(loads(query)) == 1
    assert watcher.stop() == 0


def test_sigterm_stops_it_cleanly(start_watcher):
    watcher = start_watcher()
    started = time.monotonic()
    assert watcher.stop() == 0
    assert time.monotonic() - started < 5
    assert watcher.log().rstrip().endswith("stopped")
