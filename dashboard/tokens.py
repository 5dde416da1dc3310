"""Signed, expiring tokens for the session cookie and its one-time hand-off URL.

A token is `v1.<payload>.<signature>`: the payload is compact JSON (base64url), the signature an
HMAC-SHA256 over it with a key derived from the deployment's secret (pipelines/secret.py) and the
token's purpose, so a hand-off token can never be used as a cookie or the other way round, and
a token made with Streamlit's own use of the secret means nothing here. Anything that does not
verify, has expired or is malformed reads as None: a tampered cookie is simply ignored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

VERSION = "v1"
MAX_TOKEN_CHARS = 2048  # a cookie or query value longer than this is not ours: not even decoded
PURPOSES = ("session", "handoff")


@dataclass(frozen=True)
class Claims:
    """What a valid token says: who, which session, when it was made, until when it holds."""

    purpose: str
    name: str
    sid: str  # the session's id: what sign-out revokes
    issued: int
    expires: int
    nonce: str = ""  # a hand-off's own id, so it is redeemed once
    fingerprint: str = ""  # of the account's password hash: a new password ends old sessions


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), f"kpi-dashboard {purpose} token".encode(), hashlib.sha256).digest()


def new_id() -> str:
    return secrets.token_urlsafe(18)


def fingerprint(secret: str, password_hash: str) -> str:
    """A short keyed digest of the stored hash: the cookie carries it, never the hash itself."""
    return _b64(hmac.new(_key(secret, "fingerprint"), password_hash.encode("utf-8"), hashlib.sha256).digest()[:12])


def sign(secret: str, claims: Claims) -> str:
    if claims.purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {claims.purpose!r}")
    body = {"n": claims.name, "s": claims.sid, "i": claims.issued, "e": claims.expires}
    if claims.nonce:
        body["o"] = claims.nonce
    if claims.fingerprint:
        body["f"] = claims.fingerprint
    payload = _b64(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    mac = hmac.new(_key(secret, claims.purpose), f"{VERSION}.{payload}".encode("ascii"), hashlib.sha256).digest()
    return f"{VERSION}.{payload}.{_b64(mac)}"


def verify(secret: str, token: object, purpose: str, now: float | None = None) -> Claims | None:
    """The token's claims when it is ours, for this purpose, unexpired; else None."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS or purpose not in PURPOSES:
        return None
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        return None
    try:
        expected = hmac.new(_key(secret, purpose), f"{VERSION}.{parts[1]}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            return None
        body = json.loads(_unb64(parts[1]).decode("utf-8"))
        claims = Claims(purpose, str(body["n"]), str(body["s"]), int(body["i"]), int(body["e"]),
                        str(body.get("o", "")), str(body.get("f", "")))
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None
    if not claims.name or not claims.sid:
        return None
    if claims.expires <= (time.time() if now is None else now):
        return None
    return claims
