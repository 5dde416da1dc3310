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


def _oidc_sign_in_screen() -> AppTest:
    """The app with OIDC configured (a provider that is never reached), in English: the login
    screen offers the provider's button and nothing else."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "kpi", "client_secret": "s", "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration",
    }
    at.query_params["lang"] = "en"
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert [b.label for b in at.button] == ["Sign in with your organisation"]
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
    at = _oidc_sign_in_screen()
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


# --------------------------------------------------------------------------- fail closed (issue 14)

BROKEN_SECRETS = (  # one syntax error in [auth]: an unterminated string
    "[auth]\n"
    'redirect_uri = "https://kpi.example.gov.vn/oauth2callback\n'
    'cookie_secret = "a long random string"\n'
)
OPERATOR_TITLE = "The app is closed"


@pytest.fixture
def nothing_configured(monkeypatch, sample_dir, tmp_path):
    """The sample warehouse, no KPI_USERS_FILE, an empty config folder, no secrets file, on loopback."""
    monkeypatch.setenv("KPI_DATA_DIR", str(sample_dir))
    monkeypatch.delenv("KPI_USERS_FILE", raising=False)
    monkeypatch.delenv("KPI_DEMO_MODE", raising=False)
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("KPI_CONFIG_DIR", str(config))
    saved = st.config.get_option("secrets.files")
    st.config.set_option("secrets.files", [str(tmp_path / "secrets.toml")])
    st.config.set_option("server.address", "127.0.0.1")
    st.secrets._reset()
    clear_caches()
    yield config
    st.config.set_option("secrets.files", saved)
    st.secrets._reset()
    clear_caches()


def _closed_app(lang: str = "en") -> AppTest:
    """The app run once; it must show the operator's message and nothing of the dashboard."""
    at = _app(lang)
    assert [t.value for t in at.title] == [OPERATOR_TITLE], [t.value for t in at.title]
    assert any("sign-in configuration is broken" in e.value for e in at.error)
    assert not at.metric and not at.dataframe and not at.text_input and not at.button
    assert not any("demo" in i.value.lower() for i in at.sidebar.info)
    return at


def _operator_message(at: AppTest) -> str:
    (code,) = [c.value for c in at.code]
    return code


def test_a_syntax_error_in_the_secrets_auth_section_closes_the_app(nothing_configured, tmp_path):
    (tmp_path / "secrets.toml").write_text(BROKEN_SECRETS, encoding="utf-8")
    message = _operator_message(_closed_app())
    assert "secrets.toml is not valid TOML" in message and "line 2" in message
    assert "a long random string" not in message  # the file's content is never shown


def test_an_auth_section_missing_its_provider_keys_closes_the_app(nothing_configured, tmp_path):
    (tmp_path / "secrets.toml").write_text('[auth]\nredirect_uri = "https://kpi.example.gov.vn/oauth2callback"\n',
                                           encoding="utf-8")
    message = _operator_message(_closed_app())
    assert "lacks cookie_secret, client_id, client_secret, server_metadata_url" in message


@pytest.mark.parametrize("content", ["", "[users]\n", "# no accounts yet\n"], ids=["empty", "only-users-table", "comment"])
def test_a_users_file_without_accounts_closes_the_app(nothing_configured, content):
    (nothing_configured / "users.toml").write_text(content, encoding="utf-8")  # the default path
    assert "holds no account" in _operator_message(_closed_app())


def test_a_users_file_holding_users_5_closes_the_app(nothing_configured):
    (nothing_configured / "users.toml").write_text("users = 5\n", encoding="utf-8")
    assert "`users` must be a table" in _operator_message(_closed_app())


def test_a_directory_at_the_users_file_path_closes_the_app(nothing_configured):
    (nothing_configured / "users.toml").mkdir()
    assert "is a folder" in _operator_message(_closed_app())


def test_a_missing_users_file_that_is_configured_closes_the_app(nothing_configured, monkeypatch, tmp_path):
    monkeypatch.setenv("KPI_USERS_FILE", str(tmp_path / "typo" / "users.toml"))
    assert "does not exist" in _operator_message(_closed_app())


def test_invalid_toml_in_the_users_file_closes_the_app_in_vietnamese_too(nothing_configured):
    (nothing_configured / "users.toml").write_text("[users.lan\n", encoding="utf-8")
    at = _app("vi")
    assert [t.value for t in at.title] == ["Ứng dụng tạm đóng"]
    assert "not valid TOML" in _operator_message(at)
    assert not at.metric and not at.text_input


def test_demo_mode_setting_with_accounts_configured_closes_the_app(accounts, monkeypatch):
    monkeypatch.setenv("KPI_DEMO_MODE", "1")
    assert "KPI_DEMO_MODE=1 while sign-in is configured" in _operator_message(_closed_app())


def test_nothing_configured_on_loopback_is_the_local_demo(nothing_configured):
    at = _app()
    assert [t.value for t in at.title] == ["Indicators at a glance"]
    assert any("Local demo mode" in i.value for i in at.sidebar.info)


def test_demo_mode_can_be_switched_off(nothing_configured, monkeypatch):
    monkeypatch.setenv("KPI_DEMO_MODE", "0")
    at = _app()
    assert any("only for a browser on the server itself" in e.value for e in at.error)
    assert not at.metric


def test_explicit_demo_mode_serves_beyond_loopback_and_says_so(nothing_configured, monkeypatch):
    monkeypatch.setenv("KPI_DEMO_MODE", "1")
    st.config.set_option("server.address", "0.0.0.0")
    try:
        at = _app()
        assert [t.value for t in at.title] == ["Indicators at a glance"]
        assert any("Demo mode (KPI_DEMO_MODE=1)" in i.value for i in at.sidebar.info)
    finally:
        st.config.set_option("server.address", "127.0.0.1")


def test_accounts_in_the_default_users_file_are_found_from_any_working_directory(nothing_configured, monkeypatch, tmp_path):
    """`kpi user add` from the project folder and a server started elsewhere read the same file."""
    add_user(nothing_configured / "users.toml", "viewer1", "viewer", PASSWORD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    at = _sign_in(_app(), "viewer1", PASSWORD)
    assert [t.value for t in at.title] == ["Indicators at a glance"]


def test_a_removed_account_is_signed_out(accounts):
    at = _sign_in(_app(), "viewer1", PASSWORD)
    assert [t.value for t in at.title] == ["Indicators at a glance"]
    from pipelines.users import remove_user

    remove_user(accounts, "viewer1")
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.metric


def test_under_oidc_the_ignored_users_file_is_not_read(nothing_configured, monkeypatch, tmp_path):
    """A users file named but missing does not close an app that signs in with OIDC: it is ignored."""
    monkeypatch.setenv("KPI_USERS_FILE", str(tmp_path / "none.toml"))
    _oidc_sign_in_screen()


@pytest.fixture
def own_data(tmp_path, monkeypatch, sample_dir, accounts):
    """The sample copied, so the sign-in rows and the session secret this test writes are its own."""
    import shutil

    data = tmp_path / "own-data"
    shutil.copytree(sample_dir, data)
    (data / "warehouse" / "signins.jsonl").unlink(missing_ok=True)  # other tests' sign-ins on the shared sample
    monkeypatch.setenv("KPI_DATA_DIR", str(data))
    return data


def test_an_analysts_sign_in_and_sign_out_are_audit_rows_and_the_session_is_revoked(own_data):
    from dashboard.auth import _SESSION_KEY
    from dashboard.sessions import revocations
    from pipelines.read_model.audit import read_audit
    from tests.support.warehouse import make_settings

    at = _sign_in(_app(), "analyst1", PASSWORD)
    assert [t.value for t in at.title] == ["Indicators at a glance"]
    session = at.session_state[_SESSION_KEY]
    at.sidebar.button[0].click().run()
    assert [t.value for t in at.title] == ["Sign in"]
    settings = make_settings(own_data)
    assert revocations(settings).is_revoked(session.sid)
    rows = [(r["actor"], r["action"], r["details"].get("role")) for r in read_audit(settings.warehouse_path)
            if r["source"] == "signins"]
    assert rows == [("analyst1", "sign-in", "analyst"), ("analyst1", "sign-out", "analyst")]


def test_failed_attempts_on_an_analyst_are_recorded_and_an_unknown_name_is_not_written_as_typed(own_data):
    from pipelines.read_model.audit import read_audit
    from tests.support.warehouse import make_settings

    at = _sign_in(_app(), "analyst1", "wrong password!")
    _sign_in(at, "my-password-typed-as-a-name", "x")
    _sign_in(at, "viewer1", "wrong again!")  # a viewer's attempts are not the log's business
    rows = [(r["actor"], r["action"]) for r in read_audit(make_settings(own_data).warehouse_path) if r["source"] == "signins"]
    assert rows == [("analyst1", "sign-in-failed")]


def test_a_secret_file_others_can_read_closes_the_app(own_data):
    secret = own_data / "state" / "cookie-secret"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("x" * 64 + "\n")
    secret.chmod(0o644)
    at = _app()
    assert [t.value for t in at.title] == ["The app is closed"]
    assert any("readable by other users" in c.value and "chmod 600" in c.value for c in at.code)
    assert not at.text_input and not at.metric
