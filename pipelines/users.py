"""Built-in accounts for ministries without an identity provider: names, roles and salted scrypt hashes.

The users file is TOML, one table per user; it never holds a password, only
`scrypt$n$r$p$salt$hash`. `kpi user add` writes it; the dashboard only reads it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROLES = ("viewer", "analyst", "approver")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_N, _R, _P = 2**14, 8, 1  # scrypt cost: 16 MiB (128·N·r) and a fraction of a second per check


class UsersError(Exception):
    """The users file or a requested change is invalid; the message says what to do."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    enc = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${_N}${_R}${_P}${enc(salt)}${enc(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def read_users(path: Path) -> dict[str, Account]:
    """Accounts by lower-case name; {} when the file does not exist."""
    if not path.exists():
        return {}
    if path.is_dir():
        raise UsersError(f"{path} is a folder, not a users file; remove it or point KPI_USERS_FILE at a file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsersError(f"{path}: not valid TOML ({exc}); fix or remove it") from None
    except OSError as exc:
        raise UsersError(f"{path} cannot be read ({exc.strerror}); check its permissions") from None
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise UsersError(f"{path}: `users` must be a table of accounts ([users.\"name\"] sections written by `kpi user add`), "
                         f"not {type(users).__name__}; fix or remove it")
    accounts = {}
    for name, entry in users.items():
        if not isinstance(entry, dict) or entry.get("role") not in ROLES or not str(entry.get("password_hash", "")).startswith("scrypt$"):
            raise UsersError(f"{path}: user {name!r} needs role = viewer|analyst|approver and a password_hash written by `kpi user add`")
        accounts[name.lower()] = Account(name.lower(), entry["role"], entry["password_hash"])
    return accounts


def write_users(path: Path, accounts: dict[str, Account]) -> None:
    """Write atomically with owner-only permissions: the file guards government data."""
    lines = ["# Written by `kpi user add`. Passwords are stored only as salted scrypt hashes.", ""]
    for acc in sorted(accounts.values(), key=lambda a: a.name):
        lines += [f'[users."{acc.name}"]', f'role = "{acc.role}"', f'password_hash = "{acc.password_hash}"', ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise UsersError(f"{path} is a folder, not a users file; remove it or point KPI_USERS_FILE at a file")
    # A temporary file of our own, created 0600 (a stale `users.toml.tmp` left world-readable by
    # an earlier run would otherwise keep its mode and pass it on to the users file).
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name + ".", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_user(path: Path, name: str, role: str, password: str) -> Account:
    name = name.strip().lower()
    if not _NAME.match(name):
        raise UsersError(f"invalid user name {name!r}: use 2-64 letters, digits, . _ @ -")
    if role not in ROLES:
        raise UsersError(f"invalid role {role!r}: use viewer, analyst or approver")
    if len(password) < 10:
        raise UsersError("the password must have at least 10 characters")
    accounts = read_users(path)
    accounts[name] = Account(name, role, hash_password(password))
    write_users(path, accounts)
    return accounts[name]


def remove_user(path: Path, name: str) -> None:
    accounts = read_users(path)
    if accounts.pop(name.strip().lower(), None) is None:
        raise UsersError(f"no user {name!r} in {path}")
    write_users(path, accounts)
