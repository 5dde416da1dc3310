"""End to end in Chromium: an analyst uploads a percentage sent as a fraction (0.86 for 86 %), sees the
preview (new/revised/unchanged) and the warning, cannot load until they acknowledge it, then loads;
the warning is recorded with the acknowledgement and listed on the data-status page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.warehouse.store import open_reader
from tests.browser.conftest import CHROMIUM, open_page, run_kpi, start_server, stop_server, wait_for_app

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "plausibility"
FILE = "online_pct_as_fraction.csv"


@pytest.fixture
def history_server(tmp_path, request):
    data = tmp_path / "data"
    done = run_kpi(data, "ingest", str(GOLDEN / "online_pct_history.csv"))
    assert done.returncode == 0, done.stdout + done.stderr
    srv = start_server(data, tmp_path / "streamlit.log", tmp_path / "no-users.toml")
    request.node.extra_servers = [srv]  # its log is printed if the test fails
    yield srv
    stop_server(srv)


def test_upload_preview_warning_acknowledgement_load(browser, history_server):
    from playwright.sync_api import expect

    expect.set_options(timeout=90_000)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(90_000)
    try:
        open_page(tab, history_server.url, "upload", lang="en")
        main = tab.locator("[data-testid='stMain']")
        tab.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
            {"name": FILE, "mimeType": "text/csv", "buffer": (GOLDEN / FILE).read_bytes()})
        # The preview: what the load would change, and the warning with its numbers.
        expect(main.get_by_text(f"{FILE}: 1 rows — 1 new, 0 revised, 0 unchanged.")).to_be_visible()
        expect(main.get_by_text(f"{FILE}: 1 plausibility warning(s) — an analyst must acknowledge them before loading.")
               ).to_be_visible()
        wait_for_app(tab)
        button = main.get_by_role("button", name="Load 1 file(s)")
        expect(button).to_be_disabled()
        # The acknowledgement, then the load.
        main.get_by_text(re.compile(r"have checked the warnings")).click()
        wait_for_app(tab)
        expect(button).to_be_enabled()
        button.click()
        expect(main.get_by_text(re.compile(rf"^loaded\s+{re.escape(FILE)}: 1 rows; 1 warning\(s\) acknowledged by "))).to_be_visible()
        wait_for_app(tab)
        with open_reader(history_server.data_dir / "warehouse" / "kpi.duckdb") as con:
            rows = con.execute("SELECT code, period, value FROM load_warnings").fetchall()
        assert rows == [("fraction_for_percent", "2026-Q3", 0.86)]
        # Afterwards: listed to follow up.
        open_page(tab, history_server.url, "data-status", lang="en")
        expect(main.get_by_text("Values to follow up")).to_be_visible()
    finally:
        context.close()
