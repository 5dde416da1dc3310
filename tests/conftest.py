"""Shared fixtures: an isolated data folder per test, the real catalog, and ways to drive the
pipeline exactly as a user does (files on disk, the `kpi` command, a read-only look at the
published warehouse). Nothing of our own stack is mocked. The plain helpers live in
tests/support/ and are re-exported here, so `from tests.conftest import TODAY, ...` keeps working."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from pipelines.catalog import Catalog, load_catalog
from pipelines.settings import DEFAULT_CATALOG_DIR, Settings
from pipelines.warehouse.store import open_reader
from tests.support.cli import kpi_env, run_kpi
from tests.support.warehouse import HEADER, TODAY, csv_text, make_settings, observation_count

__all__ = ["BAD_FILE", "BAD_FILE_NAME", "HEADER", "TODAY", "csv_text", "observation_count"]

# A faulty file in the reporters' template: a negative count (row 2) and an unknown code (row 3);
# the app and browser suites load it so the data status page has a rejection to show.
BAD_FILE_NAME = "bad_missions.csv"
BAD_FILE = (
    "indicator,reporter,period,value,unit,note\n"
    "MISSIONS_ABROAD,MOFA,2026-Q2,-5,agencies,\n"
    "NOPE_CODE,MOFA,2026-Q3,3,agencies,\n"
).encode()


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
    return make_settings(data_dir)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CATALOG_DIR)


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


@pytest.fixture
def kpi(tmp_path: Path, data_dir: Path) -> Callable[..., subprocess.CompletedProcess]:
    """kpi('ingest', 'a.csv', env={...}, cwd=None) runs the `kpi` command as a user would
    (tests/support/cli.py): from tmp_path (so no stray .env is read) with KPI_DATA_DIR pointing
    at the test's data folder and messages in English; `env` adds or overrides variables (None
    unsets one).
    """

    def run(*args: object, env: dict[str, str | None] | None = None, cwd: Path | None = None,
            timeout: float = 120, input_text: str | None = None) -> subprocess.CompletedProcess:
        return run_kpi(data_dir, *args, env=kpi_env(data_dir, **(env or {})), cwd=cwd or tmp_path,
                       timeout=timeout, input_text=input_text)

    return run


# Suites that start servers, proxies or Chromium, or measure (bench): on two workers (`make test`)
# they run one after another on one worker, never side by side (two Chromiums and two app servers
# on two cores time out).
SERIAL_SUITES = ("browser", "replicas", "load", "bench")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main thread
    for the session, and the load and replica tests' `asyncio.run` then refuses to start."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)  # stable: order kept otherwise


try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pytest-xdist is a dev dependency; without it everything runs in one process
    pass
else:
    class ModuleOrSerialScheduling(LoadScopeScheduling):
        """pytest-xdist's scope scheduling with our units of work: a test module (its module
        fixtures, a rendered deck or a sample warehouse, are built once), and the server suites
        together as one unit, run in collection order on one worker. (`--dist loadgroup` would say
        the same with marks, but it tags test ids in a way pytest 9 no longer reads.)"""

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            parts = module.split("/")
            return "serial" if len(parts) > 2 and parts[0] == "tests" and parts[1] in SERIAL_SUITES else module

    def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> ModuleOrSerialScheduling:
        return ModuleOrSerialScheduling(config, log)
