"""Sign-off in Chromium against a real `streamlit run` with built-in accounts (issue 17).

One story on one server: an analyst loads a revision; a viewer does not see it; an approver
(who opened a deep link to the approvals page while signed out) approves; the viewer sees it;
a revision of the closed quarter is rejected with a message naming the quarter, and loads after
the approver reopens it with a reason; every step is in the audit log under the right name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import (CHROMIUM, Server, add_users, build_sample_warehouse, expect_signed_in, h1,
                                    open_page, start_server, stop_server, wait_for_app)
from tests.browser.conftest import sign_in as sign_in_as

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

from playwright.sync_api import expect  # noqa: E402

from pipelines.read_model.audit import read_audit  # noqa: E402
from tests.conftest import approve_everything
from tests.support.warehouse import make_settings

ACCOUNTS = {  # name -> (role, password)
    "lan.analyst": ("analyst", "analyst-password-2026"),
    "hoa.viewer": ("viewer", "viewer-password-2026"),
    "chi.approver": ("approver", "approver-password-2026"),
}
REVISION = ("missions_q3_revision.csv",
            b"indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2026-Q3,98,agencies,new consulate\n")
CLOSED_REVISION = ("missions_q2_revision.csv",
                   b"indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2026-Q2,95,agencies,recount\n")
CLOSED_REVISION_AGAIN = ("missions_q2_revision_again.csv",
                         b"indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2026-Q2,95,agencies,recount (2)\n")
REOPEN_REASON = "MOFA recounted Q2 after the review"


@pytest.fixture(scope="module")
def signoff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("signoff")
    data = build_sample_warehouse(root)
    approve_everything(make_settings(data))  # the sample's own waiting pair (HAIPHONG 2026-Q3) out of the way
    users_file = add_users(root / "users.toml", ACCOUNTS)
    srv = start_server(data, root / "streamlit.log", users_file)
    yield srv
    stop_server(srv)


@pytest.fixture
def tabs(new_tab, signoff_server: Server):
    """Fresh tabs (each its own browser and session) on the story's server."""
    return lambda: new_tab(signoff_server)


def main(tab):
    return tab.locator("[data-testid='stMain']")


def sign_in(tab, name: str) -> None:
    role, password = ACCOUNTS[name]
    sign_in_as(tab, name, password, role)


def signed_in_tab(tabs, server: Server, name: str, path: str = "overview"):
    tab = tabs()
    open_page(tab, server.url, path, "en")
    sign_in(tab, name)
    return tab


def upload(tab, file: tuple[str, bytes]) -> None:
    """The upload page opened afresh from another page (an empty uploader), the file checked, then loaded."""
    name, content = file
    tab.locator("[data-testid='stSidebarNavLink']").filter(has_text="Data status").click()
    expect(h1(tab)).to_have_text("Data status")
    wait_for_app(tab)
    tab.locator("[data-testid='stSidebarNavLink']").filter(has_text="Upload").click()
    expect(h1(tab)).to_have_text("Upload data files")
    wait_for_app(tab)
    tab.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content})
    expect(main(tab).get_by_text(re.compile(rf"^{re.escape(name)}: ")).first).to_be_visible()
    expect(main(tab).get_by_role("button", name="Load 1 file")).to_be_enabled()
    wait_for_app(tab)
    main(tab).get_by_role("button", name="Load 1 file").click()


def missions_value(tab) -> object:
    return main(tab).locator("[data-testid='stMetric']").filter(has_text="agencies")


def test_load_approve_close_reopen_with_names_in_the_audit_log(tabs, signoff_server):
    # 1. An analyst loads a revision of the latest quarter: it waits for approval.
    analyst = signed_in_tab(tabs, signoff_server, "lan.analyst")
    upload(analyst, REVISION)
    expect(main(analyst).get_by_text(re.compile(rf"^loaded\s+{re.escape(REVISION[0])}: 1 row"))).to_be_visible()
    wait_for_app(analyst)

    # 2. A viewer sees the approved figure only, and says so; no switch to pending values.
    viewer = signed_in_tab(tabs, signoff_server, "hoa.viewer")
    expect(main(viewer).get_by_text("Showing: approved figures only")).to_be_visible()
    expect(missions_value(viewer).first).to_contain_text("97 agencies")
    expect(viewer.get_by_text("Including pending")).to_have_count(0)
    expect(viewer.get_by_text("wait for approval")).to_have_count(0)

    # 3. An approver opens a link to the approvals page while signed out: after sign-in, that page.
    approver = tabs()
    open_page(approver, signoff_server.url, "approvals", "en")
    expect(h1(approver)).to_have_text("Sign in")
    sign_in(approver, "chi.approver")
    expect(h1(approver)).to_have_text("Sign-off")
    expect(main(approver).get_by_text("MOFA · Q3 2026 — 1 value(s)")).to_be_visible()
    main(approver).get_by_role("button", name="Approve MOFA 2026-Q3").click()
    expect(main(approver).get_by_text("Approved MOFA 2026-Q3 (1 value(s)).")).to_be_visible()
    expect(main(approver).get_by_text("Nothing waits for approval.")).to_be_visible()
    wait_for_app(approver)

    # 4. The viewer, on a fresh view of the overview, now sees it.
    viewer2 = signed_in_tab(tabs, signoff_server, "hoa.viewer")
    expect(missions_value(viewer2).first).to_contain_text("98 agencies")

    # 5. A revision of the closed quarter (2026-Q2, closed by the sample) is rejected, naming it.
    upload(analyst, CLOSED_REVISION)
    expect(main(analyst).get_by_text(re.compile(rf"^rejected\s+{re.escape(CLOSED_REVISION[0])}"))).to_be_visible()
    expect(main(analyst).get_by_text(re.compile(r"closed quarter.*2026-Q2 was closed by sample\.approver")).first).to_be_visible()
    wait_for_app(analyst)

    # 6. The approver reopens it with a reason (none given first: refused, nothing written).
    approver.get_by_label("Quarter (YYYY-Qn)").fill("2026-Q2")
    approver.get_by_role("button", name="Reopen the quarter").click()
    expect(main(approver).get_by_text("Give a reason (it is kept in the audit log).")).to_be_visible()
    wait_for_app(approver)
    approver.get_by_label("Quarter (YYYY-Qn)").fill("2026-Q2")
    approver.locator("[data-testid='stForm']").filter(has_text="Reopen the quarter").get_by_label("Reason").fill(REOPEN_REASON)
    approver.get_by_role("button", name="Reopen the quarter").click()
    expect(main(approver).get_by_text("Reopened 2026-Q2.")).to_be_visible()
    expect(main(approver).get_by_text("No quarter is closed.")).to_be_visible()
    wait_for_app(approver)

    # 7. The same revision now loads.
    upload(analyst, CLOSED_REVISION_AGAIN)
    expect(main(analyst).get_by_text(re.compile(rf"^loaded\s+{re.escape(CLOSED_REVISION_AGAIN[0])}: 1 row"))).to_be_visible()
    wait_for_app(analyst)

    # 8. Every step, with its name, in the audit log (and the approvals page shows the log).
    audit = read_audit(signoff_server.data_dir / "warehouse" / "kpi.duckdb")
    rows = [(r["actor"], r["action"], r["object"], r["reason"]) for r in audit if r["source"] == "warehouse"]
    steps = [r for r in rows if r[0] in ACCOUNTS]
    signed_in = [(r["actor"], r["action"]) for r in audit if r["source"] == "signins"]
    assert signed_in == [("lan.analyst", "sign-in"), ("chi.approver", "sign-in")], signed_in  # a viewer's is not kept
    assert steps == [
        ("lan.analyst", "load", REVISION[0], None),
        ("chi.approver", "approve", "MOFA 2026-Q3", None),
        ("lan.analyst", "reject", CLOSED_REVISION[0], None),
        ("chi.approver", "reopen", "2026-Q2", REOPEN_REASON),
        ("lan.analyst", "load", CLOSED_REVISION_AGAIN[0], None),
    ], rows[-8:]
    approver.reload()  # the session lasts: still signed in, on the same page
    expect_signed_in(approver, "chi.approver", "approver")
    expect(h1(approver)).to_have_text("Sign-off")
    expect(main(approver).get_by_text("MOFA · Q2 2026 — 1 value(s)")).to_be_visible()
    expect(main(approver).locator("[data-testid='stDataFrame']").last).to_be_visible()


def test_overview_has_its_own_path_and_a_deep_link_survives_sign_in(tabs, signoff_server):
    viewer = tabs()
    open_page(viewer, signoff_server.url, "indicator?code=STAFF_SPECIALISTS", "en")
    expect(h1(viewer)).to_have_text("Sign in")
    sign_in(viewer, "hoa.viewer")
    expect(h1(viewer)).not_to_have_text("Sign in")
    assert "/indicator" in viewer.url and "code=STAFF_SPECIALISTS" in viewer.url and "lang=en" in viewer.url, viewer.url
    expect(main(viewer).get_by_text("STAFF_SPECIALISTS", exact=True)).to_be_visible()  # the caption's code
    open_page(viewer, signoff_server.url, "overview", "en")  # still signed in: the session lasts
    expect_signed_in(viewer, "hoa.viewer", "viewer")
    expect(h1(viewer)).to_have_text("Indicators at a glance")
    expect(viewer.get_by_text("Page not found")).to_have_count(0)
    assert re.search(r"/overview\?", viewer.url), viewer.url
