"""Sign-in in Chromium against a real `streamlit run`, in both modes (issue 8).

- Built-in accounts (`kpi user add … --password-stdin` writes KPI_USERS_FILE): an anonymous
  visitor gets the login form and no data, on every URL; a viewer sees every page but has no
  upload page (not in the navigation, not by URL); an analyst uploads a file; a wrong password
  is refused; after three failures the next attempt must wait, even with the right password.
- OpenID Connect (`[auth]` in `.streamlit/secrets.toml`, read from the folder the server starts
  in): an anonymous visitor gets the "sign in with your organisation" button and no data; the
  provider here is unreachable, and clicking shows a short error without any secret.

Every server runs from its own folder holding a copy of the project's `.streamlit/config.toml`
(and, for OIDC, a secrets file), with HOME pointing there too, so a developer's own
`.streamlit/secrets.toml` or `~/.streamlit/` cannot change the mode under test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import (BAD_FILE_NAME, CHROMIUM, TIMEOUT_MS, Server, add_users, build_sample_warehouse,
                                    expect_signed_in, full_page_screenshot, h1, nav_labels, open_page, server_folder,
                                    start_server, stop_server, submit_login, wait_for_app)

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

from playwright.sync_api import expect  # noqa: E402

from pipelines.warehouse.store import open_reader  # noqa: E402

PASSWORDS = {  # name → (role, password); each test signs in with its own name (the throttle is per name)
    "hoa.viewer": ("viewer", "viewer-password-2026"),
    "minh.analyst": ("analyst", "analyst-password-2026"),
    "thu.analyst": ("analyst", "another-password-2026"),
    "throttle.viewer": ("viewer", "throttle-password-2026"),
}
COOKIE_SECRET = "cookie-secret-that-must-never-reach-a-page"
CLIENT_SECRET = "client-secret-that-must-never-reach-a-page"

TEXT = {
    "vi": {"title": "Đăng nhập", "name": "Tên đăng nhập", "password": "Mật khẩu", "button": "Đăng nhập",
           "oidc": "Đăng nhập bằng tài khoản cơ quan", "failed": "Tên đăng nhập hoặc mật khẩu không đúng.",
           "wait": re.compile(r"Đã nhập sai nhiều lần\. Vui lòng đợi (\d+) giây rồi thử lại\."),
           "overview": "Tổng quan các chỉ tiêu", "upload": "Nạp tệp số liệu"},
    "en": {"title": "Sign in", "name": "User name", "password": "Password", "button": "Sign in",
           "oidc": "Sign in with your organisation", "failed": "Wrong user name or password.",
           "wait": re.compile(r"Too many failed attempts\. Please wait (\d+) seconds and try again\."),
           "overview": "Indicators at a glance", "upload": "Upload data files"},
}
NAV_VIEWER = {
    "vi": ["Tổng quan", "Chỉ tiêu", "Cơ quan đại diện", "Rà soát quý", "Tình trạng dữ liệu"],
    "en": ["Overview", "Indicator", "Missions abroad", "Quarterly review", "Data status"],
}
PAGE_TITLES_VI = {  # navigation label → the page's h1 (None: any, the indicator page shows the first indicator)
    "Tổng quan": "Tổng quan các chỉ tiêu",
    "Chỉ tiêu": None,
    "Cơ quan đại diện": "Cơ quan đại diện Việt Nam ở nước ngoài",
    "Rà soát quý": "Rà soát thực hiện Kế hoạch theo quý",
    "Tình trạng dữ liệu": "Tình trạng tiếp nhận dữ liệu",
}
UPLOAD_FILE_NAME = "analyst_upload_missions.csv"
UPLOAD_FILE = b"indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2019-Q1,96,agencies,\n"


# --------------------------------------------------------------------------- servers

def start_server_in(folder: Path, data_dir: Path, users_file: Path) -> Server:
    """The conftest's server, started from `folder` so that its `.streamlit/` is the one read."""
    return start_server(data_dir, folder / "streamlit.log", users_file, folder=folder)

@pytest.fixture(scope="module")
def auth_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data plus one rejected file (its report is for analysts only)."""
    return build_sample_warehouse(tmp_path_factory.mktemp("auth"))


@pytest.fixture(scope="module")
def accounts_server(auth_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Built-in accounts, written the way an administrator does: `kpi user add NAME --role R --password-stdin`."""
    root = tmp_path_factory.mktemp("accounts")
    users_file = add_users(root / "users.toml", PASSWORDS)
    srv = start_server_in(server_folder(root), auth_warehouse, users_file)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def oidc_server(auth_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """[auth] in the secrets file, pointing at a provider that does not answer (port 9 on loopback)."""
    root = tmp_path_factory.mktemp("oidc")
    secrets = (
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:9/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "kpi-dashboard-test"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n'
    )
    # Accounts exist too: with [auth] present they must be ignored.
    users_file = add_users(root / "users.toml", {"hoa.viewer": PASSWORDS["hoa.viewer"]})
    srv = start_server_in(server_folder(root, secrets), auth_warehouse, users_file)
    yield srv
    stop_server(srv)


# --------------------------------------------------------------------------- helpers

def main(tab):
    return tab.locator("[data-testid='stMain']")


def expect_no_data(tab) -> None:
    """Nothing of the dashboard: no navigation, no figure, no chart, no table, no page title but
    the login's, no upload widget, no error box."""
    for testid in ("stSidebarNav", "stMetric", "stVegaLiteChart", "stDataFrame", "stTable", "stFileUploader",
                   "stPageLink", "stDownloadButton", "stException"):
        expect(tab.locator(f"[data-testid='{testid}']")).to_have_count(0)
    expect(tab.locator("[data-testid='stMain'] h1")).to_have_count(1)
    for text in ("Tổng quan các chỉ tiêu", "Indicators at a glance", "Chế độ demo", "Local demo mode", "Traceback"):
        expect(tab.get_by_text(text)).to_have_count(0)


def expect_login_form(tab, lang: str) -> None:
    words = TEXT[lang]
    expect(h1(tab)).to_have_text(words["title"])
    form = tab.locator("[data-testid='stForm']")
    expect(form.get_by_label(words["name"], exact=True)).to_be_visible()
    expect(form.get_by_label(words["password"], exact=True)).to_have_attribute("type", "password")
    expect(form.get_by_role("button", name=words["button"])).to_be_visible()


def sign_in(tab, name: str, lang: str = "vi") -> None:
    """Sign in and wait for the dashboard (the sidebar says who is signed in)."""
    role, password = PASSWORDS[name]
    submit_login(tab, name, password, lang)
    expect_signed_in(tab, name, role, lang)


def wait_for_log(server: Server, text: str, count: int, timeout: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout
    while server.log_text().count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} not logged {count} times in {timeout} s"
        time.sleep(0.05)


# --------------------------------------------------------------------------- anonymous visitors

ANONYMOUS_PATHS = ["", "upload", "data-status", "indicator?code=MISSIONS_ABROAD"]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", ANONYMOUS_PATHS, ids=lambda p: p.split("?")[0] or "overview")
def test_anonymous_visitor_gets_the_login_form(new_tab, accounts_server, path, lang):
    tab = new_tab(accounts_server)
    open_page(tab, accounts_server.url, path, lang)
    expect_login_form(tab, lang)
    expect(tab.get_by_role("button", name=TEXT[lang]["oidc"])).to_have_count(0)
    expect_no_data(tab)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", ["", "upload"], ids=["overview", "upload"])
def test_anonymous_visitor_gets_the_organisation_sign_in(new_tab, oidc_server, path, lang):
    tab = new_tab(oidc_server)
    open_page(tab, oidc_server.url, path, lang)
    expect(h1(tab)).to_have_text(TEXT[lang]["title"])
    expect(tab.get_by_role("button", name=TEXT[lang]["oidc"])).to_be_visible()
    # The built-in accounts are ignored when a provider is configured: no password form.
    expect(tab.locator("[data-testid='stForm']")).to_have_count(0)
    expect(tab.locator("input[type='password']")).to_have_count(0)
    expect_no_data(tab)


def test_organisation_sign_in_with_an_unreachable_provider_shows_no_secret(new_tab, oidc_server):
    tab = new_tab(oidc_server)
    open_page(tab, oidc_server.url, "", "en")
    tab.get_by_role("button", name=TEXT["en"]["oidc"]).click()
    tab.wait_for_url(re.compile(r"/auth/login"))
    tab.wait_for_load_state()
    body = tab.locator("body")
    expect(body).to_contain_text("Authentication error")
    full_page_screenshot(tab, "test_organisation_sign_in_with_an_unreachable_provider_shows_no_secret_error")
    text = tab.content()
    for secret in (COOKIE_SECRET, CLIENT_SECRET, "Traceback", "ConnectError", "127.0.0.1:9"):
        assert secret not in text, f"{secret!r} shown to the user"
    # Back at the app: still signed out.
    open_page(tab, oidc_server.url, "", "en")
    expect(tab.get_by_role("button", name=TEXT["en"]["oidc"])).to_be_visible()
    expect_no_data(tab)


# --------------------------------------------------------------------------- built-in accounts

def test_viewer_sees_every_page_but_no_upload(new_tab, accounts_server):
    tab = new_tab(accounts_server)
    open_page(tab, accounts_server.url)
    sign_in(tab, "hoa.viewer")
    expect(h1(tab)).to_have_text(TEXT["vi"]["overview"])
    expect(tab.locator("[data-testid='stMetricValue']").first).to_be_visible()
    assert nav_labels(tab) == NAV_VIEWER["vi"]
    hrefs = tab.locator("[data-testid='stSidebarNav'] a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and not any("upload" in h for h in hrefs), hrefs

    # Every page in the navigation, inside the signed-in session.
    for label, title in PAGE_TITLES_VI.items():
        tab.locator("[data-testid='stSidebarNavLink']").filter(has_text=label).click()
        if title is not None:
            expect(h1(tab)).to_have_text(title)
        wait_for_app(tab)
        expect(h1(tab)).to_be_visible()
        expect(tab.locator("[data-testid='stException']")).to_have_count(0)
        expect(tab.locator("[data-testid='stFileUploader']")).to_have_count(0)
    # The data status page: the rejected file is listed, its detailed report is for analysts.
    expect(main(tab).get_by_text("Báo cáo lỗi chi tiết của tệp bị từ chối chỉ hiển thị cho chuyên viên.")).to_be_visible()
    expect(main(tab).locator("[data-testid='stCode']")).to_have_count(0)

    # /upload reached inside this session (the browser's history API, as the back/forward
    # buttons do), without a new page load.
    tab.evaluate("() => { history.pushState({}, '', '/upload?lang=vi'); window.dispatchEvent(new PopStateEvent('popstate')); }")
    # The session handled it (it left the data status page) and fell back to the default page.
    expect(h1(tab)).to_have_text(TEXT["vi"]["overview"])
    wait_for_app(tab)
    expect(tab.locator("[data-testid='stFileUploader']")).to_have_count(0)
    expect(tab.get_by_text(TEXT["vi"]["upload"])).to_have_count(0)
    expect(tab.locator("[data-testid='stException']")).to_have_count(0)
    # Still signed in (nothing was reset), still no upload in the navigation.
    assert nav_labels(tab) == NAV_VIEWER["vi"]


def test_viewer_who_signs_in_at_the_upload_url_gets_no_upload_form(new_tab, accounts_server):
    tab = new_tab(accounts_server)
    open_page(tab, accounts_server.url, "upload")
    expect_login_form(tab, "vi")
    sign_in(tab, "hoa.viewer")
    expect(h1(tab)).to_have_text(TEXT["vi"]["overview"])  # the default page instead
    expect(tab.locator("[data-testid='stFileUploader']")).to_have_count(0)
    expect(tab.get_by_text(TEXT["vi"]["upload"])).to_have_count(0)
    assert nav_labels(tab) == NAV_VIEWER["vi"]


def test_analyst_uploads_a_file(new_tab, accounts_server):
    tab = new_tab(accounts_server)
    open_page(tab, accounts_server.url)
    sign_in(tab, "minh.analyst")
    assert nav_labels(tab) == [*NAV_VIEWER["vi"], "Nạp tệp"]
    tab.locator("[data-testid='stSidebarNavLink']").filter(has_text="Nạp tệp").click()
    expect(h1(tab)).to_have_text(TEXT["vi"]["upload"])
    wait_for_app(tab)
    tab.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        {"name": UPLOAD_FILE_NAME, "mimeType": "text/csv", "buffer": UPLOAD_FILE})
    expect(main(tab).get_by_text(f"{UPLOAD_FILE_NAME}: hợp lệ, 1 dòng sẵn sàng nạp.")).to_be_visible()
    wait_for_app(tab)
    main(tab).get_by_role("button", name="Nạp 1 tệp").click()
    expect(main(tab).get_by_text(re.compile(rf"^đã nạp\s+{re.escape(UPLOAD_FILE_NAME)}: 1 dòng"))).to_be_visible()
    wait_for_app(tab)
    assert len(list((accounts_server.data_dir / "archive").glob(f"*{UPLOAD_FILE_NAME}"))) == 1
    with open_reader(accounts_server.data_dir / "warehouse" / "kpi.duckdb") as con:
        status = con.execute("SELECT status FROM loads WHERE file_name = ?", [UPLOAD_FILE_NAME]).fetchall()
    assert status == [("loaded",)]
    # An analyst also sees the rejected file's detailed report.
    tab.locator("[data-testid='stSidebarNavLink']").filter(has_text="Tình trạng dữ liệu").click()
    expect(h1(tab)).to_have_text("Tình trạng tiếp nhận dữ liệu")
    expect(main(tab).locator("[data-testid='stCode']")).to_contain_text(f"{BAD_FILE_NAME}, dòng 2, cột value")
    wait_for_app(tab)


@pytest.mark.parametrize("name, password", [("thu.analyst", "not-the-password"), ("nobody.here", "whatever-password")],
                         ids=["wrong-password", "unknown-user"])
def test_wrong_password_is_refused(new_tab, accounts_server, name, password):
    tab = new_tab(accounts_server)
    open_page(tab, accounts_server.url, "", "en")
    submit_login(tab, name, password, "en")
    # The same message for an unknown name and a wrong password: nothing tells which names exist.
    expect(main(tab).locator("[data-testid='stAlertContentError']")).to_have_text(TEXT["en"]["failed"])
    wait_for_app(tab)
    expect_login_form(tab, "en")
    expect_no_data(tab)


def test_repeated_failures_are_slowed_down(new_tab, accounts_server):
    """Three failures are free; the fourth attempt, within the 2 s that follow, is refused with
    the 'wait' message even with the right password; once the wait is over, it signs in."""
    name = "throttle.viewer"
    right = PASSWORDS[name][1]
    tab = new_tab(accounts_server)
    open_page(tab, accounts_server.url)
    error = main(tab).locator("[data-testid='stAlertContentError']")
    for attempt in range(1, 4):
        submit_login(tab, name, f"wrong-password-{attempt}", "vi")
        # The same message is redrawn on every attempt: count the server's log lines instead.
        wait_for_log(accounts_server, f"failed login for '{name}'", attempt)
        wait_for_app(tab)
        expect(error).to_have_text(TEXT["vi"]["failed"])
    submit_login(tab, name, right, "vi")
    expect(error).to_have_text(TEXT["vi"]["wait"])
    seconds = int(TEXT["vi"]["wait"].search(error.inner_text()).group(1))
    assert 1 <= seconds <= 2
    wait_for_app(tab)
    expect_no_data(tab)
    full_page_screenshot(tab, "test_repeated_failures_are_slowed_down_waiting")
    # Slowed down, not locked out.
    tab.wait_for_timeout(seconds * 1000 + 500)
    sign_in(tab, name)
    expect(h1(tab)).to_have_text(TEXT["vi"]["overview"])
