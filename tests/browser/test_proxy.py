"""Behind the reverse proxy exactly as docs/deployment.md configures it (Debian's nginx), in
Chromium (issue 14):

- nothing configured: the app binds to 127.0.0.1, but the request comes through the proxy, so
  demo mode is refused and nothing of the dashboard is shown;
- with accounts: every response carries X-Frame-Options and a Content-Security-Policy with
  frame-ancestors, and the app still works under that policy: sign in, the overview's cards
  and charts, the indicator page's chart, with no CSP violation reported by the browser;
- another site cannot frame it;
- a browser that names the server by a public host name gets no demo mode even with no
  forwarded header (a TCP-level proxy), while 127.0.0.1 itself still gets the local demo.

The nginx `server` block is read from the documentation itself; only what a test cannot use is
changed: TLS (plain HTTP on a free loopback port) and the upstream port.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import (CHROMIUM, ROOT, TIMEOUT_MS, Server, add_users, build_sample_warehouse, free_port,
                                    full_page_screenshot, h1, open_page, server_folder, start_server, stop_server,
                                    submit_login, wait_for_app)

pytestmark = pytest.mark.browser

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
if not Path(NGINX).exists():
    pytest.skip("nginx is missing: apt-get install nginx-light (Debian)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

from playwright.sync_api import expect  # noqa: E402

ANALYST = ("proxy.analyst", "analyst-password-2026")


def documented_server_block() -> str:
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```nginx\n(.*?)```", text, flags=re.S)
    return block


def nginx_conf(root: Path, listen: int, upstream: int) -> Path:
    block = documented_server_block()
    block = re.sub(r"listen 443 ssl[^;]*;", f"listen 127.0.0.1:{listen};", block)
    block = re.sub(r"^\s*ssl_\S+ [^\n]*\n", "", block, flags=re.M)
    assert "127.0.0.1:8501" in block, "the documented upstream moved; update this test"
    block = block.replace("127.0.0.1:8501", f"127.0.0.1:{upstream}")
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = root / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {root}/nginx.pid;\nerror_log {root}/error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"  access_log {root}/access.log;\n"
        f"  client_body_temp_path {root}/body; proxy_temp_path {root}/proxy;\n"
        f"  fastcgi_temp_path {root}/fastcgi; uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;\n"
        f"{block}\n}}\n",
        encoding="utf-8",
    )
    return conf


class Proxy:
    def __init__(self, root: Path, upstream: Server) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        conf = nginx_conf(root, self.port, int(upstream.url.rsplit(":", 1)[1]))
        self.process = subprocess.Popen([NGINX, "-p", str(root), "-c", str(conf)], stdout=subprocess.DEVNULL,
                                        stderr=open(root / "nginx.out", "wb"))  # noqa: SIM115
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (root / "nginx.out").read_text() + (root / "error.log").read_text()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("nginx did not answer in 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("proxy"))


@pytest.fixture(scope="module")
def open_proxy(warehouse, tmp_path_factory) -> Iterator[Proxy]:
    """Nothing configured behind the proxy: the mistake issue 14 found."""
    root = tmp_path_factory.mktemp("proxy_open")
    folder = server_folder(root)
    app = start_server(warehouse, folder / "streamlit.log", None, folder=folder)
    proxy = Proxy(root, app)
    yield proxy
    proxy.stop()
    stop_server(app)


@pytest.fixture(scope="module")
def accounts_proxy(warehouse, tmp_path_factory) -> Iterator[Proxy]:
    root = tmp_path_factory.mktemp("proxy_accounts")
    users = add_users(root / "users.toml", {ANALYST[0]: ("analyst", ANALYST[1])})
    folder = server_folder(root)
    app = start_server(warehouse, folder / "streamlit.log", users, folder=folder)
    proxy = Proxy(root, app)
    yield proxy
    proxy.stop()
    stop_server(app)


@pytest.fixture
def tab(browser, request) -> Iterator[object]:
    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.console = []  # type: ignore[attr-defined]
    page.on("console", lambda m: page.console.append(m.text))  # type: ignore[attr-defined]
    yield page
    try:
        full_page_screenshot(page, request.node.name)
    finally:
        context.close()


def test_nothing_configured_behind_the_proxy_is_not_demo_mode(tab, open_proxy):
    open_page(tab, open_proxy.url, "", "en")
    expect(tab.locator("[data-testid='stMain'] [data-testid='stAlertContentError']")).to_contain_text(
        "only for a browser on the server itself")
    for testid in ("stSidebarNav", "stMetric", "stVegaLiteChart", "stDataFrame", "stFileUploader"):
        expect(tab.locator(f"[data-testid='{testid}']")).to_have_count(0)
    assert "demo mode:" not in tab.locator("[data-testid='stSidebar']").inner_text().lower()


def test_security_headers_and_the_app_works_under_its_policy(tab, accounts_proxy):
    response = tab.goto(f"{accounts_proxy.url}/?lang=en")
    headers = response.headers
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    wait_for_app(tab)
    submit_login(tab, *ANALYST)
    expect(h1(tab)).to_have_text("Indicators at a glance")
    wait_for_app(tab)
    expect(tab.locator("[data-testid='stMetric']").first).to_be_visible()
    expect(tab.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first).to_be_visible()
    for page in ("Indicator", "Missions abroad"):  # a line chart with its working; the world map
        tab.locator("[data-testid='stSidebarNavLink']").filter(has_text=page).click()
        wait_for_app(tab)
        expect(tab.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first).to_be_visible()
    violations = [m for m in tab.console if "Content Security Policy" in m or "Refused to" in m or "EvalError" in m]
    assert not violations, violations


def test_another_site_cannot_frame_the_app(tab, accounts_proxy):
    tab.set_content(f'<iframe id="f" src="{accounts_proxy.url}/" width="800" height="600"></iframe>')
    tab.wait_for_timeout(3000)
    frame = tab.frame_locator("#f")
    expect(frame.locator("[data-testid='stApp']")).to_have_count(0)


def test_a_public_host_name_is_not_demo_mode_even_without_forwarded_headers(browser, open_proxy):
    """A TCP-level proxy, or HAProxy without `option forwardfor`, adds no header, but the
    browser's Host names the public address: still no demo mode. Chromium resolves the public
    name to 127.0.0.1 here and talks to the app directly, past nginx."""
    from tests.browser.conftest import CHROMIUM_ARGS

    app_port = int(re.search(r"proxy_pass http://127\.0\.0\.1:(\d+)", (open_proxy.root / "nginx.conf").read_text()).group(1))
    # A second Chromium of the same Playwright, resolving the public name to loopback.
    public = browser.browser_type.launch(executable_path=str(CHROMIUM),
                                         args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP kpi.example.test 127.0.0.1"])
    try:
        page = public.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        open_page(page, f"http://kpi.example.test:{app_port}", "", "en")
        expect(page.locator("[data-testid='stAlertContentError']")).to_contain_text(
            "only for a browser on the server itself")
        expect(page.locator("[data-testid='stMetric']")).to_have_count(0)
        full_page_screenshot(page, "test_a_public_host_name_is_not_demo_mode_even_without_forwarded_headers")
        # The same server from 127.0.0.1 itself, with nothing in between: the local demo.
        open_page(page, f"http://127.0.0.1:{app_port}", "", "en")
        expect(h1(page)).to_have_text("Indicators at a glance")
        expect(page.locator("[data-testid='stSidebar']").get_by_text("Local demo mode", exact=False)).to_be_visible()
    finally:
        public.close()
