"""Sign-in and roles in the real app: built-in accounts, OIDC's login screen, demo mode's limits."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pipelines.users import add_user

from .conftest import APP, PAGES, clear_caches

PASSWORD = "mật khẩu thử nghiệm"


@pytest.fixture
def accounts(tmp_path, monkeypatch, sample_dir):
    users = tmp_path / "users.toml"
    add_user(users, "viewer1", "viewer", PASSWORD)
    add_user(users, "analyst1", "analyst", PASSWORD)
    monkeypatch.setenv("KPI_DATA_DIR", str(sample_dir))
    monkeypatch.setenv("KPI_USERS_FILE", str(users))
    st.config.set_option("server.address", "127.0.0.1")
    clear_caches()
    yield users
    clear_caches()


def _app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


@pytest.mark.parametrize("lang, title", [("vi", "Đăng nhập"), ("en", "Sign in")])
def test_anonymous_visitor_gets_the_login_form_and_no_data(accounts, lang, title):
    at = _app(lang)
    assert [t.value for t in at.title] == [title]
    assert not at.metric and not at.dataframe


def test_wrong_password_is_refused(accounts):
    at = _sign_in(_app(), "viewer1", "not the password")
    assert any("Wrong user name or password" in e.value for e in at.error)
    assert [t.value for t in at.title] == ["Sign in"]


def test_repeated_failures_are_slowed_down(accounts):
    at = _app()
    for _ in range(4):
        at = _sign_in(at, "viewer1", "wrong password!")
    # The fourth failure makes the next attempt wait, even with the right password.
    at = _sign_in(at, "viewer1", PASSWORD)
    assert any("Too many failed attempts" in e.value for e in at.error)
    assert [t.value for t in at.title] == ["Sign in"]


def test_viewer_sees_the_pages_but_not_upload_nor_rejection_reports(accounts):
    at = _sign_in(_app(), "viewer1", PASSWORD)
    assert [t.value for t in at.title] == ["Indicators at a glance"]
    assert any("viewer1 (viewer)" in c.value for c in at.sidebar.caption)
    at.switch_page(PAGES["data_status"]).run()
    assert not any("Report of a rejected file" in s.value for s in at.subheader)
    assert any("shown to analysts only" in c.value for c in at.caption)
    # The upload page is not in a viewer's navigation at all, so no URL reaches it.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGES["upload"])


def test_analyst_reaches_upload(accounts):
    at = _sign_in(_app(), "analyst1", PASSWORD)
    at.switch_page(PAGES["upload"]).run()
    assert [t.value for t in at.title] == ["Upload data files"]
    assert at.file_uploader


def test_oidc_mode_shows_the_provider_button(monkeypatch, sample_dir, tmp_path):
    monkeypatch.setenv("KPI_DATA_DIR", str(sample_dir))
    monkeypatch.delenv("KPI_USERS_FILE", raising=False)
    monkeypatch.setenv("KPI_CONFIG_DIR", str(tmp_path / "no-config"))
    clear_caches()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "kpi", "client_secret": "s", "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration",
    }
    at.query_params["lang"] = "en"
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert [b.label for b in at.button] == ["Sign in with your organisation"]
    assert not at.metric


def test_demo_mode_refuses_to_serve_beyond_loopback(monkeypatch, sample_dir, tmp_path):
    monkeypatch.setenv("KPI_DATA_DIR", str(sample_dir))
    monkeypatch.delenv("KPI_USERS_FILE", raising=False)
    monkeypatch.setenv("KPI_CONFIG_DIR", str(tmp_path / "no-config"))
    st.config.set_option("server.address", "0.0.0.0")
    try:
        clear_caches()
        at = _app()
        assert any("only for a browser on the server itself" in e.value for e in at.error)
        assert not at.metric
    finally:
        st.config.set_option("server.address", "127.0.0.1")
