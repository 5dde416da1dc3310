"""All configuration in one place: environment variables with the `KPI_` prefix or a `.env` file.

Both the CLI and the dashboard call `load_settings()`; an invalid value stops them with one line
that names the variable, never with a traceback.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CATALOG_DIR = PROJECT_ROOT / "data" / "catalog"


def _default_config_dir() -> Path:
    """The operator's own files: `.streamlit/` of a checkout (where `make run` starts), or
    $XDG_CONFIG_HOME/kpi (~/.config/kpi) for an installed wheel. Never the working directory."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / ".streamlit"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "kpi"


DEFAULT_CONFIG_DIR = _default_config_dir()
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
    config_dir: Path = Field(DEFAULT_CONFIG_DIR, description="the operator's own files (users.toml); default the checkout's .streamlit/ (installed: ~/.config/kpi); a relative path is under that folder's parent")
    users_file: Path = Field(Path("users.toml"), description="built-in accounts (`kpi user add`); a relative path is under KPI_CONFIG_DIR")
    demo_mode: bool | None = Field(None, description="1: local demo mode (no sign-in, everyone an analyst) wherever served; 0: never; unset: only with nothing configured, on loopback, not behind a proxy")
    analyst_emails: str = Field("", description="comma-separated e-mails that get the analyst role after OIDC login")

    @property
    def analysts(self) -> set[str]:
        return {e.strip().lower() for e in self.analyst_emails.split(",") if e.strip()}

    @field_validator("data_dir", "catalog_dir", "db_path", "users_file", "config_dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

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
