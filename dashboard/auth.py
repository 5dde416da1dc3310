"""Who is looking: OpenID Connect (st.login), built-in accounts, or local demo mode.

- OIDC when `.streamlit/secrets.toml` has an [auth] section: everyone who signs in is a
  viewer; e-mails in KPI_ANALYST_EMAILS are analysts, in KPI_APPROVER_EMAILS approvers.
- Built-in accounts when the users file (KPI_USERS_FILE, `kpi user add`) lists users: salted
  scrypt hashes; failures are slowed down per client address and name (dashboard.throttle).
  A sign-in lasts across reloads and tabs through a signed HttpOnly cookie (dashboard.sessions).
- Sign-ins, sign-outs and failed attempts of analysts and approvers are rows of the audit log
  (pipelines.signins); a sign-in that cannot be recorded is refused.
- Local demo mode (no login, everyone is an analyst) only when nothing is configured and the
  request comes from this machine, not through a proxy; or with KPI_DEMO_MODE=1.
- Anything broken in that configuration stops every page with a message for the operator
  (dashboard.access): a broken configuration never opens the doors.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import streamlit as st

from dashboard import sessions
from dashboard.access import SignIn, SignInConfigError, client_address, demo_allowed, read_signin
from dashboard.components import plain
from dashboard.strings import t
from dashboard.throttle import Throttle
from pipelines import signins
from pipelines.settings import Settings
from pipelines.users import hash_password, verify_password

log = logging.getLogger("kpi.auth")
_last_config_error: list[str] = []  # the last message logged, so a broken file is not logged on every view


@dataclass(frozen=True)
class User:
    name: str
    role: str  # viewer | analyst | approver
    mode: str  # oidc | password | demo (local) | demo-forced (KPI_DEMO_MODE=1)

    @property
    def is_analyst(self) -> bool:
        """May load files and read pending values: an approver can do all an analyst can."""
        return self.role in ("analyst", "approver")

    @property
    def is_approver(self) -> bool:
        """May sign figures off, send them back, close and reopen quarters."""
        return self.role == "approver"


@st.cache_resource
def throttle() -> Throttle:
    return Throttle()


@functools.cache
def _dummy_hash() -> str:
    """Checked for unknown names, so an unknown name takes as long as a wrong password."""
    return hash_password("no such account")


_SESSION_KEY = "signed_in_session"  # the sessions.Session of this Streamlit session
_HANDOFF_KEY = "session_handoff"  # (URL, shown until): the image that sets the cookie
_CLEAR_KEY = "session_clear_until"  # the image that clears the cookie is shown until then
LOGGED_ROLES = ("analyst", "approver")


def _cookie() -> str | None:
    """The session cookie of the request that opened this session (none under AppTest)."""
    try:
        value = st.context.cookies.get(sessions.COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no request at all
        return None
    return value if isinstance(value, str) else None


def _pixel(url: str) -> None:
    """A 1x1 image: the browser's request for it is what sets or clears the HttpOnly cookie."""
    st.html(f'<img src="{url}" width="1" height="1" alt="" style="display:block">')


def audit_signin(config: Settings, name: str, role: str | None, action: str, mode: str) -> None:
    """A row of the audit log for an analyst's or approver's sign-in, sign-out or failed attempt.

    Raises signins.SigninLogError when it cannot be written (the caller decides what that costs).
    """
    if role not in LOGGED_ROLES:
        return
    signins.record(config.warehouse_path, name, action, {"role": role, "mode": mode, "client": client_address()})


def _forget_user() -> None:
    for key in ("user", _SESSION_KEY, _HANDOFF_KEY):
        st.session_state.pop(key, None)


def _password_login(signin: SignIn, config: Settings, key: str) -> User | None:
    """The signed-in user: this session's, or restored from the cookie, or the login form's."""
    if "user" in st.session_state:
        session = st.session_state.get(_SESSION_KEY)
        if session is None or sessions.still_valid(config, session):
            return st.session_state["user"]
        _forget_user()  # signed out in another tab or through another replica, or expired
        st.session_state[_CLEAR_KEY] = time.monotonic() + sessions.HANDOFF_S
    restored = sessions.restore(config, key, _cookie(), signin.accounts)
    if restored is not None:
        account = signin.accounts[restored.name]
        st.session_state[_SESSION_KEY] = restored
        st.session_state["user"] = User(account.name, account.role, "password")
        return st.session_state["user"]
    st.title(t("login_title"))
    st.caption(t("login_help"))
    if st.session_state.get(_CLEAR_KEY, 0.0) > time.monotonic():
        _pixel(sessions.end_url())
    with st.form("login"):
        name = st.text_input(t("login_name"), max_chars=64).strip().lower()
        password = st.text_input(t("login_password"), type="password", max_chars=256)
        submitted = st.form_submit_button(t("login_button"), type="primary")
    if submitted:
        account = signin.accounts.get(name)
        outcome = throttle().attempt(
            client_address(), name,
            lambda: verify_password(password, account.password_hash if account else _dummy_hash()) and account is not None,
        )
        if outcome.throttled:
            log.warning("throttled login for %r", name)
            st.error(t("login_wait", seconds=int(outcome.wait_s) + 1))
            return None
        if outcome.ok and account is not None:
            try:
                audit_signin(config, account.name, account.role, "sign-in", "password")
            except signins.SigninLogError as exc:
                log.error("sign-in of %r refused: it cannot be written to the audit log: %s", account.name, exc)
                st.error(t("login_not_recorded"))
                return None
            session, handoff = sessions.start(config, key, account)
            st.session_state.pop(_CLEAR_KEY, None)
            st.session_state[_SESSION_KEY] = session
            st.session_state[_HANDOFF_KEY] = (sessions.start_url(handoff), time.monotonic() + sessions.HANDOFF_S)
            st.session_state["user"] = User(account.name, account.role, "password")
            st.rerun()
        log.warning("failed login for %r", name)
        try:
            audit_signin(config, account.name if account else signins.UNKNOWN_NAME, account.role if account else None,
                         "sign-in-failed", "password")
        except signins.SigninLogError as exc:
            log.error("a failed sign-in could not be written to the audit log: %s", exc)
        time.sleep(0.5)
        st.error(t("login_failed"))
    return None


def sign_out(config: Settings, user: User) -> None:
    """End this session everywhere: revoked on the server (the cookie's value stops working on
    every replica), recorded, forgotten here; the login screen then clears the cookie."""
    session = st.session_state.get(_SESSION_KEY)
    if session is not None:
        try:
            sessions.end(config, session)
        except sessions.RevocationError as exc:
            log.error("sign-out of %r not recorded on the server: %s", user.name, exc)
    try:
        audit_signin(config, user.name, user.role, "sign-out", user.mode)
    except signins.SigninLogError as exc:
        log.error("the sign-out of %r could not be written to the audit log: %s", user.name, exc)
    _forget_user()
    st.session_state[_CLEAR_KEY] = time.monotonic() + sessions.HANDOFF_S


def _oidc_login(config: Settings) -> User | None:
    if not st.user.get("is_logged_in", False):
        st.title(t("login_title"))
        st.caption(t("login_oidc_help"))
        st.button(t("login_oidc_button"), on_click=st.login, type="primary")
        return None
    email = str(st.user.get("email") or st.user.get("sub") or "").lower()
    user = User(email, oidc_role(email, config), "oidc")
    if user.role in LOGGED_ROLES and not st.session_state.get("oidc_signin_recorded"):
        _record_oidc_signin(config, user, str(st.user.get("iat") or ""))
    return user


_OIDC_RECORDED: dict[tuple[str, str], None] = {}  # (e-mail, token's iat): reloads of one sign-in, recorded once


def _record_oidc_signin(config: Settings, user: User, issued: str) -> None:
    """Streamlit's own cookie restores an OIDC sign-in in every new tab; the provider's token
    time (`iat`) tells a new sign-in from a reload (per process; without it, each session counts)."""
    st.session_state["oidc_signin_recorded"] = True
    key = (user.name, issued)
    if issued and key in _OIDC_RECORDED:
        return
    try:
        audit_signin(config, user.name, user.role, "sign-in", "oidc")
    except signins.SigninLogError as exc:
        log.error("the sign-in of %r could not be written to the audit log: %s", user.name, exc)
        return
    if len(_OIDC_RECORDED) > 10_000:
        _OIDC_RECORDED.clear()
    _OIDC_RECORDED[key] = None


def oidc_role(email: str, config: Settings) -> str:
    """KPI_APPROVER_EMAILS first (an approver can do all an analyst can), then KPI_ANALYST_EMAILS."""
    email = email.strip().lower()
    return "approver" if email in config.approvers else "analyst" if email in config.analysts else "viewer"


def _stop_closed(message: str) -> None:
    """The operator's message and nothing else: no page, no navigation, no traceback."""
    if _last_config_error != [message]:
        log.error("sign-in configuration error, every page is closed: %s", message)
        _last_config_error[:] = [message]
    st.title(t("config_closed_title"))
    st.error(t("config_closed_body"))
    st.code(message, language=None, wrap_lines=True)
    st.stop()


def current_user(config: Settings) -> User:
    """The signed-in user, or the login screen (or the operator's message) and st.stop()."""
    try:
        signin = read_signin(config)
    except SignInConfigError as exc:
        _stop_closed(str(exc))
        raise  # unreachable: st.stop raises
    _last_config_error.clear()
    if signin.mode == "oidc":
        user = _oidc_login(config)
    elif signin.mode == "password":
        try:
            key = sessions.secret(config)
        except sessions.SessionConfigError as exc:
            _stop_closed(str(exc))
            raise  # unreachable: st.stop raises
        user = _password_login(signin, config, key)
        account = signin.accounts.get(user.name) if user is not None else None
        if user is not None and account is None:
            _forget_user()  # the account was removed since: signed out
            st.rerun()
        elif user is not None and account is not None and account.role != user.role:
            user = st.session_state["user"] = User(account.name, account.role, "password")  # role changed since
    elif demo_allowed(config):
        user = User("demo", "analyst", "demo" if config.demo_mode is None else "demo-forced")
    else:
        st.error(t("demo_refused"))
        st.stop()
    if user is None:
        _remember_where()
        st.stop()
    return user  # type: ignore[return-value]


_RETURN_KEY = "return_to"


def _remember_where() -> None:
    """The page and parameters a signed-out visitor opened (a shared link), kept for after sign-in.

    Recorded on the first view of the login screen only: the form's own reruns do not move it.
    """
    if _RETURN_KEY in st.session_state:
        return
    url = st.context.url if isinstance(st.context.url, str) else ""
    path = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] if url else ""
    st.session_state[_RETURN_KEY] = (path, st.query_params.to_dict())


def return_after_signin(pages: list, current) -> None:
    """Once signed in, open the page the visitor first asked for, with its indicator, breakdown
    and language (only a page this user's navigation holds; anything else stays where it is)."""
    target = st.session_state.pop(_RETURN_KEY, None)
    if not target:
        return
    path, params = target
    page = next((p for p in pages if p.url_path == path and path), None)
    if page is None or (page is current and dict(st.query_params) == params):
        return
    st.switch_page(page, query_params=params)


def sidebar(user: User, config: Settings) -> None:
    with st.sidebar:
        if user.mode in ("demo", "demo-forced"):
            st.info(t("demo_mode" if user.mode == "demo" else "demo_mode_forced"), icon=":material/lock_open:")
            return
        st.caption(t("signed_in_as", name=plain(user.name), role=t("role_" + user.role)))
        handoff = st.session_state.get(_HANDOFF_KEY)
        if handoff is not None and handoff[1] > time.monotonic():
            _pixel(handoff[0])  # until it has surely loaded: a rerun may replace this run's elements
        if user.mode == "oidc":
            st.button(t("logout"), on_click=_oidc_logout, args=(config, user))
        elif st.button(t("logout")):
            sign_out(config, user)
            st.rerun()


def _oidc_logout(config: Settings, user: User) -> None:
    try:
        audit_signin(config, user.name, user.role, "sign-out", "oidc")
    except signins.SigninLogError as exc:
        log.error("the sign-out of %r could not be written to the audit log: %s", user.name, exc)
    st.logout()


def require_approver(user: User | None) -> None:
    """Defence in depth for the approvals page: also left out of other roles' navigation."""
    if user is None or not user.is_approver:
        st.error(t("approvers_only"))
        st.stop()


def require_analyst(user: User | None) -> None:
    """Defence in depth for analyst-only pages: also checked where the page is built."""
    if user is None or not user.is_analyst:
        st.error(t("analysts_only"))
        st.stop()
