"""Where the users file is: never relative to the working directory (issue 14)."""

from __future__ import annotations

from pipelines.settings import DEFAULT_CONFIG_DIR, load_settings

PROJECT_ROOT = DEFAULT_CONFIG_DIR.parent  # a checkout: the folder holding pyproject.toml


def test_default_users_file_is_in_the_project_config_folder_wherever_the_command_starts(monkeypatch, tmp_path):
    for name in ("KPI_USERS_FILE", "KPI_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.users_file == PROJECT_ROOT / ".streamlit" / "users.toml"
    assert not settings.users_file_configured


def test_relative_users_file_is_under_the_config_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KPI_USERS_FILE", "accounts/users.toml")
    monkeypatch.setenv("KPI_CONFIG_DIR", str(tmp_path / "cfg"))
    settings = load_settings()
    assert settings.users_file == tmp_path / "cfg" / "accounts" / "users.toml"
    assert settings.users_file_configured


def test_relative_config_folder_is_under_the_project(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPI_USERS_FILE", raising=False)
    monkeypatch.setenv("KPI_CONFIG_DIR", "deploy")
    assert load_settings().users_file == PROJECT_ROOT / "deploy" / "users.toml"
