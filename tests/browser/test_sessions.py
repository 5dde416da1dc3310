"""Sessions that last (issue 17), in Chromium against a real `streamlit run dashboard/server.py`
with built-in accounts:

- a reload keeps the user signed in, and so does a new tab of the same browser; the cookie is
  HttpOnly and SameSite=Lax (not Secure over plain http), for KPI_SESSION_HOURS;
- signing out ends it: the cookie is gone, another open tab of that session is signed out on
  its next step, and the old cookie's value, put back by hand, no longer signs anyone in;
- a tampered cookie is ignored;
- a deep link (page, indicator, breakdown, language) opened while signed out is where the
  user lands after signing in, and a reload keeps it;
- the sign-in and sign-out of an analyst are rows of `kpi audit`, under their name; a viewer's
  are not.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.browser.conftest import (CHROMIUM, Server, add_users, build_sample_warehouse, expect_signed_in, h1,
                                    open_page, run_kpi, server_folder, sign_in, start_server, stop_server,
                                    wait_for_app)

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

from playwright.sync_api import expect  # noqa: E402

ACCOUNTS = {  # name -> (role, password); one name per test, so no test's sign-out touches another's
    "reload.analyst": ("analyst", "reload-password-2026"),
    "out.analyst": ("analyst", "sign-out-password-2026"),
    "link.viewer": ("viewer", "link-password-2026"),
    "audit.approver": ("approver", "audit-password-2026"),
    "quiet.viewer": ("viewer", "quiet-password-2026"),
}
HOURS = 2
BREAKDOWN = '{"mission_type":"embassy"}'


@pytest.fixture(scope="module")
def session_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("sessions")
    data = build_sample_warehouse(root)
    users = add_users(root / "users.toml", ACCOUNTS)
    folder = server_folder(root)
    srv = start_server(data, folder / "streamlit.log", users, folder=folder, KPI_SESSION_HOURS=str(HOURS))
    yield srv
    stop_server(srv)


def login(tab, server: Server, name: str, path: str = "overview") -> None:
    open_page(tab, server.url, path, "en")
    expect(h1(tab)).to_have_text("Sign in")
    role, password = ACCOUNTS[name]
    sign_in(tab, name, password, role)


def session_cookie(tab, timeout_s: float = 30.0) -> dict:
    """The browser's `kpi_session` cookie, once the page's hand-off image has set it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [c for c in tab.context.cookies() if c["name"] == "kpi_session"]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no kpi_session cookie after {timeout_s} s: {tab.context.cookies()}")


def expect_login_form(tab) -> None:
    expect(h1(tab)).to_have_text("Sign in")
    expect(tab.locator("[data-testid='stForm']").get_by_label("Password", exact=True)).to_be_visible()
    expect(tab.locator("[data-testid='stMetric']")).to_have_count(0)


def sign_out(tab) -> None:
    tab.locator("[data-testid='stSidebar']").get_by_role("button", name="Sign out").click()
    expect_login_form(tab)
    wait_for_app(tab)


def test_a_reload_and_a_new_tab_keep_the_user_signed_in(new_tab, session_server):
    tab = new_tab(session_server)
    login(tab, session_server, "reload.analyst")
    cookie = session_cookie(tab)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False  # plain http here; Secure behind TLS
    assert cookie["path"] == "/"
    assert HOURS * 3600 - 120 < cookie["expires"] - time.time() <= HOURS * 3600 + 5
    assert "reload.analyst" not in cookie["value"]  # encoded and signed, not the name in clear
    assert tab.evaluate("() => document.cookie").find("kpi_session") == -1  # HttpOnly: no script sees it

    tab.reload()
    wait_for_app(tab)
    expect_signed_in(tab, "reload.analyst", "analyst")
    expect(h1(tab)).to_have_text("Indicators at a glance")
    expect(tab.locator("[data-testid='stForm']")).to_have_count(0)

    second = tab.context.new_page()  # a new tab of the same browser
    open_page(second, session_server.url, "data-status", "en")
    expect_signed_in(second, "reload.analyst", "analyst")
    expect(h1(second)).to_have_text("Data status")


def test_sign_out_ends_the_session_everywhere_and_the_old_cookie_no_longer_works(new_tab, session_server, browser):
    tab = new_tab(session_server)
    login(tab, session_server, "out.analyst")
    old = session_cookie(tab)
    other = tab.context.new_page()  # another tab of this session, open while signing out
    open_page(other, session_server.url, "overview", "en")
    expect_signed_in(other, "out.analyst", "analyst")

    sign_out(tab)
    deadline = time.monotonic() + 30
    while any(c["name"] == "kpi_session" for c in tab.context.cookies()):
        assert time.monotonic() < deadline, "the cookie was not cleared"
        time.sleep(0.1)
    tab.reload()
    expect_login_form(tab)

    # The other tab is signed out at its next step.
    other.locator("[data-testid='stSidebarNavLink']").filter(has_text="Data status").click()
    expect_login_form(other)

    # The old value, kept by someone and put back: no longer signs in.
    replay = new_tab(session_server)
    replay.context.add_cookies([{k: old[k] for k in ("name", "value", "domain", "path", "httpOnly", "sameSite")}])
    open_page(replay, session_server.url, "overview", "en")
    expect_login_form(replay)


def test_a_tampered_cookie_is_ignored(new_tab, session_server):
    tab = new_tab(session_server)
    login(tab, session_server, "quiet.viewer")
    cookie = session_cookie(tab)
    version, payload, signature = cookie["value"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["n"] = "audit.approver"  # another, stronger account
    forged = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=")
    stranger = new_tab(session_server)
    stranger.context.add_cookies([{"name": "kpi_session", "value": f"{version}.{forged.decode()}.{signature}",
                                   "domain": cookie["domain"], "path": "/"}])
    open_page(stranger, session_server.url, "overview", "en")
    expect_login_form(stranger)


def test_a_deep_link_opened_signed_out_is_where_the_user_lands_and_stays(new_tab, session_server):
    tab = new_tab(session_server)
    path = f"indicator?code=MISSIONS_ABROAD&breakdown={quote(BREAKDOWN)}"
    open_page(tab, session_server.url, path, "en")
    expect(h1(tab)).to_have_text("Sign in")
    role, password = ACCOUNTS["link.viewer"]
    sign_in(tab, "link.viewer", password, role)

    def at_the_link() -> None:
        expect(h1(tab)).to_contain_text("Representative agencies of Vietnam abroad")
        expect(tab.get_by_role("combobox", name="Breakdown")).to_have_value("mission_type: Embassy")
        url = urlsplit(tab.url)
        query = parse_qs(url.query)
        assert url.path == "/indicator", tab.url
        assert query["code"] == ["MISSIONS_ABROAD"] and query["lang"] == ["en"], tab.url
        assert json.loads(query["breakdown"][0]) == json.loads(BREAKDOWN), tab.url

    at_the_link()
    session_cookie(tab)
    tab.reload()
    wait_for_app(tab)
    expect_signed_in(tab, "link.viewer", "viewer")
    at_the_link()


def test_sign_in_and_sign_out_are_in_kpi_audit_under_the_name(new_tab, session_server):
    tab = new_tab(session_server)
    login(tab, session_server, "audit.approver")
    session_cookie(tab)
    tab.reload()  # a restored session is not a new sign-in
    expect_signed_in(tab, "audit.approver", "approver")
    sign_out(tab)
    viewer = new_tab(session_server)
    login(viewer, session_server, "quiet.viewer")  # a viewer's sign-in is not recorded

    done = run_kpi(session_server.data_dir, "audit", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads(done.stdout)
    mine = [(r["actor"], r["action"], r["source"]) for r in rows if r["actor"] == "audit.approver"]
    assert mine == [("audit.approver", "sign-in", "signins"), ("audit.approver", "sign-out", "signins")], rows[-6:]
    assert not [r for r in rows if r["actor"] == "quiet.viewer"]
    signed_in = next(r for r in rows if r["actor"] == "audit.approver")
    assert signed_in["details"]["role"] == "approver" and signed_in["details"]["mode"] == "password"
    # Merged in time order with the warehouse's rows (the sample's loads come first).
    stamps = [r["at"] for r in rows]
    assert stamps == sorted(stamps)
    assert rows[0]["source"] == "warehouse"
    text = run_kpi(session_server.data_dir, "audit").stdout
    assert "audit.approver" in text and "sign-in" in text and "sign-out" in text
