"""AppTest fixtures: the real dashboard (dashboard/app.py) over real warehouses built by the real pipeline.

Three data folders are built once per session:
- `sample_dir`: `kpi demo` (17 sample files) plus one faulty file, so the data status page has
  a rejection to show;
- `empty_dir`: nothing published yet (a fresh install);
- `rejected_only_dir`: a warehouse whose only load was a rejected file (no observation).

`dashboard.data.settings()` is an `st.cache_resource` and every loader an `st.cache_data`, both
process-wide: `open_app` points KPI_DATA_DIR at the wanted folder and clears both caches before
the first run, so no test sees another's warehouse.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import BAD_FILE, BAD_FILE_NAME  # noqa: F401 - re-exported to the suite's tests
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support.cli import run_kpi

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PAGES = {
    "overview": "views/overview.py",
    "indicator": "views/indicator.py",
    "missions": "views/missions.py",
    "review": "views/review.py",
    "data_status": "views/data_status.py",
    "upload": "views/upload.py",
}

# A valid revision: 98 agencies in 2026-Q3 instead of the sample's 97.
GOOD_FILE_NAME = "missions_revision.csv"
GOOD_FILE = (
    "indicator,reporter,period,value,unit,note\n"
    "MISSIONS_ABROAD,MOFA,2026-Q3,98,agencies,test revision\n"
).encode()


def _run_cli(data_dir: Path, *args: str) -> int:
    """`kpi ARGS` with KPI_DATA_DIR=data_dir and no other KPI_* setting; its exit code."""
    done = run_kpi(data_dir, *args, timeout=300)
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr
    return done.returncode


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("app_sample")
    data = root / "data"
    assert _run_cli(data, "demo", "--lang", "en") == 0
    bad = root / BAD_FILE_NAME
    bad.write_bytes(BAD_FILE)
    assert _run_cli(data, "ingest", str(bad), "--lang", "en") == 1
    return data


@pytest.fixture(scope="session")
def empty_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("app_empty") / "data"


@pytest.fixture(scope="session")
def rejected_only_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("app_rejected_only")
    data = root / "data"
    bad = root / BAD_FILE_NAME
    bad.write_bytes(BAD_FILE)
    assert _run_cli(data, "ingest", str(bad), "--lang", "en") == 1
    return data


@pytest.fixture
def writable_sample_dir(sample_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample warehouse, for tests that load more files."""
    copy = tmp_path / "data"
    shutil.copytree(sample_dir, copy)
    return copy


def clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


OpenApp = Callable[..., AppTest]


@pytest.fixture
def open_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenApp]:
    """open_app(data_dir, page='overview', lang=None, **query) -> AppTest after the page has run.

    The entry script runs first (as a browser's first request does: language from `?lang=`,
    navigation registered), then the app switches to the page. Fails on any exception.
    """

    def open_(data_dir: Path, page: str = "overview", lang: str | None = None, **query: str) -> AppTest:
        monkeypatch.setenv("KPI_DATA_DIR", str(data_dir))
        # Local demo mode: no users file (an empty config folder), no KPI_USERS_FILE (a missing one closes the app).
        monkeypatch.delenv("KPI_USERS_FILE", raising=False)
        monkeypatch.setenv("KPI_CONFIG_DIR", str(data_dir / "no-config"))
        # As `make run` serves it (.streamlit/config.toml): on loopback, where demo mode is allowed.
        st.config.set_option("server.address", "127.0.0.1")
        clear_caches()
        at = AppTest.from_file(str(APP), default_timeout=60)
        if lang is not None:
            at.query_params["lang"] = lang
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if page != "overview" or query:
            for key, value in query.items():
                at.query_params[key] = value
            at.switch_page(PAGES[page])
            at.run()
            assert not at.exception, [e.value for e in at.exception]
        return at

    yield open_
    clear_caches()
