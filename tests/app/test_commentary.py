"""Commentary on the pages: the quarter's commentary on the indicator page (read-only text), an
analyst's form that stores a new version through the pipeline, and the same text on the review page;
sign-off applies (a new version waits for approval, a closed quarter takes none)."""

from __future__ import annotations

import re

import pytest

from pipelines.commentary_signoff import approve_commentary
from pipelines.signoff import close_quarter, reopen_quarter
from pipelines.read_model.audit import read_audit
from pipelines.read_model.commentary import history
from pipelines.warehouse.store import open_reader
from tests.app.conftest import PAGES
from tests.conftest import approve_everything
from tests.support.warehouse import make_settings


def _texts(at) -> list[str]:
    return [t.value for t in at.text]


def _errors(at) -> list[str]:
    """Error alerts as the reader sees them (typed text in them is Markdown-escaped: dashboard.components.plain)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def test_the_sample_commentary_shows_on_the_indicator_page(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", lang="vi", code="MISSIONS_ABROAD")
    shown = _texts(at)
    assert "Diễn biến: Thành lập thêm 1 tổng lãnh sự quán tại Nhật Bản; tổng số cơ quan đại diện là 97 (số liệu mẫu)." in shown
    assert any(t.startswith("Bước tiếp theo: Trình đề án mở 3 cơ quan") for t in shown)
    assert "Nhận định Quý 3/2026 · Đơn vị chủ trì: Bộ Ngoại giao (MOFA)" in shown
    en = open_app(sample_dir, "indicator", lang="en", code="MISSIONS_ABROAD")
    assert any(t.startswith("What happened: One consulate general opened in Japan") for t in _texts(en))


def test_an_indicator_without_commentary_says_so(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", lang="en", code="STAFF_HEADCOUNT")
    assert any(c.value.startswith("No commentary for Q3 2026 yet") for c in at.caption)


def _write(at, happened: str = "", next_steps: str = "", owner: str = "MOHA"):
    at.selectbox(key="cm_owner").set_value(owner)
    if happened:
        at.text_area(key="cm_happened").input(happened)
    if next_steps:
        at.text_area(key="cm_next_steps").input(next_steps)
    next(b for b in at.button if b.label in ("Lưu nhận định", "Save commentary")).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_analyst_writes_commentary_it_waits_for_approval_then_shows_on_both_pages(writable_sample_dir, open_app):
    at = open_app(writable_sample_dir, "indicator", code="STAFF_HEADCOUNT")  # an analyst in Vietnamese (demo mode)
    _write(at, "Headcount <b>fell</b> by 12 after the merger of two departments", "Finish the job descriptions by March 2027")
    assert "Đã lưu nhận định. Lãnh đạo sẽ thấy nhận định sau khi được phê duyệt." in [s.value for s in at.success]
    settings = make_settings(writable_sample_dir)
    with open_reader(settings.warehouse_path) as con:
        [stored] = history(con, "STAFF_HEADCOUNT", "2026-Q3")
    assert stored.owner == "MOHA" and stored.author == "demo" and stored.lang == "vi"
    last = read_audit(settings.warehouse_path)[-1]
    assert (last["actor"], last["action"], last["object"]) == ("demo", "comment", "STAFF_HEADCOUNT 2026-Q3")
    # The approved view (what leaders read) does not have it yet; the analyst is told a version waits.
    page = open_app(writable_sample_dir, "indicator", lang="en", code="STAFF_HEADCOUNT")
    assert not any(t.startswith("What happened: Headcount") for t in _texts(page))
    assert any(c.value.startswith("A newer version of this commentary waits for approval") for c in page.caption)
    # Including pending: shown, as plain text (the tag stays visible), marked as pending.
    page = open_app(writable_sample_dir, "overview", lang="en")
    page.sidebar.toggle[0].set_value(True).run()
    page.query_params["code"] = "STAFF_HEADCOUNT"
    page.switch_page(PAGES["indicator"]).run()
    assert not page.exception, [e.value for e in page.exception]
    assert "What happened: Headcount <b>fell</b> by 12 after the merger of two departments" in _texts(page)
    assert "Commentary, Q3 2026 · Owner: Ministry of Home Affairs (MOHA) · in Vietnamese only · ⏳ pending approval" in _texts(page)
    # Approved: every reader sees it, unmarked, on the indicator and the review page.
    approve_commentary(settings, "2026-Q3", "STAFF_HEADCOUNT", "approver1")
    page = open_app(writable_sample_dir, "indicator", lang="en", code="STAFF_HEADCOUNT")
    assert "What happened: Headcount <b>fell</b> by 12 after the merger of two departments" in _texts(page)
    assert "Commentary, Q3 2026 · Owner: Ministry of Home Affairs (MOHA) · in Vietnamese only" in _texts(page)
    review = open_app(writable_sample_dir, "overview", lang="en")
    review.query_params["quarter"] = "2026-Q3"
    review.switch_page(PAGES["review"]).run(timeout=300)  # 16 panels rendered: slow on a busy machine
    assert not review.exception, [e.value for e in review.exception]
    assert "Next steps: Finish the job descriptions by March 2027" in _texts(review)


@pytest.mark.parametrize("lang, message", [
    ("vi", "Chưa lưu: cần nêu diễn biến trong quý (ô «Diễn biến» không được để trống)"),
    ("en", "Not saved: say what happened in the quarter (“What happened” cannot be empty)"),
])
def test_a_blank_form_is_refused_in_the_readers_language(writable_sample_dir, open_app, lang, message):
    at = _write(open_app(writable_sample_dir, "indicator", lang=lang, code="STAFF_HEADCOUNT"))
    assert _errors(at) == [message]
    with open_reader(writable_sample_dir / "warehouse" / "kpi.duckdb") as con:
        assert history(con, "STAFF_HEADCOUNT", "2026-Q3") == []


def test_commentary_in_a_closed_quarter_is_refused_naming_it_until_reopened(writable_sample_dir, open_app):
    settings = make_settings(writable_sample_dir)
    approve_everything(settings)  # the sample's waiting pair: a quarter closes only with nothing waiting
    close_quarter(settings, "2026-Q3", "approver1", "review held")
    at = _write(open_app(writable_sample_dir, "indicator", lang="vi", code="STAFF_HEADCOUNT"), "Giảm 12 biên chế")
    [error] = _errors(at)
    assert error.startswith("Chưa lưu: quý 2026-Q3 đã khóa sổ (do approver1 khóa ngày ") and "mở lại quý" in error
    at = _write(open_app(writable_sample_dir, "indicator", lang="en", code="STAFF_HEADCOUNT"), "Down by 12")
    [error] = _errors(at)
    assert error.startswith("Not saved: 2026-Q3 is closed (by approver1 on ") and "an approver must reopen it first" in error
    with open_reader(settings.warehouse_path) as con:
        assert history(con, "STAFF_HEADCOUNT", "2026-Q3") == []
    reopen_quarter(settings, "2026-Q3", "commentary to add", "approver1")
    at = _write(open_app(writable_sample_dir, "indicator", lang="en", code="STAFF_HEADCOUNT"), "Down by 12")
    assert not at.error and "Commentary saved. Leaders see it once an approver has approved it." in [s.value for s in at.success]
    with open_reader(settings.warehouse_path) as con:
        assert [c.happened for c in history(con, "STAFF_HEADCOUNT", "2026-Q3")] == ["Down by 12"]


def test_a_viewer_reads_commentary_but_gets_no_form(tmp_path, monkeypatch, sample_dir):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from pipelines.users import add_user
    from tests.app.conftest import APP, PAGES, clear_caches

    users = tmp_path / "users.toml"
    add_user(users, "viewer1", "viewer", "mật khẩu thử nghiệm")
    monkeypatch.setenv("KPI_DATA_DIR", str(sample_dir))
    monkeypatch.setenv("KPI_USERS_FILE", str(users))
    st.config.set_option("server.address", "127.0.0.1")
    clear_caches()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.text_input[0].input("viewer1")
    at.text_input[1].input("mật khẩu thử nghiệm")
    at.button[0].click().run()
    at.query_params["code"] = "MISSIONS_ABROAD"
    at.switch_page(PAGES["indicator"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(t.value.startswith("What happened: One consulate general opened in Japan") for t in at.text)
    assert "Write commentary" not in [e.label for e in at.expander]
    assert not at.text_area
    clear_caches()
