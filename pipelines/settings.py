"""All configuration in one place: environment variables with the `KPI_` prefix or a `.env` file.

Both the CLI and the dashboard call `load_settings()`; an invalid value stops them with one line
that names the variable, never with a traceback.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
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


SECRET_FIELDS = frozenset({"cookie_secret"})


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
    users_file: Path = Field(Path(".streamlit/users.toml"), description="built-in accounts (`kpi user add`)")
    analyst_emails: str = Field("", description="comma-separated e-mails that get the analyst role after OIDC login")
    cookie_secret: SecretStr | None = Field(
        None, min_length=32, description="server.cookieSecret shared by every replica (default: <data_dir>/state/cookie-secret)")

    @property
    def analysts(self) -> set[str]:
        return {e.strip().lower() for e in self.analyst_emails.split(",") if e.strip()}

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

    @property
    def limits(self) -> Limits:
        return Limits(
            max_columns=self.max_columns, max_row_cells=self.max_row_cells, max_cell_bytes=self.max_cell_bytes,
            max_rows=self.max_rows, max_workbook_bytes=int(self.max_workbook_mb * 1024 * 1024),
            seconds=self.file_timeout_s,
        )


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's multi-line error into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raw = first.get("input")
        if field in SECRET_FIELDS:  # never echo a secret, even a wrong one
            raw = "***"
        raise SettingsError(
            f"invalid setting KPI_{field.upper()}={raw!r}: {first['msg']}"
            f" (fix it in the environment or .env)"
        ) from None
