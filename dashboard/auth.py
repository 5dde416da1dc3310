"""Who is looking: OpenID Connect (st.login), built-in accounts, or local demo mode.

- OIDC when `.streamlit/secrets.toml` has an [auth] section: everyone who signs in is a
  viewer; e-mails in KPI_ANALYST_EMAILS are analysts.
- Built-in accounts when KPI_USERS_FILE lists users (`kpi user add`): salted scrypt hashes;
  repeated failures for a name are slowed down (shared across sessions).
- Otherwise local demo mode: no login, everyone is an analyst, and the app refuses to serve
  on anything but the loopback address.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from dataclasses import dataclass

import streamlit as st

from dashboard.strings import t
from pipelines.settings import Settings
from pipelines.users import UsersError, read_users, verify_password

log = logging.getLogger("kpi.auth")
FREE_FAILURES = 3  # failures before each new attempt for that name must wait
MAX_DELAY_S = 60.0


@dataclass(frozen=True)
class User:
    name: str
    role: str  # viewer | analyst
    mode: str  # oidc | password | demo

    @property
    def is_analyst(self) -> bool:
        return self.role == "analyst"


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _is_loopback(address: str) -> bool:
    if address in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class Throttle:
    """Failed logins per user name; each failure past the free ones doubles the wait."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}

    def wait_left(self, name: str) -> float:
        with self._lock:
            count, last = self._failures.get(name, (0, 0.0))
        if count < FREE_FAILURES:
            return 0.0
        delay = min(2.0 ** (count - FREE_FAILURES + 1), MAX_DELAY_S)
        return max(0.0, last + delay - time.monotonic())

    def failed(self, name: str) -> None:
        with self._lock:
            count, _ = self._failures.get(name, (0, 0.0))
            self._failures[name] = (count + 1, time.monotonic())

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


@st.cache_resource
def throttle() -> Throttle:
    return Throttle()


def _password_login(config: Settings) -> User | None:
    """The login form; returns the user once signed in (kept in the session)."""
    if "user" in st.session_state:
        return st.session_state["user"]
    st.title(t("login_title"))
    st.caption(t("login_help"))
    with st.form("login"):
        name = st.text_input(t("login_name")).strip().lower()
        password = st.text_input(t("login_password"), type="password")
        submitted = st.form_submit_button(t("login_button"), type="primary")
    if submitted:
        wait = throttle().wait_left(name)
        if wait > 0:
            st.error(t("login_wait", seconds=int(wait) + 1))
            return None
        try:
            account = read_users(config.users_file).get(name)
        except UsersError:
            log.exception("users file unreadable")
            st.error(t("error_generic"))
            return None
        if account and verify_password(password, account.password_hash):
            throttle().succeeded(name)
            st.session_state["user"] = User(account.name, account.role, "password")
            st.rerun()
        throttle().failed(name)
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
    return User(email, "analyst" if email in config.analysts else "viewer", "oidc")


def current_user(config: Settings) -> User:
    """The signed-in user, or the login screen and st.stop()."""
    if _oidc_configured():
        user = _oidc_login(config)
    else:
        try:
            has_accounts = bool(read_users(config.users_file))
        except UsersError:
            log.exception("users file unreadable")
            st.error(t("error_generic"))
            st.stop()
        if has_accounts:
            user = _password_login(config)
        else:
            address = str(st.get_option("server.address") or "")
            if not _is_loopback(address):
                st.error(t("demo_refused"))
                st.stop()
            user = User("demo", "analyst", "demo")
    if user is None:
        st.stop()
    return user  # type: ignore[return-value]


def sidebar(user: User) -> None:
    with st.sidebar:
        if user.mode == "demo":
            st.info(t("demo_mode"))
            return
        st.caption(t("signed_in_as", name=user.name, role=t("role_" + user.role)))
        if user.mode == "oidc":
            st.button(t("logout"), on_click=st.logout)
        elif st.button(t("logout")):
            st.session_state.pop("user", None)
            st.rerun()


def require_analyst(user: User | None) -> None:
    """Defence in depth for analyst-only pages: also checked where the page is built."""
    if user is None or not user.is_analyst:
        st.error(t("analysts_only"))
        st.stop()
