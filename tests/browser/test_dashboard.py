"""End to end in Chromium: every page in both languages, the language switch, a card's link to its
indicator page, and an upload of a valid and an invalid file, against a real `streamlit run`."""

from __future__ import annotations

import csv as csv_module
import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import (BAD_FILE, BAD_FILE_NAME, CHROMIUM, download, full_page_screenshot, h1, nav_labels,
                                    open_page, start_server, stop_server, wait_for_app)

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

from playwright.sync_api import expect  # noqa: E402

from pipelines.catalog import load_catalog  # noqa: E402
from pipelines.settings import DEFAULT_CATALOG_DIR  # noqa: E402

MISSIONS = load_catalog(DEFAULT_CATALOG_DIR).indicators["MISSIONS_ABROAD"]
# A valid file that repeats a value already loaded: the load succeeds and no page changes.
SAME_VALUE_FILE_NAME = "missions_2019q1.csv"
SAME_VALUE_FILE = b"indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2019-Q1,96,agencies,\n"

NAV = {
    "vi": ["Tổng quan", "Chỉ tiêu", "Cơ quan đại diện", "Rà soát quý", "Tình trạng dữ liệu", "Nạp tệp"],
    "en": ["Overview", "Indicator", "Missions abroad", "Quarterly review", "Data status", "Upload"],
}
PAGES = {  # url path → (Vietnamese h1, English h1, a text the page must show in each language)
    "": ("Tổng quan các chỉ tiêu", "Indicators at a glance", ("Xem chi tiết", "Details")),
    "indicator?code=MISSIONS_ABROAD": (MISSIONS.name("vi"), MISSIONS.name("en"),
                                       ("Cách tính trạng thái", "How the status is worked out")),
    "missions": ("Cơ quan đại diện Việt Nam ở nước ngoài", "Vietnam's representative agencies abroad",
                 ("Mục tiêu 2030", "2030 target")),
    "review": ("Rà soát thực hiện Kế hoạch theo quý", "Quarterly review of the plan", ("Quý rà soát", "Quarter")),
    "data-status": ("Tình trạng tiếp nhận dữ liệu", "Data status",
                    ("Báo cáo lỗi của tệp bị từ chối", "Report of a rejected file")),
    "upload": ("Nạp tệp số liệu", "Upload data files", ("Tệp CSV hoặc Excel", "CSV or Excel files")),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", list(PAGES), ids=lambda p: p.split("?")[0] or "overview")
def test_every_page_in_both_languages(page, server, path, lang):
    vi_title, en_title, (vi_text, en_text) = PAGES[path]
    open_page(page, server.url, path, lang)
    expect(h1(page)).to_have_text(vi_title if lang == "vi" else en_title)
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text(vi_text if lang == "vi" else en_text).first).to_be_visible()
    assert nav_labels(page) == NAV[lang]
    radio = page.locator("[data-testid='stSidebar'] [role='radiogroup']")
    expect(radio.get_by_text("Tiếng Việt")).to_be_visible()
    expect(radio.get_by_text("English")).to_be_visible()
    # Nothing broke: no exception box, no "Page not found" dialog.
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.locator("[role='dialog']")).to_have_count(0)
    if path.startswith("data-status"):
        # The rejected file's report (the tables are canvas grids: read the alert and the code block).
        expect(main.locator("[data-testid='stAlert']").filter(has_text=BAD_FILE_NAME)).to_be_visible()
        expect(main.locator("[data-testid='stCode']")).to_contain_text(
            f"{BAD_FILE_NAME}, {'dòng 2, cột' if lang == 'vi' else 'row 2, column'} value")
    if path == "missions":
        expect(main.locator("[data-testid='stMetricValue']").first).to_have_text("97")
        expect(main.locator("[data-testid='stVegaLiteChart']")).to_have_count(2)
    page.wait_for_timeout(300)  # let charts finish drawing before the screenshot


def test_switch_language_with_the_sidebar_radio(page, server):
    page.goto(server.url + "/")
    wait_for_app(page)
    expect(h1(page)).to_have_text("Tổng quan các chỉ tiêu")
    metric_label = page.locator("[data-testid='stMetricLabel']").first
    expect(metric_label).to_contain_text("Mới nhất")

    page.locator("[data-testid='stSidebar'] [role='radiogroup']").get_by_text("English").click()
    expect(h1(page)).to_have_text("Indicators at a glance")
    wait_for_app(page)
    expect(metric_label).to_contain_text("Latest")
    assert nav_labels(page) == NAV["en"]
    expect(page.get_by_text("Details").first).to_be_visible()
    assert parse_qs(urlparse(page.url).query).get("lang") == ["en"]
    # English number format on the cards.
    expect(page.locator("[data-testid='stMetricValue']").filter(has_text=re.compile(r"^3,221 "))).to_have_count(1)

    # Another page through the sidebar: still English.
    page.locator("[data-testid='stSidebarNavLink']").filter(has_text="Missions abroad").click()
    expect(h1(page)).to_have_text("Vietnam's representative agencies abroad")
    wait_for_app(page)
    expect(page.get_by_text("Agencies abroad, Q3 2026")).to_be_visible()

    # And back to Vietnamese.
    page.locator("[data-testid='stSidebar'] [role='radiogroup']").get_by_text("Tiếng Việt").click()
    expect(h1(page)).to_have_text("Cơ quan đại diện Việt Nam ở nước ngoài")
    expect(page.get_by_text("Tổng số cơ quan đại diện, Quý 3/2026")).to_be_visible()


@pytest.mark.parametrize("lang, link", [("vi", "Xem chi tiết"), ("en", "Details")], ids=["vi", "en"])
def test_card_link_opens_the_indicator_page(page, server, lang, link):
    open_page(page, server.url, "", lang)
    anchor = page.locator("[data-testid='stPageLink'] a[href*='code=MISSIONS_ABROAD']")
    expect(anchor).to_contain_text(link)  # the label, after the icon
    card = anchor.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")  # the card holding the link
    expect(card.get_by_text(MISSIONS.name(lang), exact=True)).to_be_visible()
    expect(card.locator("[data-testid='stMetricValue']")).to_contain_text("97")
    anchor.click()
    expect(h1(page)).to_have_text(MISSIONS.name(lang))
    wait_for_app(page)
    url = urlparse(page.url)
    assert url.path == "/indicator"
    query = parse_qs(url.query)
    assert query.get("code") == ["MISSIONS_ABROAD"] and query.get("lang") == [lang]
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
    expect(page.get_by_text("Cách tính trạng thái" if lang == "vi" else "How the status is worked out")).to_be_visible()
    # A reload of that URL (a bookmark) shows the same indicator.
    page.reload()
    wait_for_app(page)
    expect(h1(page)).to_have_text(MISSIONS.name(lang))
    page.wait_for_timeout(300)


def test_indicator_downloads(page, server, tmp_path):
    """CSV with the targets as rows; the PNG is rendered only when asked for, and is a real PNG."""
    open_page(page, server.url, "indicator?code=MISSIONS_ABROAD", "vi")
    # The first script run may not have started when wait_for_app returns: a click on a button
    # that the run then re-mounts is lost. Wait for this page's own content, then for the run's end.
    expect(h1(page)).to_have_text(MISSIONS.name("vi"))
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    png = download(page, main.get_by_role("button", name="Tải ảnh PNG"))
    path = tmp_path / png.suggested_filename
    png.save_as(path)
    assert path.name == "MISSIONS_ABROAD_tong_2026-Q3.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    with page.expect_download() as csv:
        main.get_by_role("button", name="Tải CSV").first.click()
    rows = list(csv_module.reader(csv.value.path().read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["Kỳ", "Giá trị", "Đơn vị tính", ""]
    assert rows[1:3] == [["2030", "115.0", "cơ quan", "Mục tiêu"], ["2045", "150.0", "cơ quan", "Mục tiêu"]]


def test_upload_valid_and_invalid_files(page, server):
    open_page(page, server.url, "upload", "vi")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([
        {"name": SAME_VALUE_FILE_NAME, "mimeType": "text/csv", "buffer": SAME_VALUE_FILE},
        {"name": BAD_FILE_NAME, "mimeType": "text/csv", "buffer": BAD_FILE},
    ])
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text(f"{SAME_VALUE_FILE_NAME}: hợp lệ, 1 dòng sẵn sàng nạp.")).to_be_visible()
    expect(main.get_by_text(f"{BAD_FILE_NAME}: 2 lỗi — tệp sẽ bị từ chối.")).to_be_visible()
    problems = main.locator("[data-testid='stCode']")
    expect(problems).to_contain_text(f"{BAD_FILE_NAME}, dòng 2, cột value: -5 là số âm")
    expect(problems).to_contain_text(f"{BAD_FILE_NAME}, dòng 3, cột indicator: mã chỉ tiêu 'NOPE_CODE'")
    wait_for_app(page)

    # Confirm: the valid file loads, the faulty one is rejected with its report.
    main.get_by_role("button", name="Nạp 2 tệp").click()
    expect(main.get_by_text(re.compile(rf"^đã nạp\s+{re.escape(SAME_VALUE_FILE_NAME)}: 1 dòng"))).to_be_visible()
    expect(main.get_by_text(re.compile(rf"từ chối\s+{re.escape(BAD_FILE_NAME)}"))).to_be_visible()
    wait_for_app(page)
    archived = list((server.data_dir / "archive").glob(f"*{SAME_VALUE_FILE_NAME}"))
    assert len(archived) == 1


def test_upload_in_english(page, server):
    open_page(page, server.url, "upload", "en")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        {"name": BAD_FILE_NAME, "mimeType": "text/csv", "buffer": BAD_FILE})
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text(f"{BAD_FILE_NAME}: 2 problem(s) — the file will be rejected.")).to_be_visible()
    expect(main.locator("[data-testid='stCode']")).to_contain_text(f"{BAD_FILE_NAME}, row 2, column value: -5 is negative")
    expect(main.get_by_role("button", name="Load 1 file(s)")).to_be_visible()
    wait_for_app(page)


def test_deep_link_as_first_request_of_a_fresh_server(browser, sample_warehouse, tmp_path, request):
    """Regression: while the views lived in dashboard/pages/, Streamlit ran a fresh server's first
    request for a deep link as a legacy pages-folder app: the page file alone, without app.py
    (no sign-in, no language switch, navigation listing raw file names)."""
    fresh = start_server(sample_warehouse, tmp_path / "fresh.log", tmp_path / "no-users.toml")
    request.node.extra_servers = [fresh]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(fresh.url + "/missions?lang=en")
        wait_for_app(tab)
        expect(tab.locator("[data-testid='stMain'] h1").first).to_be_visible()
        # The entry script ran: the language switch is there and the navigation has the pages' titles.
        # Waited for, not counted at once: on a busy machine the sidebar can follow the heading by a moment.
        expect(tab.locator("[data-testid='stSidebar'] [role='radiogroup']")).to_have_count(1)
        assert nav_labels(tab) == NAV["en"]
    finally:
        full_page_screenshot(tab, request.node.name)
        context.close()
        stop_server(fresh)
