"""The sign-in throttle in Chromium against a real `streamlit run` (issue 14).

- Five wrong passwords from a stranger's address do not make the real user, at another
  address, wait: the real user signs in at once. The addresses reach the app as a proxy on
  this machine sends them (X-Forwarded-For on a loopback connection).
- Eight quick submits from eight tabs (one address, one name, wrong password) are checked one
  at a time: three are checked (the free failures), the other five are told to wait.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.browser.conftest import (CHROMIUM, Server, add_users, build_sample_warehouse, fill_login, h1, open_page,
                                    press_sign_in, server_folder, start_server, stop_server, wait_for_app)

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

from playwright.sync_api import expect  # noqa: E402

USERS = {"lan.viewer": "lan-password-2026", "tabs.viewer": "tabs-password-2026"}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("throttle")
    data = build_sample_warehouse(root)
    users = add_users(root / "users.toml", {name: ("viewer", password) for name, password in USERS.items()})
    folder = server_folder(root)
    srv = start_server(data, folder / "streamlit.log", users, folder=folder)
    yield srv
    stop_server(srv)


def wait_for_log(server: Server, start: int, text: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while server.log_text(start).count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} not logged {count} times:\n{server.log_text(start)}"
        time.sleep(0.05)


def test_a_strangers_wrong_passwords_do_not_lock_out_the_real_user(new_tab, server):
    start = server.log_size()
    stranger = new_tab(server, forwarded_for="10.0.0.66")
    open_page(stranger, server.url, "", "en")
    for attempt in range(1, 6):
        fill_login(stranger, "lan.viewer", f"guess-{attempt}")
        press_sign_in(stranger)
        wait_for_log(server, start, "login for 'lan.viewer'", attempt)  # failed, then throttled
        wait_for_app(stranger)
    assert server.log_text(start).count("throttled login for 'lan.viewer'") >= 1  # the stranger waits
    real = new_tab(server, forwarded_for="10.0.0.7")
    open_page(real, server.url, "", "en")
    fill_login(real, "lan.viewer", USERS["lan.viewer"])
    press_sign_in(real)
    expect(h1(real)).to_have_text("Indicators at a glance")  # at once: no "please wait"
    expect(real.locator("[data-testid='stSidebar']").get_by_text("Signed in: lan.viewer (viewer)")).to_be_visible()


def test_eight_quick_submits_from_eight_tabs_are_checked_once_each_up_to_the_free_ones(new_tab, server):
    tabs = [new_tab(server) for _ in range(8)]
    for tab in tabs:
        open_page(tab, server.url, "", "en")
        fill_login(tab, "tabs.viewer", "not-the-password")
    start = server.log_size()
    for tab in tabs:
        press_sign_in(tab)
    wait_for_log(server, start, "login for 'tabs.viewer'", 8)
    log = server.log_text(start)
    assert log.count("failed login for 'tabs.viewer'") == 3, log
    assert log.count("throttled login for 'tabs.viewer'") == 5, log
    for tab in tabs:
        wait_for_app(tab)
        expect(tab.locator("[data-testid='stAlertContentError']")).to_have_count(1)
        expect(tab.locator("[data-testid='stMetric']")).to_have_count(0)
