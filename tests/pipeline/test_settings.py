"""Settings: defaults, KPI_* environment variables, a .env file, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.settings import DEFAULT_CATALOG_DIR, Settings, SettingsError, load_settings


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env here
    s = load_settings()
    assert s.data_dir == Path("data") and s.db_path is None
    assert s.warehouse_path == Path("data/warehouse/kpi.duckdb")
    assert (s.inbox_dir, s.archive_dir, s.rejected_dir) == (Path("data/inbox"), Path("data/archive"), Path("data/rejected"))
    assert s.catalog_dir == DEFAULT_CATALOG_DIR and (DEFAULT_CATALOG_DIR / "indicators.csv").exists()
    assert s.max_file_mb == 100 and s.max_file_bytes == 100 * 1024 * 1024
    assert s.language == "vi" and s.lock_timeout_s == 30


def test_environment_variables_are_honoured(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KPI_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("KPI_DB_PATH", str(tmp_path / "w" / "x.duckdb"))
    monkeypatch.setenv("KPI_CATALOG_DIR", str(tmp_path / "cat"))
    monkeypatch.setenv("KPI_MAX_FILE_MB", "2.5")
    monkeypatch.setenv("KPI_LANGUAGE", "en")
    monkeypatch.setenv("KPI_LOCK_TIMEOUT_S", "4")
    s = load_settings()
    assert s.data_dir == tmp_path / "d" and s.inbox_dir == tmp_path / "d" / "inbox"
    assert s.warehouse_path == tmp_path / "w" / "x.duckdb"
    assert s.catalog_dir == tmp_path / "cat"
    assert s.max_file_bytes == int(2.5 * 1024 * 1024)
    assert s.language == "en" and s.lock_timeout_s == 4


def test_home_is_expanded(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KPI_DATA_DIR", "~/kpi")
    assert load_settings().data_dir == tmp_path / "kpi"


def test_dotenv_in_working_directory_is_read(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("KPI_LANGUAGE=en\nKPI_MAX_FILE_MB=7\nKPI_DATA_DIR=/srv/kpi\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert (s.language, s.max_file_mb, s.data_dir) == ("en", 7, Path("/srv/kpi"))


def test_environment_beats_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("KPI_LANGUAGE=en\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KPI_LANGUAGE", "vi")
    assert load_settings().language == "vi"


@pytest.mark.parametrize(("name", "value"), [("KPI_LANGUAGE", "fr"), ("KPI_MAX_FILE_MB", "abc"), ("KPI_MAX_FILE_MB", "0"),
                                             ("KPI_LOCK_TIMEOUT_S", "-1")])
def test_invalid_value_is_one_line_naming_the_variable(tmp_path, monkeypatch, name, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message and name in message and repr(value) in message


@pytest.mark.parametrize(("name", "value"), [("KPI_LANGUAGE", "fr"), ("KPI_MAX_FILE_MB", "abc")])
def test_kpi_status_with_invalid_setting_exits_2_with_one_line(kpi, name, value):
    result = kpi("status", env={name: value})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], result.stderr
    assert result.stdout == ""


def test_invalid_setting_in_dotenv_exits_2(kpi, tmp_path):
    (tmp_path / ".env").write_text("KPI_LANGUAGE=fr\n", encoding="utf-8")
    result = kpi("status", env={"KPI_LANGUAGE": None})  # runs in tmp_path, so it reads this .env
    assert result.returncode == 2 and "KPI_LANGUAGE" in result.stderr and "Traceback" not in result.stderr


def test_cli_uses_db_path_and_language(kpi, write_csv, tmp_path):
    db = tmp_path / "elsewhere" / "kpi.duckdb"
    path = write_csv("a.csv", [["MISSIONS_ABROAD", "MOFA", "2025-Q1", "95", "", ""]])
    result = kpi("ingest", path, env={"KPI_DB_PATH": str(db), "KPI_LANGUAGE": "vi"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("đã nạp")
    assert db.exists() and not (tmp_path / "data" / "warehouse" / "kpi.duckdb").exists()


def test_every_limit_is_in_the_readme_table_with_its_default():
    """The input limits stand in the README's Settings table with their defaults (that every setting
    has a row at all is tests/docs/test_readme.py's)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    for name in ("max_file_mb", "max_columns", "max_row_cells", "max_cell_bytes", "max_rows", "max_workbook_mb", "file_timeout_s"):
        default = Settings.model_fields[name].default
        shown = f"{default:g}" if isinstance(default, float) else str(default)
        assert f"| `KPI_{name.upper()}` | `{shown}` |" in table, f"KPI_{name.upper()} and its default {shown} not in the README"


def test_limits_come_from_settings(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    defaults = Settings(_env_file=None).limits  # type: ignore[call-arg]
    assert defaults == type(defaults)()  # the settings' defaults are the limits' own
    for name, value in [("KPI_MAX_COLUMNS", "300"), ("KPI_MAX_ROW_CELLS", "2000"), ("KPI_MAX_CELL_BYTES", "5000"),
                        ("KPI_MAX_ROWS", "10"), ("KPI_MAX_WORKBOOK_MB", "1.5"), ("KPI_FILE_TIMEOUT_S", "2.5")]:
        monkeypatch.setenv(name, value)
    limits = load_settings().limits
    assert (limits.max_columns, limits.max_row_cells, limits.max_cell_bytes, limits.max_rows) == (300, 2000, 5000, 10)
    assert limits.max_workbook_bytes == int(1.5 * 1024 * 1024) and limits.seconds == 2.5


@pytest.mark.parametrize(("name", "value"), [("KPI_MAX_COLUMNS", "0"), ("KPI_MAX_CELL_BYTES", "abc"), ("KPI_FILE_TIMEOUT_S", "-1")])
def test_an_invalid_limit_stops_with_one_line(kpi, name, value):
    result = kpi("ingest", env={name: value})
    assert result.returncode == 2 and name in result.stderr and "Traceback" not in result.stderr
