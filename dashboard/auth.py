"""Who is looking: OpenID Connect (st.login), built-in accounts, or local demo mode.

- OIDC when `.streamlit/secrets.toml` has an [auth] section: everyone who signs in is a
  viewer; e-mails in KPI_ANALYST_EMAILS are analysts, in KPI_APPROVER_EMAILS approvers.
- Built-in accounts when the users file (KPI_USERS_FILE, `kpi user add`) lists users: salted
  scrypt hashes; failures are slowed down per client address and name (dashboard.throttle).
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

from dashboard.access import SignIn, SignInConfigError, client_address, demo_allowed, read_signin
from dashboard.components import plain
from dashboard.strings import t
from dashboard.throttle import Throttle
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


def _password_login(signin: SignIn) -> User | None:
    """The login form; returns the user once signed in (kept in the session)."""
    if "user" in st.session_state:
        return st.session_state["user"]
    st.title(t("login_title"))
    st.caption(t("login_help"))
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
            st.session_state["user"] = User(account.name, account.role, "password")
            st.rerun()
        log.warning("failed login for %r", name)
        time.sleep(0.5)
        st.error(t("login_failed"))
    return None


def _oidc_login(config: Settings) -> User | None:
    if not st.user.get("is_logged_in", False):
        st.title(t("login_title"))
        st.caption(t("login_oidc_help"))
        st.button(t("login_oidc_button"), on_click=st.login, type="primary")
        return None
    email = str(st.user.get("email") or st.user.get("sub") or "").lower()
    return User(email, oidc_role(email, config), "oidc")


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
        user = _password_login(signin)
        account = signin.accounts.get(user.name) if user is not None else None
        if user is not None and account is None:
            st.session_state.pop("user", None)  # the account was removed since: signed out
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


def sidebar(user: User) -> None:
    with st.sidebar:
        if user.mode in ("demo", "demo-forced"):
            st.info(t("demo_mode" if user.mode == "demo" else "demo_mode_forced"), icon=":material/lock_open:")
            return
        st.caption(t("signed_in_as", name=plain(user.name), role=t("role_" + user.role)))
        if user.mode == "oidc":
            st.button(t("logout"), on_click=st.logout)
        elif st.button(t("logout")):
            st.session_state.pop("user", None)
            st.rerun()


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
