"""Which sign-in the operator configured, read so that a broken configuration closes the app.

Fail closed: any error reading `.streamlit/secrets.toml` or the users file raises
`SignInConfigError` with a message for the operator (which file, what is wrong, what to do);
the caller shows it and stops. Local demo mode (no sign-in, everyone an analyst) is granted
only when nothing at all is configured and this request comes from this machine, not through
a proxy, to a server bound to loopback; or when the operator sets KPI_DEMO_MODE=1.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from pipelines.settings import Settings
from pipelines.users import Account, UsersError, read_users

# Headers a reverse proxy adds (nginx, HAProxy `option forwardfor`, Caddy, Apache, CDNs); any of
# them means the visitor is not on this machine, whatever address the socket shows.
PROXY_HEADERS = (
    "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-server",
    "forwarded", "x-real-ip", "via", "x-client-ip", "true-client-ip", "cf-connecting-ip",
    "x-original-forwarded-for", "x-cluster-client-ip",
)
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


class SignInConfigError(Exception):
    """The sign-in configuration cannot be read; the message tells the operator what to fix."""


@dataclass(frozen=True)
class SignIn:
    """What the operator configured: OIDC ([auth] in secrets), built-in accounts, or nothing."""

    mode: str  # oidc | password | none
    accounts: dict[str, Account] = field(default_factory=dict)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip().strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secrets_auth() -> Mapping | None:
    """The [auth] section, None when no secrets file exists or it has no [auth]."""
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        return st.secrets["auth"] if "auth" in st.secrets else None
    except StreamlitSecretNotFoundError:
        paths = [Path(p) for p in st.config.get_option("secrets.files") or []]
        existing = [p for p in paths if p.exists()]
        if not existing:
            return None  # no secrets file anywhere: nothing configured there
        for path in existing:
            if path.is_file():
                try:
                    tomllib.loads(path.read_text(encoding="utf-8"))
                except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                    # The decoder's message names line and column, never the file's content.
                    raise SignInConfigError(f"{path} is not valid TOML ({exc}); fix it and reload") from None
                except OSError as exc:
                    raise SignInConfigError(f"{path} cannot be read ({exc.strerror}); check its permissions") from None
        raise SignInConfigError(
            "the secrets file(s) " + ", ".join(str(p) for p in existing) + " cannot be loaded; fix them and reload"
        ) from None


def _check_auth(auth: object) -> None:
    """The keys `st.login()` (default provider) needs, checked before anyone is shown a button."""
    where = "[auth] in .streamlit/secrets.toml"
    if not isinstance(auth, Mapping):
        raise SignInConfigError(f"{where} must be a table; see docs/deployment.md")
    missing = [k for k in AUTH_KEYS if not str(auth.get(k) or "").strip()]
    provider = auth.get("default") if isinstance(auth.get("default"), Mapping) else auth
    missing += [k for k in PROVIDER_KEYS if not str(provider.get(k) or "").strip()]
    if missing:
        raise SignInConfigError(f"{where} lacks {', '.join(missing)}; see docs/deployment.md")


def _accounts(config: Settings) -> dict[str, Account] | None:
    """The built-in accounts; None when no users file is configured (none given, none at the default path)."""
    path = config.users_file
    try:
        exists = path.exists()
    except OSError as exc:
        raise SignInConfigError(f"the users file {path} cannot be read ({exc.strerror})") from None
    if not exists:
        if config.users_file_configured:
            raise SignInConfigError(
                f"KPI_USERS_FILE is {path}, which does not exist: create accounts with "
                "`kpi user add NAME --role viewer|analyst`, or unset KPI_USERS_FILE"
            )
        return None
    try:
        accounts = read_users(path)
    except UsersError as exc:
        raise SignInConfigError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - whatever the file holds, it must not open the app
        raise SignInConfigError(f"the users file {path} cannot be read ({type(exc).__name__})") from None
    if not accounts:
        raise SignInConfigError(
            f"the users file {path} holds no account: add one with `kpi user add NAME --role viewer|analyst`, "
            "or remove the file"
        )
    return accounts


def read_signin(config: Settings) -> SignIn:
    """The configured sign-in; raises SignInConfigError for anything broken or contradictory."""
    auth = _secrets_auth()
    if auth is not None:
        _check_auth(auth)
    # Under OIDC the built-in accounts are ignored (docs/deployment.md), so their file is not read.
    accounts = _accounts(config) if auth is None else None
    if config.demo_mode and (auth is not None or accounts is not None):
        raise SignInConfigError("KPI_DEMO_MODE=1 while sign-in is configured; unset one of them")
    if auth is not None:
        return SignIn("oidc")
    if accounts is not None:
        return SignIn("password", accounts)
    return SignIn("none")


def _headers() -> dict[str, str]:
    """The request's headers, lower-case names; {} with no request (AppTest, a bare run)."""
    headers = st.context.headers
    try:
        # Every value of a repeated header, in order: HAProxy's `option forwardfor` adds its own
        # X-Forwarded-For line after any the client sent, and only the last one is the proxy's.
        return {k.lower(): ", ".join(v for v in headers.get_all(k) if isinstance(v, str))
                for k in headers if isinstance(k, str)}
    except Exception:  # noqa: BLE001 - no request at all
        return {}


def _peer() -> str | None:
    """The socket's peer address; None on loopback (as Streamlit reports it) and with no request
    (AppTest hands a mock object)."""
    peer = st.context.ip_address
    return peer if isinstance(peer, str) else None


def request_is_local(config: Settings) -> bool:
    """Served on loopback, asked from loopback, by name of loopback, and through no proxy.

    With no request headers at all (AppTest, a bare run) only the bind address counts.
    """
    if not is_loopback(str(st.get_option("server.address") or "")):
        return False
    if _peer() is not None:  # Streamlit reports None for a loopback peer
        return False
    headers = _headers()
    if any(h in headers for h in PROXY_HEADERS):
        return False
    host = headers.get("host")
    if host is not None and not is_loopback(urlsplit("//" + host).hostname):
        return False
    origin = headers.get("origin")
    if origin and not is_loopback(urlsplit(origin).hostname):
        return False
    return True


def client_address() -> str:
    """Who is asking, for the sign-in throttle. Behind a proxy on this machine (peer on loopback)
    the proxy's X-Forwarded-For (its last hop) or X-Real-IP names the client; a peer elsewhere
    is taken as it is, since anyone could send those headers to it."""
    peer = _peer()
    if peer is not None:
        return peer
    headers = _headers()
    forwarded = [a.strip() for a in headers.get("x-forwarded-for", "").split(",") if a.strip()]
    if forwarded:
        return forwarded[-1][:64]
    return headers.get("x-real-ip", "").strip()[:64] or "local"


def demo_allowed(config: Settings) -> bool:
    if config.demo_mode is not None:
        return config.demo_mode
    return request_is_local(config)

