"""Sessions that last: a built-in account's sign-in survives a reload and a new tab.

How (issue 17, item 5):
- Signing in with the form creates a session id. A Streamlit session cannot set an HttpOnly
  cookie (it speaks over a WebSocket, and the CSP forbids inline scripts), so the page then
  shows a 1x1 image whose URL is a one-time hand-off: `/kpi-session/start?t=<token>`, signed,
  valid HANDOFF_S seconds. That route (dashboard/session_routes.py, served by the st.App entry
  dashboard/server.py) redeems it once and answers with the cookie `kpi_session`: a signed
  token (who, session id, expiry, a fingerprint of the password hash), `HttpOnly`,
  `SameSite=Lax`, `Secure` when the browser came over https, for KPI_SESSION_HOURS.
- A new Streamlit session (a reload, a new tab, a shared link) reads the cookie from its
  WebSocket request (`st.context.cookies`) and restores the user when the token verifies, has
  not expired, its session was not signed out, the account still exists and its password has
  not changed since. Anything else is ignored: the login form, as without a cookie.
- Signing out records the session id as revoked (dashboard/revocations.py, a file every
  replica reads), so the old cookie value no longer works anywhere, and shows an image of
  `/kpi-session/end`, which clears the cookie. Other open tabs of that session notice on their
  next rerun and sign out too.
- The key is derived from the deployment's secret (pipelines/secret.py: KPI_COOKIE_SECRET, or
  `<KPI_DATA_DIR>/state/cookie-secret`), the same for every replica. If it cannot be read
  safely the app closes with the operator's message (fail closed), never signs anyone in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import quote

from dashboard import tokens
from dashboard.revocations import Revocations, RevocationError
from pipelines.secret import SecretError, cookie_secret
from pipelines.settings import Settings
from pipelines.users import Account

COOKIE_NAME = "kpi_session"
ROUTE_PREFIX = "kpi-session"
HANDOFF_S = 60


class SessionConfigError(Exception):
    """The secret cannot be used; the message is for the operator."""


@dataclass(frozen=True)
class Session:
    """The signed-in session this Streamlit session belongs to."""

    sid: str
    name: str
    expires: int


def secret(config: Settings) -> str:
    try:
        return cookie_secret(config)
    except SecretError as exc:
        raise SessionConfigError(f"the session secret cannot be used: {exc}") from None
    except OSError as exc:
        raise SessionConfigError(
            f"the session secret cannot be read or created under {config.data_dir / 'state'} ({exc.strerror or exc}); "
            "make that folder writable by the dashboard, or set KPI_COOKIE_SECRET (32+ characters, the same for every "
            "replica)") from None


def revocations(config: Settings) -> Revocations:
    return _revocations_for(str((config.data_dir / "state" / "sessions").resolve()))


_REVOCATIONS: dict[str, Revocations] = {}


def _revocations_for(folder: str) -> Revocations:
    """One reader per folder per process, so its cache is shared by every Streamlit session."""
    from pathlib import Path

    if folder not in _REVOCATIONS:
        _REVOCATIONS[folder] = Revocations(Path(folder))
    return _REVOCATIONS[folder]


def lifetime_s(config: Settings) -> int:
    return int(config.session_hours * 3600)


def start(config: Settings, key: str, account: Account, now: float | None = None) -> tuple[Session, str]:
    """A new session for `account` and the hand-off token that sets its cookie."""
    issued = int(time.time() if now is None else now)
    session = Session(tokens.new_id(), account.name, issued + lifetime_s(config))
    handoff = tokens.sign(key, tokens.Claims("handoff", account.name, session.sid, issued, issued + HANDOFF_S,
                                             nonce=tokens.new_id(),
                                             fingerprint=tokens.fingerprint(key, account.password_hash)))
    return session, handoff


def cookie_value(config: Settings, key: str, handoff: tokens.Claims) -> str:
    """The cookie a redeemed hand-off sets: the same session, its full lifetime from sign-in."""
    return tokens.sign(key, tokens.Claims("session", handoff.name, handoff.sid, handoff.issued,
                                          handoff.issued + lifetime_s(config), fingerprint=handoff.fingerprint))


def restore(config: Settings, key: str, cookie: object, accounts: dict[str, Account]) -> Session | None:
    """The session a cookie proves, or None (missing, tampered, expired, signed out, account gone or changed)."""
    claims = tokens.verify(key, cookie, "session")
    if claims is None:
        return None
    account = accounts.get(claims.name)
    if account is None or claims.fingerprint != tokens.fingerprint(key, account.password_hash):
        return None
    if revocations(config).is_revoked(claims.sid):
        return None
    return Session(claims.sid, claims.name, claims.expires)


def still_valid(config: Settings, session: Session) -> bool:
    """Checked on every rerun: not expired and not signed out (in another tab, through another replica)."""
    return session.expires > time.time() and not revocations(config).is_revoked(session.sid)


def end(config: Settings, session: Session) -> None:
    """Sign-out: the session id is revoked for as long as its cookie would have held. Raises RevocationError."""
    revocations(config).revoke(session.sid, session.expires)


def base_path() -> str:
    """`/` or `/<server.baseUrlPath>/`: where the app, and so its routes, are served."""
    import streamlit as st

    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def start_url(handoff: str) -> str:
    return f"{base_path()}{ROUTE_PREFIX}/start?t={quote(handoff, safe='')}"


def end_url() -> str:
    return f"{base_path()}{ROUTE_PREFIX}/end"


__all__ = ["COOKIE_NAME", "HANDOFF_S", "RevocationError", "Session", "SessionConfigError", "end", "restore", "start",
           "still_valid"]
