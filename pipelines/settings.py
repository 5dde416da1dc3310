"""All configuration in one place: environment variables with the `KPI_` prefix or a `.env` file.

Both the CLI and the dashboard call `load_settings()`; an invalid value stops them with one line
that names the variable, never with a traceback.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipelines.intake.limits import Limits


def _shipped_data_dir() -> Path:
    """Where the catalog and the sample files are: `data/` of a checkout (editable install), or
    its copy `pipelines/data/` in an installed wheel (pyproject maps the one onto the other)."""
    package = Path(__file__).resolve().parent
    installed = package / "data"
    return installed if (installed / "catalog").is_dir() else package.parent / "data"


SHIPPED_DATA_DIR = _shipped_data_dir()
DEFAULT_CATALOG_DIR = SHIPPED_DATA_DIR / "catalog"
SAMPLE_DIR = SHIPPED_DATA_DIR / "sample"


SECRET_FIELDS = frozenset({"cookie_secret", "smtp_password"})


def _default_config_dir() -> Path:
    """The operator's own files: `.streamlit/` of a checkout (where `make run` starts), or
    $XDG_CONFIG_HOME/kpi (~/.config/kpi) for an installed wheel. Never the working directory."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / ".streamlit"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "kpi"


DEFAULT_CONFIG_DIR = _default_config_dir()


class SettingsError(Exception):
    """A setting is invalid; the message is one line that names the variable."""


class Settings(BaseSettings):
    """Where the data lives and the limits the pipeline enforces."""

    model_config = SettingsConfigDict(env_prefix="KPI_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="holds inbox/, archive/, rejected/, warehouse/")
    db_path: Path | None = Field(None, description="the published warehouse; default <data_dir>/warehouse/kpi.duckdb")
    catalog_dir: Path = Field(DEFAULT_CATALOG_DIR, description="indicators.csv, reporters.csv, ...")
    max_file_mb: float = Field(100.0, gt=0, le=2048, description="larger files are rejected unread")
    # What one file may cost (pipelines/intake/limits.py): each checked before the work it guards.
    max_columns: int = Field(200, ge=6, le=16_384, description="columns in a file's header (up to its last named one)")
    max_row_cells: int = Field(1_000, ge=6, le=1_000_000, description="cells in any row, empty ones included")
    max_cell_bytes: int = Field(100_000, ge=1_000, le=2**31 - 1, description="bytes of text in one cell (UTF-8)")
    max_rows: int = Field(5_000_000, ge=1, description="data rows in one file")
    max_workbook_mb: float = Field(100.0, gt=0, le=4096, description="an .xlsx file's unpacked size (its XML)")
    file_timeout_s: float = Field(300.0, gt=0, description="wall-clock seconds to read and check one file")
    language: Literal["vi", "en"] = Field("vi", description="default language of the UI and reports")
    lock_timeout_s: float = Field(30.0, ge=0, description="how long an ingest waits for another to finish")
    config_dir: Path = Field(DEFAULT_CONFIG_DIR, description="the operator's own files (users.toml); default the checkout's .streamlit/ (installed: ~/.config/kpi); a relative path is under that folder's parent")
    users_file: Path = Field(Path("users.toml"), description="built-in accounts (`kpi user add`); a relative path is under KPI_CONFIG_DIR")
    demo_mode: bool | None = Field(None, description="1: local demo mode (no sign-in, everyone an analyst) wherever served; 0: never; unset: only with nothing configured, on loopback, not behind a proxy")
    analyst_emails: str = Field("", description="comma-separated e-mails that get the analyst role after OIDC login")
    cookie_secret: SecretStr | None = Field(
        None, min_length=32, description="server.cookieSecret shared by every replica (default: <data_dir>/state/cookie-secret)")
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="how long a sign-in with a built-in account lasts (its cookie), reloads and new tabs included")
    # `kpi watch` and live pages (issue 19)
    watch_settle_s: float = Field(1.0, gt=0, le=600, description="a file unchanged this long counts as complete even without a close event")
    watch_retry_s: float = Field(5.0, gt=0, le=3600, description="when the warehouse is busy, try again after this long")
    watch_lock_timeout_s: float = Field(2.0, ge=0, le=600, description="how long the watcher waits for another ingest's lock per try")
    watch_notify_every_s: float = Field(3600.0, ge=0, description="the watcher also runs `kpi notify` this often (0: only after loads)")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="local time for deadlines, arrival days and the daily digest")
    # `kpi notify` (issue 19): e-mail over SMTP and an optional webhook; recipients "address[:vi|en], ..."
    smtp_host: str = Field("", description="SMTP server; empty: no e-mail is sent")
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = Field("starttls", description="starttls (587), tls (465) or none (loopback relays only)")
    smtp_user: str = Field("", description="SMTP login, if the server asks for one")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password")
    smtp_from: str = Field("kpi-dashboard@example.org", description="sender address")
    smtp_ca_file: Path | None = Field(None, description="CA bundle that signed the SMTP server's certificate (private CA)")
    smtp_timeout_s: float = Field(15.0, gt=0, le=300)
    notify_analysts: str = Field("", description="analysts: late reporters, files waiting, the daily digest")
    notify_leaders: str = Field("", description="leaders: a status that worsened, the quarter's review pack")
    notify_reporters: bool = Field(True, description="tell reporters' contacts (catalog) about their files")
    notify_webhook_url: str = Field("", description="also POST every notification as JSON here (https, or http on loopback)")
    notify_webhook_language: Literal["vi", "en"] = Field("vi")
    notify_max_attempts: int = Field(5, ge=1, le=50, description="tries per message before it is logged as undeliverable")
    notify_retry_s: float = Field(300.0, ge=0, description="wait before the first retry; doubles after each failure")
    notify_lookback_h: float = Field(72.0, gt=0, description="loads older than this are not notified (first run on an old warehouse)")
    notify_digest_hour: int = Field(17, ge=0, le=24, description="local hour after which the day's digest goes out (24: never)")
    notify_waiting_after_s: float = Field(900.0, gt=0, description="a file left in the inbox this long is reported to analysts")
    notify_review_pack: bool = Field(True, description="render and send the quarter's review pack (PDF) to leaders")
    live_check_s: float = Field(3.0, ge=0, le=3600, description="open pages look for a new warehouse version this often (0: off)")
    approver_emails: str = Field("", description="comma-separated e-mails that get the approver role after OIDC login")
    approval: Literal["on", "off"] = Field("on", description="off: no sign-off, every loaded value is shown at once")

    @property
    def analysts(self) -> set[str]:
        return {e.strip().lower() for e in self.analyst_emails.split(",") if e.strip()}

    @property
    def approvers(self) -> set[str]:
        return {e.strip().lower() for e in self.approver_emails.split(",") if e.strip()}

    @property
    def approval_on(self) -> bool:
        return self.approval == "on"

    @field_validator("data_dir", "catalog_dir", "db_path", "users_file", "config_dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a known time zone, e.g. Asia/Ho_Chi_Minh") from None
        return value

    @field_validator("notify_analysts", "notify_leaders")
    @classmethod
    def _recipients(cls, value: str) -> str:
        parse_recipients(value, "vi")  # raises on a malformed entry
        return value

    @model_validator(mode="after")
    def _safe_delivery(self) -> "Settings":
        """Fail closed: no password in clear text, no figures to a remote plain-http webhook."""
        loopback = {"127.0.0.1", "localhost", "::1"}
        if self.smtp_security == "none" and self.smtp_host and self.smtp_host not in loopback and self.smtp_user:
            raise ValueError("KPI_SMTP_SECURITY=none sends the password in clear text; use starttls or tls")
        url = self.notify_webhook_url
        if url:
            from urllib.parse import urlsplit

            parts = urlsplit(url)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                raise ValueError("KPI_NOTIFY_WEBHOOK_URL must be an https:// URL")
            if parts.scheme == "http" and parts.hostname not in loopback:
                raise ValueError("KPI_NOTIFY_WEBHOOK_URL must use https:// (plain http only to this machine)")
        if (self.notify_analysts or self.notify_leaders) and not self.smtp_host and not url:
            raise ValueError("recipients are set but neither KPI_SMTP_HOST nor KPI_NOTIFY_WEBHOOK_URL is")
        return self

    @property
    def analyst_recipients(self) -> list[tuple[str, str]]:
        return parse_recipients(self.notify_analysts, self.language)

    @property
    def leader_recipients(self) -> list[tuple[str, str]]:
        return parse_recipients(self.notify_leaders, self.language)

    @property
    def notify_dir(self) -> Path:
        return self.data_dir / "notify"

    @property
    def notifications_configured(self) -> bool:
        return bool(self.smtp_host or self.notify_webhook_url)

    @field_validator("config_dir")
    @classmethod
    def _config_dir_absolute(cls, value: Path) -> Path:
        """Never the working directory: `kpi user add` and the dashboard must agree wherever they start."""
        return value if value.is_absolute() else DEFAULT_CONFIG_DIR.parent / value

    @model_validator(mode="after")
    def _users_file_absolute(self) -> "Settings":
        """The users file as both the CLI and the dashboard read it: absolute, or under config_dir
        (set through __dict__ so that model_fields_set still tells whether KPI_USERS_FILE was given)."""
        if not self.users_file.is_absolute():
            self.__dict__["users_file"] = self.config_dir / self.users_file
        return self

    @property
    def users_file_configured(self) -> bool:
        """KPI_USERS_FILE was set (environment or .env): the file must then exist and hold accounts."""
        return "users_file" in self.model_fields_set

    @cached_property
    def warehouse_path(self) -> Path:
        return self.db_path if self.db_path is not None else self.data_dir / "warehouse" / "kpi.duckdb"

    @property
    def inbox_dir(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def rejected_dir(self) -> Path:
        return self.data_dir / "rejected"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def limits(self) -> Limits:
        return Limits(
            max_columns=self.max_columns, max_row_cells=self.max_row_cells, max_cell_bytes=self.max_cell_bytes,
            max_rows=self.max_rows, max_workbook_bytes=int(self.max_workbook_mb * 1024 * 1024),
            seconds=self.file_timeout_s,
        )


def parse_recipients(text: str, default_lang: str) -> list[tuple[str, str]]:
    """"lan@example.org:en, minh@example.org" -> [(address, language)]; raises ValueError."""
    import re

    out = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        address, _, lang = item.partition(":")
        address, lang = address.strip(), (lang.strip() or default_lang)
        if not re.fullmatch(r"[^@\s,;:<>]+@[^@\s,;:<>]+\.[^@\s,;:<>]+", address):
            raise ValueError(f"{address!r} is not an e-mail address (write address[:vi|en], comma-separated)")
        if lang not in ("vi", "en"):
            raise ValueError(f"language {lang!r} of {address} must be vi or en")
        out.append((address, lang))
    return out


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's multi-line error into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:  # a rule across settings names them in its message
            raise SettingsError(f"invalid settings: {first['msg'].removeprefix('Value error, ')} (fix them in the environment or .env)") from None
        field = str(first["loc"][0])
        raw = first.get("input")
        if field in SECRET_FIELDS:  # never echo a secret, even a wrong one
            raw = "***"
        raise SettingsError(
            f"invalid setting KPI_{field.upper()}={raw!r}: {first['msg']}"
            f" (fix it in the environment or .env)"
        ) from None
