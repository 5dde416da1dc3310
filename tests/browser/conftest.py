"""Browser fixtures: a real `streamlit run dashboard/server.py` on a free loopback port over a warehouse
holding the sample data, driven by Debian's Chromium through Playwright.

- The server's stdout/stderr go to a log file; when a test fails its part of the log is printed.
- Every test leaves a full-page screenshot in test-output/screenshots/<test-name>.png.
- Chromium is never downloaded (`playwright install` is not used): /usr/bin/chromium or a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import BAD_FILE, BAD_FILE_NAME  # noqa: F401 - re-exported to the suite's tests
from tests.support import cli as support_cli

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
TIMEOUT_MS = 90_000  # the review page renders 16 PNG panels on its first view (≈10 s on a busy 2-core machine)



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(extra)
    return env


@dataclass
class Server:
    url: str
    log_path: Path
    process: subprocess.Popen
    data_dir: Path

    def log_text(self, start: int = 0) -> str:
        return self.log_path.read_bytes()[start:].decode("utf-8", "replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0


def start_server(data_dir: Path, log_path: Path, users_file: Path | None, folder: Path | None = None,
                 **extra_env: str) -> Server:
    """`streamlit run <abs>/dashboard/server.py` on a free loopback port, from the project root (its
    .streamlit/config.toml applies) or from `folder`, which is then also HOME, so that folder's
    `.streamlit/` (config, secrets) is the one Streamlit reads.

    `users_file` None or missing: no users file at all (KPI_CONFIG_DIR is an empty folder, so a
    developer's own .streamlit/users.toml cannot change the mode); a missing KPI_USERS_FILE
    would close the app. `extra_env` sets more KPI_* variables as given."""
    port = free_port()
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    users = ({"KPI_USERS_FILE": str(users_file)} if users_file is not None and users_file.exists()
             else {"KPI_CONFIG_DIR": str(log_path.parent / "no-config")})
    env = clean_env(**{"KPI_DATA_DIR": str(data_dir), **users, **({"HOME": str(folder)} if folder else {}), **extra_env})
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "server.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=folder or ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    server = Server(f"http://127.0.0.1:{port}", log_path, process, data_dir)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"streamlit did not become healthy in 60 s:\n{server.log_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def server_folder(root: Path, secrets: str | None = None) -> Path:
    """A folder to start a server from (`start_server(folder=...)`): a copy of the project's
    `.streamlit/config.toml` and, when given, a secrets file, so that a developer's own
    `.streamlit/secrets.toml` or `~/.streamlit/` cannot change the mode under test."""
    folder = root / "cwd"
    (folder / ".streamlit").mkdir(parents=True)
    shutil.copyfile(ROOT / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    if secrets is not None:
        (folder / ".streamlit" / "secrets.toml").write_text(secrets, encoding="utf-8")
    return folder


def add_users(users_file: Path, accounts: dict[str, tuple[str, str]]) -> Path:
    """Built-in accounts {name: (role, password)}, written as an administrator does:
    `kpi user add NAME --role R --password-stdin`. Checks no password reached the file."""
    for name, (role, password) in accounts.items():
        done = subprocess.run([sys.executable, "-m", "kpi", "user", "add", name, "--role", role, "--password-stdin"],
                              input=password + "\n", cwd=users_file.parent, env=clean_env(KPI_USERS_FILE=str(users_file)),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
    text = users_file.read_text(encoding="utf-8")
    assert all(p not in text for _, p in accounts.values()), "a password was written in plain text"
    return users_file


LOGIN_WORDS = {
    "vi": {"name": "Tên đăng nhập", "password": "Mật khẩu", "button": "Đăng nhập", "signed": "Đăng nhập",
           "viewer": "xem", "analyst": "chuyên viên", "approver": "người phê duyệt", "logout": "Đăng xuất"},
    "en": {"name": "User name", "password": "Password", "button": "Sign in", "signed": "Signed in",
           "viewer": "viewer", "analyst": "analyst", "approver": "approver", "logout": "Sign out"},
}


def fill_login(tab, name: str, password: str, lang: str = "en") -> None:
    words = LOGIN_WORDS[lang]
    form = tab.locator("[data-testid='stForm']")
    form.get_by_label(words["name"], exact=True).fill(name)
    form.get_by_label(words["password"], exact=True).fill(password)


def press_sign_in(tab, lang: str = "en") -> None:
    tab.locator("[data-testid='stForm']").get_by_role("button", name=LOGIN_WORDS[lang]["button"]).click()


def submit_login(tab, name: str, password: str, lang: str = "en") -> None:
    fill_login(tab, name, password, lang)
    press_sign_in(tab, lang)


def signed_in_text(name: str, role: str, lang: str = "en") -> str:
    words = LOGIN_WORDS[lang]
    return f"{words['signed']}: {name} ({words[role]})"


def expect_signed_in(tab, name: str, role: str, lang: str = "en") -> None:
    from playwright.sync_api import expect

    expect(tab.locator("[data-testid='stSidebar']").get_by_text(signed_in_text(name, role, lang))).to_be_visible()
    wait_for_app(tab)


def sign_in(tab, name: str, password: str, role: str, lang: str = "en") -> None:
    """The login form filled and sent; waits until the sidebar says who is signed in."""
    submit_login(tab, name, password, lang)
    expect_signed_in(tab, name, role, lang)


def run_kpi(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return support_cli.run_kpi(data_dir, *args, env=clean_env(KPI_DATA_DIR=str(data_dir)))


def build_sample_warehouse(root: Path) -> Path:
    """`kpi demo` plus one rejected file under root/data, so the data status page has a report to show."""
    data = root / "data"
    done = run_kpi(data, "demo", "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    bad = root / BAD_FILE_NAME
    bad.write_bytes(BAD_FILE)
    done = run_kpi(data, "ingest", str(bad), "--lang", "en")
    assert done.returncode == 1, done.stdout + done.stderr
    return data


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="session")
def server(sample_warehouse: Path) -> Iterator[Server]:
    srv = start_server(sample_warehouse, sample_warehouse.parent / "streamlit.log",
                       sample_warehouse.parent / "no-users.toml")
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def wait_for_app(page, timeout: float = TIMEOUT_MS) -> None:
    """As Streamlit's own e2e tests do: connected, then the script run finished."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def open_page(page, base_url: str, path: str = "", lang: str = "vi") -> None:
    """A page of the app in a language, as a link or a bookmark opens it."""
    sep = "&" if "?" in path else "?"
    page.goto(f"{base_url}/{path}{sep}lang={lang}")
    wait_for_app(page)


def h1(page):
    return page.locator("[data-testid='stMain'] h1").first


def download(page, button, attempts: int = 3, timeout_ms: float = 30_000):
    """The file a download button gives, clicking again if a click brings none.

    A button whose bytes are made on click (a PNG) is registered anew on each script run; a
    click that lands just as a run re-registers it can bring nothing, in about one fresh-clone
    run in four, or a download the browser then cancels (its URL gone). A user clicks again, and
    so does this. Three clicks without a whole file still fail.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        try:
            with page.expect_download(timeout=timeout_ms) as info:
                button.click()
            failure = info.value.failure()  # waits for the download to end
            if failure is None:
                return info.value
            if attempt == attempts - 1:
                raise AssertionError(f"download failed {attempts} times, last: {failure}")
            print(f"download: {failure} after click {attempt + 1}, clicking again")
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            print(f"download: no file {timeout_ms / 1000:.0f} s after click {attempt + 1}, clicking again")
        wait_for_app(page)
    raise AssertionError("unreachable")


def nav_labels(page) -> list[str]:
    from playwright.sync_api import expect

    links = page.locator("[data-testid='stSidebarNav'] [data-testid='stSidebarNavLink']")
    expect(links.first).to_be_visible()
    # A link's text is the Material icon's ligature name then the label: keep the label.
    return [t.strip().splitlines()[-1].strip() for t in links.all_inner_texts()]


def _screenshot_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name).strip("_") + ".png"


@pytest.fixture
def page(browser, server: Server, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser tab (own session) at 1400 px wide; a full-page screenshot is saved at the end."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")  # the page decides formats
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    yield tab
    try:
        full_page_screenshot(tab, request.node.name)
    finally:
        context.close()


@pytest.fixture
def new_tab(browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., object]]:
    """Fresh browser tabs, each in its own browser context (own cookies, own Streamlit session):
    `new_tab(server)` also prints that server's log if the test fails; `forwarded_for=` sends an
    X-Forwarded-For header as a proxy on this machine would. Each leaves a full-page screenshot
    (test-output/screenshots/<test>.png, then <test>_2.png, ...)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    tabs = []

    def open_tab(server: Server | None = None, *, forwarded_for: str | None = None):
        servers = getattr(request.node, "extra_servers", [])
        if server is not None and server not in servers:
            request.node.extra_servers = [*servers, server]
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US",
                                      extra_http_headers={"X-Forwarded-For": forwarded_for} if forwarded_for else None)
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tabs.append(tab)
        return tab

    yield open_tab
    for i, tab in enumerate(tabs):
        try:
            full_page_screenshot(tab, request.node.name + (f"_{i + 1}" if i else ""))
        finally:
            tab.context.close()


def full_page_screenshot(tab, name: str) -> Path:
    """The whole page: Streamlit scrolls inside its main container, so the window is first made as
    tall as that container's content (capped), then captured."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / _screenshot_name(name)
    try:
        height = tab.evaluate(
            "() => Math.max(document.body.scrollHeight, ...Array.from(document.querySelectorAll("
            "\"[data-testid='stMain'], [data-testid='stAppViewContainer'], [data-testid='stSidebarContent']\"),"
            " e => e.scrollHeight))")
        width = tab.viewport_size["width"] if tab.viewport_size else 1400
        if height and height > (tab.viewport_size or {}).get("height", 0):
            tab.set_viewport_size({"width": width, "height": min(int(height) + 40, 12_000)})
            tab.wait_for_timeout(800)  # charts redraw at the new size
    except Exception:  # noqa: BLE001 - a screenshot of the visible part is better than none
        pass
    tab.screenshot(path=str(path), full_page=True)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _server_log_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print what the server logged during a failed test (the log of any server the test used)."""
    servers = [request.getfixturevalue("server")] if "server" in request.fixturenames else []
    starts = {id(s): s.log_size() for s in servers}
    yield
    failed = any(getattr(request.node, f"report_{w}", None) is not None and getattr(request.node, f"report_{w}").failed
                 for w in ("setup", "call"))
    if failed:
        for srv in servers + getattr(request.node, "extra_servers", []):
            text = srv.log_text(starts.get(id(srv), 0))
            print(f"\n----- streamlit log ({srv.log_path}) -----\n{text or '(nothing logged during the test)'}")
