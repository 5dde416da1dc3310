"""The cookie secret every replica of one deployment shares.

Streamlit signs its cookies (the OIDC sign-in cookie, the sign-in flow's state) with
`server.cookieSecret`, a random value per process by default: a sign-in made through one replica
would then be refused by the others. One secret per deployment: `KPI_COOKIE_SECRET`, or else a file
`<KPI_DATA_DIR>/state/cookie-secret` generated once (mode 600) and reused. Never in the repository.
The dashboard's own session cookie (dashboard/sessions.py) is signed with a key derived from it,
so it is valid on every replica too. In pipelines/ (not deploy/) because the installed dashboard
needs it.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from pipelines.settings import Settings

MIN_LENGTH = 32


class SecretError(Exception):
    """The secret cannot be used safely; the message says what to do."""


def secret_path(settings: Settings) -> Path:
    return settings.data_dir / "state" / "cookie-secret"


def cookie_secret(settings: Settings) -> str:
    """The deployment's secret: from the settings, or the file (created on first use)."""
    if settings.cookie_secret is not None:
        return settings.cookie_secret.get_secret_value()
    path = secret_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another launcher made it first: use theirs
            return _read(path)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return _read(path)


def _read(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(f"{path} is readable by other users (mode {stat.S_IMODE(mode):o}): run `chmod 600 {path}`")
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_LENGTH:
        raise SecretError(f"{path} holds fewer than {MIN_LENGTH} characters: delete it to have a new one generated")
    return value
