"""Shared fixtures: an isolated data folder per test, the real catalog, and ways to drive the
pipeline exactly as a user does (files on disk, `python -m pipelines.cli`, a read-only look
at the published warehouse). Nothing of our own stack is mocked."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

import pytest

from pipelines.catalog import Catalog, load_catalog
from pipelines.settings import DEFAULT_CATALOG_DIR, Settings
from pipelines.warehouse.store import open_reader

TODAY = date(2026, 11, 22)  # every date-dependent rule is judged on this day, so tests do not rot
HEADER = ["indicator", "reporter", "period", "value", "unit", "note"]
# A faulty file in the reporters' template: a negative count (row 2) and an unknown code (row 3);
# the app and browser suites load it so the data status page has a rejection to show.
BAD_FILE_NAME = "bad_missions.csv"
BAD_FILE = (
    "indicator,reporter,period,value,unit,note\n"
    "MISSIONS_ABROAD,MOFA,2026-Q2,-5,agencies,\n"
    "NOPE_CODE,MOFA,2026-Q3,3,agencies,\n"
).encode()


def _clean_environ() -> dict[str, str]:
    """The caller's environment without any KPI_* setting that could leak into a test."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}


@pytest.fixture(autouse=True)
def _no_kpi_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("KPI_"):
            monkeypatch.delenv(name)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, language="en", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CATALOG_DIR)


def csv_text(rows: Iterable[Sequence[object]], delimiter: str = ",", header: Sequence[str] | None = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """write_csv(name, rows_or_text, *, header=HEADER, delimiter=',', encoding='utf-8', folder=None) -> Path.

    `rows_or_text` is either a list of rows (written with the csv module, header first) or the
    exact text/bytes of the file. Files go to tmp_path/'files' unless `folder` says otherwise.
    """

    def write(name: str, content: Iterable[Sequence[object]] | str | bytes, *, header: Sequence[str] | None = HEADER,
              delimiter: str = ",", encoding: str = "utf-8", folder: Path | None = None) -> Path:
        target_dir = folder if folder is not None else tmp_path / "files"
        target_dir.mkdir(parents=True, exist_ok=True)
        path = target_dir / name
        if isinstance(content, bytes):
            data = content
        elif isinstance(content, str):
            data = content.encode(encoding)
        else:
            data = csv_text(content, delimiter, header).encode(encoding)
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def query(settings: Settings) -> Callable[..., list[tuple]]:
    """query(sql, params=()) on the published warehouse, read-only; [] when nothing is published."""

    def run(sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with open_reader(settings.warehouse_path) as con:
            if con is None:
                return []
            return con.execute(sql, list(params)).fetchall()

    return run


def approve_everything(settings: Settings, actor: str = "test.approver") -> int:
    """Sign off every value waiting (sign-off is on by default), for tests about what comes after."""
    from pipelines.signoff import approve_all_pending

    return approve_all_pending(settings, actor)


def observation_count(settings: Settings) -> int:
    with open_reader(settings.warehouse_path) as con:
        return 0 if con is None else con.execute("SELECT count(*) FROM observations").fetchone()[0]


@pytest.fixture
def kpi(tmp_path: Path, data_dir: Path) -> Callable[..., subprocess.CompletedProcess]:
    """kpi('ingest', 'a.csv', env={...}, cwd=None) runs `python -m pipelines.cli` as a user would.

    It runs from tmp_path (so no stray .env is read) with KPI_DATA_DIR pointing at the test's
    data folder and messages in English; `env` adds or overrides variables (None unsets one).
    """

    def run(*args: object, env: dict[str, str | None] | None = None, cwd: Path | None = None,
            timeout: float = 120, input_text: str | None = None) -> subprocess.CompletedProcess:
        full_env = {**_clean_environ(), "KPI_DATA_DIR": str(data_dir), "KPI_LANGUAGE": "en", **(env or {})}
        full_env = {k: v for k, v in full_env.items() if v is not None}
        return subprocess.run(
            [sys.executable, "-m", "pipelines.cli", *map(str, args)],
            env=full_env, cwd=cwd or tmp_path, capture_output=True, text=True, timeout=timeout,
            input=input_text if input_text is not None else "",
        )

    return run
