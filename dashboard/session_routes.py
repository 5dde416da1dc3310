"""The two HTTP routes that set and clear the session cookie (see dashboard/sessions.py).

- `GET /kpi-session/start?t=<hand-off>`: a valid, unexpired, not yet redeemed hand-off of a
  session not signed out sets the `kpi_session` cookie; anything else sets nothing.
- `GET /kpi-session/end`: revokes the session the browser's cookie names (if it verifies) and
  clears the cookie.

Both answer with a 1x1 transparent GIF (they are requested by an <img> on the page), never
cached. A broken configuration answers 503 and sets nothing (fail closed).
"""

from __future__ import annotations

import base64
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard import sessions, tokens
from pipelines.settings import SettingsError, load_settings

log = logging.getLogger("kpi.sessions")
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _pixel(status: int = 200) -> Response:
    return Response(PIXEL, status_code=status, media_type="image/gif", headers=NO_STORE)


def _https(request: Request) -> bool:
    """The browser came over TLS: directly, or through a proxy that says so (X-Forwarded-Proto).
    A false claim only makes the browser refuse the cookie over plain http: never less safe."""
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or proto == "https"


def _config_and_key():
    try:
        config = load_settings()
        return config, sessions.secret(config)
    except (SettingsError, sessions.SessionConfigError) as exc:
        log.error("session cookie refused: %s", exc)
        return None, None


async def start(request: Request) -> Response:
    config, key = _config_and_key()
    if config is None:
        return _pixel(503)
    claims = tokens.verify(key, request.query_params.get("t"), "handoff")
    if claims is None or not claims.nonce:
        return _pixel(400)
    try:
        store = sessions.revocations(config)
        if store.is_revoked(claims.sid) or not store.redeem("handoff:" + claims.nonce, claims.expires):
            return _pixel(400)
    except sessions.RevocationError as exc:
        log.error("session cookie refused: %s", exc)
        return _pixel(503)
    response = _pixel()
    response.set_cookie(sessions.COOKIE_NAME, sessions.cookie_value(config, key, claims),
                        max_age=sessions.lifetime_s(config), path=sessions.base_path(), httponly=True,
                        samesite="lax", secure=_https(request))
    return response


async def end(request: Request) -> Response:
    response = _pixel()
    config, key = _config_and_key()
    if config is not None:
        claims = tokens.verify(key, request.cookies.get(sessions.COOKIE_NAME), "session")
        if claims is not None:
            try:
                sessions.revocations(config).revoke(claims.sid, claims.expires)
            except sessions.RevocationError as exc:
                log.error("sign-out not recorded: %s", exc)
    response.delete_cookie(sessions.COOKIE_NAME, path=sessions.base_path(), httponly=True, samesite="lax",
                           secure=_https(request))
    return response


def routes() -> list[Route]:
    prefix = sessions.base_path() + sessions.ROUTE_PREFIX
    return [Route(f"{prefix}/start", start, methods=["GET"]), Route(f"{prefix}/end", end, methods=["GET"])]
