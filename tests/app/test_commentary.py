"""Commentary on the pages: the quarter's commentary on the indicator page (read-only text), an
analyst's form that stores a new version through the pipeline, and the same text on the review page."""

from __future__ import annotations

from pipelines.read_model.commentary import history
from pipelines.warehouse.store import open_reader


def _texts(at) -> list[str]:
    return [t.value for t in at.text]


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


def test_an_analyst_writes_commentary_and_it_shows_on_both_pages(writable_sample_dir, open_app):
    at = open_app(writable_sample_dir, "indicator", code="STAFF_HEADCOUNT")  # an analyst in Vietnamese (demo mode)
    at.selectbox(key="cm_owner").set_value("MOHA")
    at.text_area(key="cm_happened").input("Headcount <b>fell</b> by 12 after the merger of two departments")
    at.text_area(key="cm_next_steps").input("Finish the job descriptions by March 2027")
    next(b for b in at.button if b.label == "Lưu nhận định").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    with open_reader(writable_sample_dir / "warehouse" / "kpi.duckdb") as con:
        [stored] = history(con, "STAFF_HEADCOUNT", "2026-Q3")
    assert stored.owner == "MOHA" and stored.author == "demo" and stored.lang == "vi"
    page = open_app(writable_sample_dir, "indicator", lang="en", code="STAFF_HEADCOUNT")
    # Shown as plain text, never as HTML: the tag stays visible.
    assert "What happened: Headcount <b>fell</b> by 12 after the merger of two departments" in _texts(page)
    review = open_app(writable_sample_dir, "review", lang="en", quarter="2026-Q3")
    assert "Next steps: Finish the job descriptions by March 2027" in _texts(review)


def test_a_blank_form_is_refused_with_the_reason(writable_sample_dir, open_app):
    at = open_app(writable_sample_dir, "indicator", code="STAFF_HEADCOUNT")
    next(b for b in at.button if b.label == "Lưu nhận định").click()
    at.run()
    assert any("happened" in e.value for e in at.error), [e.value for e in at.error]
    with open_reader(writable_sample_dir / "warehouse" / "kpi.duckdb") as con:
        assert history(con, "STAFF_HEADCOUNT", "2026-Q3") == []


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
