"""Helpers for the intake tests: isolated settings, a fingerprint of the warehouse, a big valid
file, and the command line as a user runs it. The root conftest clears KPI_* variables."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import polars.selectors as cs
import pytest

from pipelines.ingest import ingest
from pipelines.intake.validate import Validated
from pipelines.settings import Settings
from pipelines.warehouse.store import open_reader

TODAY = date(2026, 11, 22)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "intake"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
REPORTERS = ["MOFA", "MOF", "MOHA", "MOPS", "MOIT", "HANOI", "HCMC", "DANANG", "HAIPHONG", "CANTHO"]


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, language="en", _env_file=None, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def intake_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


def fingerprint(settings: Settings) -> tuple:
    """Everything a load could change, reduced to a comparable tuple (None when nothing is published)."""
    with open_reader(settings.warehouse_path) as con:
        if con is None:
            return (0, None, 0, 0)
        obs = con.execute(
            "SELECT count(*), sum(hash(load_id, row_number, indicator, reporter, period, breakdown, value, unit, note))"
            " FROM observations"
        ).fetchone()
        current = con.execute("SELECT count(*) FROM current_observations").fetchone()[0]
        loads = con.execute("SELECT count(*) FROM loads WHERE status = 'loaded'").fetchone()[0]
        return (obs[0], obs[1], current, loads)


def observation_count(settings: Settings) -> int:
    return fingerprint(settings)[0]


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update({"KPI_DATA_DIR": str(settings.data_dir), "KPI_LANGUAGE": "en", **extra})
    return env


def run_cli(settings: Settings, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m pipelines.cli ARGS` as a user runs it, on the test's data folder."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], env=env or cli_env(settings),
        cwd=cwd or settings.data_dir.parent, capture_output=True, text=True, timeout=timeout,
    )


def popen_cli(settings: Settings, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", *args], env=env or cli_env(settings),
        cwd=settings.data_dir.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def write_big_file(path: Path, rows: int) -> None:
    """A valid file of `rows` distinct keys: STAFF_HEADCOUNT by reporter, quarter and country."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("indicator,reporter,period,country,value,unit,note\n")
        written, quarter = 0, 0
        while written < rows:
            period = f"{1950 + quarter // 4}-Q{quarter % 4 + 1}"
            for reporter in REPORTERS:
                block = min(1000, rows - written)
                out.write("".join(
                    f"STAFF_HEADCOUNT,{reporter},{period},C{c:04d},{(written + c) % 997},persons,\n" for c in range(block)
                ))
                written += block
                if written >= rows:
                    break
            quarter += 1


BIG_ROWS = 300_000


@pytest.fixture(scope="session")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One large valid file per session (~15 MB, a few seconds to load); copy it, never move it."""
    path = tmp_path_factory.mktemp("big") / "mofa_big_2026Q3.csv"
    write_big_file(path, BIG_ROWS)
    return path


SMALL = "utf8_plain_comma.csv"


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def staging_of(settings: Settings) -> Path:
    return settings.warehouse_path.with_name(settings.warehouse_path.name + ".next")


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return -1


def load_small(settings: Settings) -> tuple:
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / SMALL, settings.inbox_dir / SMALL)
    assert [o.status for o in ingest(None, settings, today=TODAY)] == ["loaded"]
    return fingerprint(settings)


def as_text(observations: pl.DataFrame | None) -> pl.DataFrame | None:
    """The rows to load with their categoricals as text (each validation has categories of its own)."""
    return None if observations is None else observations.with_columns(cs.categorical().cast(pl.String))


def assert_same_outcome(a: Validated, b: Validated) -> None:
    assert (a.problems, a.problem_count, a.info, a.rows_read) == (b.problems, b.problem_count, b.info, b.rows_read)
    if a.observations is None or b.observations is None:
        assert a.observations is None and b.observations is None
    else:
        assert as_text(a.observations).equals(as_text(b.observations))
