"""Fail closed and data as text, in Chromium against a real `streamlit run` (issue 14).

- A syntax error in `.streamlit/secrets.toml`'s [auth], and an empty users file, each close the
  app: every URL shows the operator's message and nothing else (no navigation, no login form,
  no demo mode, no traceback).
- A Markdown image and link in an uploaded file's name, in one of its cells and in `?code=`
  are shown as text: no <a> and no <img> for them in the DOM, and the browser requests nothing
  from their host.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.browser.conftest import (CHROMIUM, TIMEOUT_MS, Server, build_sample_warehouse, full_page_screenshot, h1,
                                    open_page, server_folder, start_server, stop_server, wait_for_app)

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

from playwright.sync_api import expect  # noqa: E402

BROKEN_SECRETS = (
    "[auth]\n"
    'redirect_uri = "https://kpi.example.gov.vn/oauth2callback\n'  # unterminated string
    'cookie_secret = "cookie-secret-that-must-never-reach-a-page"\n'
)
CLOSED = {"vi": "Ứng dụng tạm đóng", "en": "The app is closed"}
PAYLOAD = "![t](http://host/x.png) [link](http://host/login)"
WORD_JOINER = "\u2060"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("fail_closed"))


@pytest.fixture(scope="module")
def broken_secrets_server(warehouse: Path, tmp_path_factory) -> Iterator[Server]:
    folder = server_folder(tmp_path_factory.mktemp("broken_secrets"), BROKEN_SECRETS)
    srv = start_server(warehouse, folder / "streamlit.log", None, folder=folder)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def empty_users_server(warehouse: Path, tmp_path_factory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("empty_users")
    users = root / "users.toml"
    users.write_text("", encoding="utf-8")
    folder = server_folder(root)
    srv = start_server(warehouse, folder / "streamlit.log", users, folder=folder)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[Server]:
    """Nothing configured, on loopback, a private warehouse (the upload test loads into it)."""
    root = tmp_path_factory.mktemp("injection")
    data = build_sample_warehouse(root)
    folder = server_folder(root)
    srv = start_server(data, folder / "streamlit.log", None, folder=folder)
    yield srv
    stop_server(srv)


@pytest.fixture
def tab(browser, request) -> Iterator[object]:
    """A fresh tab that records every request it makes; screenshot at the end."""
    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.requests.append(r.url))  # type: ignore[attr-defined]
    yield page
    try:
        full_page_screenshot(page, request.node.name)
    finally:
        context.close()


def main(page):
    return page.locator("[data-testid='stMain']")


def expect_closed(page, server: Server, lang: str, reason: str) -> None:
    expect(h1(page)).to_have_text(CLOSED[lang])
    expect(main(page).locator("[data-testid='stAlertContentError']")).to_have_count(1)
    expect(main(page).locator("[data-testid='stCode']")).to_contain_text(reason)
    for testid in ("stSidebarNav", "stMetric", "stVegaLiteChart", "stDataFrame", "stForm", "stFileUploader",
                   "stPageLink", "stDownloadButton", "stException"):
        expect(page.locator(f"[data-testid='{testid}']")).to_have_count(0)
    expect(page.locator("input[type='password']")).to_have_count(0)
    text = page.locator("body").inner_text()
    for word in ("demo", "Traceback", "Indicators at a glance", "Tổng quan các chỉ tiêu", "cookie-secret"):
        assert word not in text, f"{word!r} shown on a closed app"
    assert "sign-in configuration error" in server.log_text()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", ["", "upload", "indicator?code=MISSIONS_ABROAD"], ids=["overview", "upload", "indicator"])
def test_a_broken_secrets_file_closes_the_app(tab, broken_secrets_server, path, lang):
    open_page(tab, broken_secrets_server.url, path, lang)
    expect_closed(tab, broken_secrets_server, lang, "secrets.toml is not valid TOML")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", ["", "upload"], ids=["overview", "upload"])
def test_an_empty_users_file_closes_the_app(tab, empty_users_server, path, lang):
    open_page(tab, empty_users_server.url, path, lang)
    expect_closed(tab, empty_users_server, lang, "holds no account")


def expect_shown_as_text(page) -> None:
    """The payload is visible as typed, and nothing of it became a link, an image or a request."""
    body = main(page)
    expect(body.locator("a[href*='host/']")).to_have_count(0)
    expect(body.locator("img[src*='host/']")).to_have_count(0)
    assert PAYLOAD in body.inner_text().replace(WORD_JOINER, "")
    assert not [u for u in page.requests if urlsplit(u).hostname == "host"], page.requests


def test_markdown_in_an_uploaded_file_name_and_cell_is_shown_as_text(tab, demo_server):
    open_page(tab, demo_server.url, "upload", "en")
    name = f"{PAYLOAD}.csv"
    body = ("indicator,reporter,period,value,unit,note\n"
            f'MISSIONS_ABROAD,MOFA,2026-Q3,"{PAYLOAD}",agencies,"{PAYLOAD}"\n').encode()
    tab.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": body})
    expect(main(tab).locator("[data-testid='stAlertContentError']")).to_contain_text("the file will be rejected")
    wait_for_app(tab)
    expect_shown_as_text(tab)
    error = main(tab).locator("[data-testid='stAlertContentError']").inner_text().replace(WORD_JOINER, "")
    assert error.startswith(f"{name}: 1 problem(s)"), error
    # The load itself: its summary line and the data status page's report show the name as text too.
    tab.get_by_role("button", name="Load 1 file(s)").click()
    wait_for_app(tab)
    expect(main(tab).get_by_text("rejected", exact=False).first).to_be_visible()
    expect_shown_as_text(tab)


def test_markdown_in_the_indicator_code_of_the_url_is_shown_as_text(tab, demo_server):
    open_page(tab, demo_server.url, f"indicator?code={quote(PAYLOAD)}", "en")
    warning = main(tab).locator("[data-testid='stAlertContentWarning']")
    expect(warning).to_have_count(1)
    assert warning.inner_text().replace(WORD_JOINER, "") == f"There is no indicator with code {PAYLOAD}."
    expect_shown_as_text(tab)
