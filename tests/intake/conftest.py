"""Helpers for the intake tests: a big valid file, a small one loaded first, and waits. The shared
helpers (settings, fingerprint, TODAY, the CLI runner) live in tests/support/ and are
re-exported here under the names the intake tests use. The root conftest clears KPI_* variables."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import polars.selectors as cs
import pytest

from pipelines.ingest import ingest
from pipelines.intake.validate import Validated
from pipelines.settings import Settings
from tests.support.cli import kpi_env as cli_env
from tests.support.cli import popen_kpi as popen_cli
from tests.support.cli import run_kpi as run_cli
from tests.support.warehouse import TODAY, fingerprint, make_settings, observation_count

__all__ = ["TODAY", "cli_env", "fingerprint", "make_settings", "observation_count", "popen_cli", "run_cli"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "intake"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
REPORTERS = ["MOFA", "MOF", "MOHA", "MOPS", "MOIT", "HANOI", "HCMC", "DANANG", "HAIPHONG", "CANTHO"]


@pytest.fixture
def intake_settings(settings: Settings) -> Settings:
    """The root `settings` fixture, under the name the intake tests use."""
    return settings


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
