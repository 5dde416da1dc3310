"""Sign-off on the dashboard: who sees pending values, the view switch and its markers, the
approvals page writing through the pipeline under the signed-in user's name."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pipelines.ingest import ingest
from pipelines.read_model.audit import read_audit
from pipelines.settings import Settings
from pipelines.users import add_user
from tests.app.conftest import APP, GOOD_FILE, GOOD_FILE_NAME, PAGES, clear_caches
from tests.app.helpers import cards, charts, page_text
from tests.conftest import approve_everything

PASSWORD = "mật khẩu thử nghiệm"
APPROVED_ONLY = "Showing: approved figures only"
INCLUDING = "Showing: including figures pending approval"


@pytest.fixture
def signoff_dir(writable_sample_dir, tmp_path, monkeypatch):
    """The sample with one revision waiting (MOFA 2026-Q3 missions 97 -> 98) and three accounts."""
    source = tmp_path / GOOD_FILE_NAME
    source.write_bytes(GOOD_FILE)
    settings = Settings(data_dir=writable_sample_dir, _env_file=None)  # type: ignore[call-arg]
    approve_everything(settings)  # the sample's own waiting pair (HAIPHONG 2026-Q3) out of the way
    (outcome,) = ingest([source], settings, lang="en", actor="analyst1")
    assert outcome.status == "loaded"
    users = tmp_path / "users.toml"
    for name, role in (("viewer1", "viewer"), ("analyst1", "analyst"), ("approver1", "approver")):
        add_user(users, name, role, PASSWORD)
    monkeypatch.setenv("KPI_DATA_DIR", str(writable_sample_dir))
    monkeypatch.setenv("KPI_USERS_FILE", str(users))
    monkeypatch.delenv("KPI_APPROVAL", raising=False)
    st.config.set_option("server.address", "127.0.0.1")
    clear_caches()
    yield writable_sample_dir
    clear_caches()


def signed_in(name: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.text_input[0].input(name)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def missions_card(at: AppTest):
    (card,) = [c for c in cards(at) if c.link_query.startswith("code=MISSIONS_ABROAD&")]
    return card


def test_a_viewer_sees_approved_figures_only_and_no_switch(signoff_dir):
    at = signed_in("viewer1")
    assert APPROVED_ONLY in page_text(at)
    assert missions_card(at).metric_value == "97 agencies"
    assert not at.sidebar.toggle
    assert "wait for approval" not in page_text(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/approvals.py")
    # A session key set by hand does not widen a viewer's view.
    at.session_state["include_pending"] = True
    at.run()
    assert missions_card(at).metric_value == "97 agencies" and APPROVED_ONLY in page_text(at)


@pytest.mark.parametrize("name", ["analyst1", "approver1"])
def test_analysts_and_approvers_switch_to_including_pending_and_see_it_marked(signoff_dir, name):
    at = signed_in(name)
    assert "1 value(s) wait for approval (1 reporter-period pair(s))." in page_text(at)
    card = missions_card(at)
    assert card.metric_value == "97 agencies" and "pending" not in card.metric_label
    (switch,) = at.sidebar.toggle
    assert switch.label == "Including pending"
    switch.set_value(True).run()
    assert INCLUDING in page_text(at) and APPROVED_ONLY not in page_text(at)
    card = missions_card(at)
    assert card.metric_value == "98 agencies" and card.metric_label.endswith("· ⏳ pending approval")
    # Switched back: approved figures, nothing marked.
    at.sidebar.toggle[0].set_value(False).run()
    assert APPROVED_ONLY in page_text(at)
    card = missions_card(at)
    assert card.metric_value == "97 agencies" and "pending" not in card.metric_label
    at.sidebar.toggle[0].set_value(True).run()
    # The indicator page: the table's row and the chart's point are marked; the view stays switched.
    at.query_params["code"] = "MISSIONS_ABROAD"
    at.switch_page(PAGES["indicator"]).run()
    assert INCLUDING in page_text(at)
    (table,) = [d.value for d in at.dataframe if "Period" in d.value.columns and "Unit" in d.value.columns]
    q3 = table[table["Period"] == "Q3 2026"].iloc[0]
    assert q3["Value"] == "98" and "⏳ pending approval" in q3[""]
    assert "pending" not in table[table["Period"] == "Q2 2026"].iloc[0][""]
    (spec, datasets), = charts(at)
    squares = [layer for layer in spec["layer"] if layer["mark"].get("shape") == "square"]
    assert len(squares) == 1
    marked = sorted({r["period"] for d in datasets for r in d if r.get("approval") == "Pending approval"})
    assert marked == ["2026-Q3"]


def test_the_view_switch_speaks_vietnamese(signoff_dir):
    at = signed_in("analyst1", lang="vi")
    assert [t.label for t in at.sidebar.toggle] == ["Gồm cả số liệu chờ duyệt"]
    assert "Đang xem: chỉ số liệu đã phê duyệt" in page_text(at)
    at.sidebar.toggle[0].set_value(True).run()
    assert "Đang xem: gồm cả số liệu chờ phê duyệt (⏳ = chờ duyệt)" in page_text(at)


def test_an_analyst_has_no_approvals_page(signoff_dir):
    at = signed_in("analyst1")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/approvals.py")


def approvals(at: AppTest) -> AppTest:
    at.switch_page("views/approvals.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Sign-off"]
    return at


def test_an_approver_approves_what_waits_under_their_name(signoff_dir):
    at = approvals(signed_in("approver1"))
    assert "MOFA · Q3 2026 — 1 value(s)" in page_text(at)
    (waiting,) = [d.value for d in at.dataframe if "Approved value (replaced)" in d.value.columns]
    row = waiting.iloc[0]
    assert (row["Indicator"], row["New value"], row["Approved value (replaced)"], row["Change"], row["File"]) == (
        "MISSIONS_ABROAD", "98", "97", "revised", GOOD_FILE_NAME)
    at.button(key="approve_MOFA_2026-Q3").click().run()
    assert [s.value for s in at.success][:2] == ["Approved MOFA 2026-Q3 (1 value(s)).", "Nothing waits for approval."]
    last = read_audit(Settings(data_dir=signoff_dir, _env_file=None).warehouse_path)[-1]  # type: ignore[call-arg]
    assert (last["actor"], last["action"], last["object"]) == ("approver1", "approve", "MOFA 2026-Q3")
    (log,) = [d.value for d in at.dataframe if "Who" in d.value.columns]
    assert log.iloc[0][["Who", "Action", "What"]].tolist() == ["approver1", "approve", "MOFA 2026-Q3"]
    # Leaders now see it.
    at.switch_page(PAGES["overview"]).run()
    assert missions_card(at).metric_value == "98 agencies"
    assert "No value waits for approval." in page_text(at)


def test_the_audit_view_shows_sign_ins_among_the_warehouses_rows(signoff_dir):
    at = approvals(signed_in("approver1"))
    (log,) = [d.value for d in at.dataframe if "Who" in d.value.columns]
    assert log.iloc[0][["Who", "Action", "What"]].tolist() == ["approver1", "sign-in", "dashboard"]  # newest first
    assert "load" in log["Action"].tolist()[1:]
    assert '"role": "approver"' in log.iloc[0]["Details"]


def test_send_back_needs_a_reason_and_records_it(signoff_dir):
    at = approvals(signed_in("approver1"))
    at.button(key="FormSubmitter:back_MOFA_2026-Q3-Send back with the reason").click().run()
    assert "Give a reason (it is kept in the audit log)." in [e.value for e in at.error]
    at.text_input(key="reason_MOFA_2026-Q3").input("figure not yet confirmed by the embassy")
    at.button(key="FormSubmitter:back_MOFA_2026-Q3-Send back with the reason").click().run()
    assert "Sent MOFA 2026-Q3 back." in [s.value for s in at.success]
    assert "Sent back: figure not yet confirmed by the embassy" in page_text(at)
    last = read_audit(Settings(data_dir=signoff_dir, _env_file=None).warehouse_path)[-1]  # type: ignore[call-arg]
    assert (last["actor"], last["action"], last["reason"]) == ("approver1", "unapprove", "figure not yet confirmed by the embassy")


def test_reopen_and_close_a_quarter_from_the_page(signoff_dir):
    at = approvals(signed_in("approver1"))
    assert "Closed now: 2026-Q2 (sample.approver" in page_text(at)
    at.text_input(key="q_quarter").input("2026-Q2")
    at.button(key="FormSubmitter:quarters-Reopen the quarter").click().run()
    assert "Give a reason (it is kept in the audit log)." in [e.value for e in at.error]
    at.text_input(key="q_reason").input("CANTHO corrected Q2")
    at.button(key="FormSubmitter:quarters-Reopen the quarter").click().run()
    assert "Reopened 2026-Q2." in [s.value for s in at.success]
    assert "No quarter is closed." in page_text(at)
    # Closing 2026-Q3 is refused while MOFA's revision waits: the pipeline's message is shown.
    at.text_input(key="q_quarter").input("2026-Q3")
    at.button(key="FormSubmitter:quarters-Close the quarter").click().run()
    assert any("values wait for approval in MOFA 2026-Q3" in e.value for e in at.error), [e.value for e in at.error]
    actions = [(r["actor"], r["action"], r["object"], r["reason"])
               for r in read_audit(Settings(data_dir=signoff_dir, _env_file=None).warehouse_path)[-2:]]  # type: ignore[call-arg]
    assert actions[-1] == ("approver1", "reopen", "2026-Q2", "CANTHO corrected Q2")


def test_with_sign_off_off_every_value_shows_and_nothing_is_said_about_views(signoff_dir, monkeypatch):
    monkeypatch.setenv("KPI_APPROVAL", "off")
    clear_caches()
    at = signed_in("approver1")
    assert missions_card(at).metric_value == "98 agencies"
    assert not at.sidebar.toggle
    assert APPROVED_ONLY not in page_text(at) and "wait for approval" not in page_text(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/approvals.py")


def test_oidc_roles_come_from_the_approver_and_analyst_lists(tmp_path):
    from dashboard.auth import User, oidc_role

    config = Settings(data_dir=tmp_path, approver_emails="Chi@MOFA.gov.vn", analyst_emails="lan@mofa.gov.vn,chi@mofa.gov.vn",
                      _env_file=None)  # type: ignore[call-arg]
    assert oidc_role("chi@mofa.gov.vn", config) == "approver"
    assert oidc_role("LAN@mofa.gov.vn", config) == "analyst"
    assert oidc_role("leader@mofa.gov.vn", config) == "viewer"
    assert User("chi", "approver", "oidc").is_analyst and User("chi", "approver", "oidc").is_approver
    assert not User("lan", "analyst", "oidc").is_approver and not User("x", "viewer", "oidc").is_analyst


def test_the_approvals_page_speaks_vietnamese(signoff_dir):
    at = signed_in("approver1", lang="vi")
    at.switch_page("views/approvals.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Phê duyệt số liệu"]
    assert "MOFA · Quý 3/2026 — 1 giá trị" in page_text(at)
    assert [b.label for b in at.button if b.label.startswith("Phê duyệt")] == ["Phê duyệt MOFA 2026-Q3"]
    assert {"Đang chờ phê duyệt", "Khóa quý", "Nhật ký thao tác"} <= {s.value for s in at.subheader}


def test_an_approver_approves_waiting_commentary_and_leaders_read_it(signoff_dir):
    from pipelines.commentary import Commentary, write_commentary
    from pipelines.catalog import load_catalog

    settings = Settings(data_dir=signoff_dir, _env_file=None)  # type: ignore[call-arg]
    write_commentary(settings.warehouse_path, load_catalog(settings.catalog_dir),
                     Commentary("MISSIONS_ABROAD", "2026-Q3", "MOFA", "Đã mở thêm 1 cơ quan tại Châu Phi", author="analyst1"))
    at = approvals(signed_in("approver1"))
    text = page_text(at)
    assert "Commentary waiting for approval" in text and "MISSIONS_ABROAD · Q3 2026 — 1 version(s)" in text
    shown = [t.value for t in at.text]
    assert "What happened: Đã mở thêm 1 cơ quan tại Châu Phi" in shown
    assert any(s.startswith("Replaces the approved version: Thành lập thêm 1 tổng lãnh sự quán") for s in shown)
    at.button(key="approve_note_MISSIONS_ABROAD_2026-Q3").click().run()
    assert "Approved the commentary for MISSIONS_ABROAD 2026-Q3 (1 version(s))." in [s.value for s in at.success]
    assert "No commentary waits for approval." in page_text(at)
    last = read_audit(settings.warehouse_path)[-1]
    assert (last["actor"], last["action"], last["object"]) == ("approver1", "approve_commentary", "MISSIONS_ABROAD 2026-Q3")
    # A viewer reading Vietnamese now reads the new version.
    viewer = signed_in("viewer1", lang="vi")
    viewer.query_params["code"] = "MISSIONS_ABROAD"
    viewer.switch_page(PAGES["indicator"]).run()
    assert "Diễn biến: Đã mở thêm 1 cơ quan tại Châu Phi" in [t.value for t in viewer.text]
