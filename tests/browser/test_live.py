"""Live pages in Chromium: a file dropped into the inbox while the overview is open is ingested by
`kpi watch` and its value shows without a reload; the upload page shows a notice instead."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, Server, clean_env, open_page, start_server, stop_server

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

from playwright.sync_api import expect  # noqa: E402

from pipelines.catalog import load_catalog  # noqa: E402
from pipelines.settings import DEFAULT_CATALOG_DIR  # noqa: E402

MISSIONS = load_catalog(DEFAULT_CATALOG_DIR).indicators["MISSIONS_ABROAD"]
NEW_FILE = b"indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2026-Q4,101,agencies,live test\n"


@pytest.fixture
def live(sample_warehouse: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """A private copy of the sample data, served by its own dashboard with `kpi watch` beside it."""
    data = tmp_path / "data"
    shutil.copytree(sample_warehouse, data)
    # Sign-off off: this is about a publish reaching an open page (with it on, a new value waits
    # for an approver first; tests/browser/test_signoff.py walks that).
    server = start_server(data, tmp_path / "streamlit.log", tmp_path / "no-users.toml", KPI_APPROVAL="off")
    request.node.extra_servers = [server]
    watch_log = open(tmp_path / "watch.log", "wb")  # noqa: SIM115
    watcher = subprocess.Popen([sys.executable, "-m", "kpi", "watch", "--no-notify"], cwd=tmp_path,
                               env=clean_env(KPI_DATA_DIR=str(data), KPI_APPROVAL="off"), stdout=watch_log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while b"watching" not in (tmp_path / "watch.log").read_bytes():
            assert time.monotonic() < deadline and watcher.poll() is None, (tmp_path / "watch.log").read_text()
            time.sleep(0.1)
        yield server
    finally:
        watcher.terminate()
        watcher.wait(timeout=15)
        watch_log.close()
        print("----- watcher log -----\n" + (tmp_path / "watch.log").read_text(errors="replace"))
        stop_server(server)


def drop(data: Path, name: str, content: bytes) -> None:
    """As a copy tool does: written under a partial name, then renamed."""
    part = data / "inbox" / (name + ".part")
    part.write_bytes(content)
    part.rename(data / "inbox" / name)


def test_a_dropped_file_shows_on_the_open_overview_without_a_reload(page, live):
    open_page(page, live.url, "", "en")
    anchor = page.locator("[data-testid='stPageLink'] a[href*='code=MISSIONS_ABROAD']")
    value = anchor.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]").locator("[data-testid='stMetricValue']")
    expect(value).to_contain_text("97")
    page.evaluate("() => { window.__same_page = true }")  # gone if the page were reloaded
    dropped = time.monotonic()
    drop(live.data_dir, "mofa_missions_2026q4.csv", NEW_FILE)
    expect(value).to_contain_text("101", timeout=30_000)
    print(f"new value on the page {time.monotonic() - dropped:.1f} s after the drop")
    assert page.evaluate("() => window.__same_page === true")


def test_the_upload_page_shows_a_notice_instead_of_redrawing(page, live):
    open_page(page, live.url, "upload", "en")
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text("New data has arrived.")).to_have_count(0)
    drop(live.data_dir, "mofa_missions_2026q4.csv", NEW_FILE)
    expect(main.get_by_text("New data has arrived.")).to_be_visible(timeout=30_000)
    main.get_by_role("button", name="Refresh").click()
    expect(main.get_by_text("New data has arrived.")).to_have_count(0)
