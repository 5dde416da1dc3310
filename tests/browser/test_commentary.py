"""Commentary in Chromium against a real `streamlit run` with built-in accounts (issue 18).

One story on one server: an analyst writes commentary on an indicator page; it waits for approval
(the analyst sees it marked in the view including pending, on the indicator and the review page;
a viewer does not see it, nor does the approved deck); an approver approves it on the approvals
page; the viewer then reads it, and the deck (`kpi report`, text extracted with pypdf) carries it
with its diacritics; both steps are in the audit log under the right names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, Server, clean_env, h1, wait_for_app
from tests.support import cli as support_cli

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

from playwright.sync_api import expect  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from dashboard.review import load_review  # noqa: E402
from pipelines.read_model.audit import read_audit  # noqa: E402
from pipelines.read_model.visibility import INCLUDING_PENDING  # noqa: E402
from tests.browser.test_signoff import main, sign_in, signed_in_tab, signoff_server, tabs  # noqa: E402,F401 - fixtures

CODE = "OFFICIALS_IN_INTL_ORGS"  # off track in the sample's 2026-Q3; its sample commentary is in Vietnamese only
HAPPENED = "Thêm 2 cán bộ trúng tuyển vào Ban Thư ký ASEAN và Tổ chức Y tế Thế giới; hồ sơ ứng cử được chuẩn bị sớm hơn"
NEXT_STEPS = "Lập danh sách nguồn ứng viên cho các vị trí cấp cao trong quý 1/2027"
SAMPLE_HAPPENED = "Số cán bộ Việt Nam làm việc tại các tổ chức quốc tế gần như không đổi"


def _flat(text: str) -> str:
    return " ".join(text.split())


def deck_text(server: Server, out: Path, *extra: str) -> str:
    """`kpi report` for the sample's latest quarter, in Vietnamese; the PDF's text layer, flattened."""
    done = support_cli.run_kpi(server.data_dir, "report", "--quarter", "2026-Q3", "--lang", "vi", "--out", str(out),
                               "--generated-at", "2026-12-03T07:00", *extra,
                               env=clean_env(KPI_DATA_DIR=str(server.data_dir)), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return _flat(" ".join(page.extract_text() for page in PdfReader(out / "review.pdf").pages))


def indicator_tab(tabs, server: Server, name: str):
    return signed_in_tab(tabs, server, name, f"indicator?code={CODE}")


def test_commentary_written_on_the_page_is_approved_then_read_on_the_page_review_and_deck(tabs, signoff_server, tmp_path):
    # 1. An analyst writes commentary on the indicator page (in Vietnamese, from the English page).
    analyst = indicator_tab(tabs, signoff_server, "lan.analyst")
    expect(main(analyst).get_by_text(SAMPLE_HAPPENED, exact=False).first).to_be_visible()
    main(analyst).get_by_text("Write commentary").click()
    form = main(analyst).locator("[data-testid='stForm']").filter(has_text="Save commentary")
    form.locator("[data-testid='stSelectbox']").click()
    analyst.get_by_role("option", name="Ministry of Foreign Affairs (MOFA)").click()
    form.get_by_label("What happened").fill(HAPPENED)
    form.get_by_label("Next steps").fill(NEXT_STEPS)
    form.get_by_role("button", name="Save commentary").click()
    expect(main(analyst).get_by_text("Commentary saved. Leaders see it once an approver has approved it.")).to_be_visible()
    wait_for_app(analyst)
    expect(form.get_by_label("What happened")).to_have_value("")  # saved: the form is empty for the next version
    # The approved view still shows the sample's version, and says a newer one waits.
    expect(main(analyst).get_by_text(re.compile(r"^A newer version of this commentary waits for approval"))).to_be_visible()
    expect(main(analyst).get_by_text(HAPPENED, exact=False)).to_have_count(0)

    # 2. Including pending: on the page, marked as pending, and on the review page.
    analyst.locator("[data-testid='stSidebar']").get_by_text("Including pending").click()
    wait_for_app(analyst)
    expect(main(analyst).get_by_text(f"What happened: {HAPPENED}")).to_be_visible()
    expect(main(analyst).get_by_text(re.compile(r"Owner: Ministry of Foreign Affairs \(MOFA\) · in Vietnamese only · "
                                                r"⏳ pending approval"))).to_be_visible()
    analyst.locator("[data-testid='stSidebarNavLink']").filter(has_text="Quarterly review").click()
    expect(h1(analyst)).to_have_text("Quarterly review of the plan")
    wait_for_app(analyst)
    expect(main(analyst).get_by_text(f"What happened: {HAPPENED}")).to_be_visible()
    expect(main(analyst).get_by_text(f"Next steps: {NEXT_STEPS}")).to_be_visible()

    # 3. A viewer reads the approved (sample) version only; so does the approved deck.
    viewer = indicator_tab(tabs, signoff_server, "hoa.viewer")
    expect(main(viewer).get_by_text(SAMPLE_HAPPENED, exact=False).first).to_be_visible()
    expect(main(viewer).get_by_text(HAPPENED, exact=False)).to_have_count(0)
    # The deck reads the same review model: checked there rather than rendered twice more (the
    # render after approval below, and tests/cli/test_report_cmd.py's --include-pending deck, draw it).
    db = signoff_server.data_dir / "warehouse" / "kpi.duckdb"
    assert load_review(db, "2026-Q3").commentary[CODE]["vi"].happened != HAPPENED
    waiting = load_review(db, "2026-Q3", INCLUDING_PENDING).commentary[CODE]["vi"]
    assert waiting.happened == HAPPENED and waiting.pending

    # 4. An approver approves it on the approvals page.
    approver = signed_in_tab(tabs, signoff_server, "chi.approver", "approvals")
    expect(h1(approver)).to_have_text("Sign-off")
    expect(main(approver).get_by_text(f"{CODE} · Q3 2026 — 1 version(s)")).to_be_visible()
    expect(main(approver).get_by_text(f"What happened: {HAPPENED}")).to_be_visible()
    main(approver).get_by_role("button", name=f"Approve commentary {CODE} 2026-Q3").click()
    expect(main(approver).get_by_text(f"Approved the commentary for {CODE} 2026-Q3 (1 version(s)).")).to_be_visible()
    expect(main(approver).get_by_text("No commentary waits for approval.")).to_be_visible()
    wait_for_app(approver)

    # 5. The viewer now reads it on the indicator page, and the approved deck carries it, diacritics intact.
    viewer2 = indicator_tab(tabs, signoff_server, "hoa.viewer")
    expect(main(viewer2).get_by_text(f"What happened: {HAPPENED}")).to_be_visible()
    expect(main(viewer2).get_by_text(f"Next steps: {NEXT_STEPS}")).to_be_visible()
    expect(main(viewer2).get_by_text("pending approval")).to_have_count(0)
    deck = deck_text(signoff_server, tmp_path / "after")
    assert f"Diễn biến: {HAPPENED}" in deck and f"Bước tiếp theo: {NEXT_STEPS}" in deck
    assert "Đơn vị chủ trì: Bộ Ngoại giao (MOFA)" in deck and SAMPLE_HAPPENED not in deck

    # 6. Both steps in the audit log under their names.
    rows = [(r["actor"], r["action"], r["object"]) for r in read_audit(signoff_server.data_dir / "warehouse" / "kpi.duckdb")]
    assert [r for r in rows if r[1] in ("comment", "approve_commentary") and r[0] != "sample.approver"] == [
        ("lan.analyst", "comment", f"{CODE} 2026-Q3"), ("chi.approver", "approve_commentary", f"{CODE} 2026-Q3")]

