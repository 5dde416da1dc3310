"""All configuration in one place: environment variables with the `KPI_` prefix or a `.env` file.

Both the CLI and the dashboard call `load_settings()`; an invalid value stops them with one line
that names the variable, never with a traceback.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CATALOG_DIR = PROJECT_ROOT / "data" / "catalog"
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"


class SettingsError(Exception):
    """A setting is invalid; the message is one line that names the variable."""


class Settings(BaseSettings):
    """Where the data lives and the limits the pipeline enforces."""

    model_config = SettingsConfigDict(env_prefix="KPI_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="holds inbox/, archive/, rejected/, warehouse/")
    db_path: Path | None = Field(None, description="the published warehouse; default <data_dir>/warehouse/kpi.duckdb")
    catalog_dir: Path = Field(DEFAULT_CATALOG_DIR, description="indicators.csv, reporters.csv, ...")
    max_file_mb: float = Field(100.0, gt=0, le=2048, description="larger files are rejected unread")
    language: Literal["vi", "en"] = Field("vi", description="default language of the UI and reports")
    lock_timeout_s: float = Field(30.0, ge=0, description="how long an ingest waits for another to finish")
    users_file: Path = Field(Path(".streamlit/users.toml"), description="built-in accounts (`kpi user add`)")
    analyst_emails: str = Field("", description="comma-separated e-mails that get the analyst role after OIDC login")
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

    @field_validator("data_dir", "catalog_dir", "db_path", "users_file")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

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


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's multi-line error into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raw = first.get("input")
        raise SettingsError(
            f"invalid setting KPI_{field.upper()}={raw!r}: {first['msg']}"
            f" (fix it in the environment or .env)"
        ) from None
