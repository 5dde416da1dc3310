"""`kpi user`: accounts for the built-in sign-in, stored only as salted hashes."""

from __future__ import annotations

import stat

from pipelines.users import read_users, verify_password

PASSWORD = "một mật khẩu dài"


def test_add_stores_a_salted_hash_never_the_password(kpi, tmp_path):
    users = tmp_path / "users.toml"
    env = {"KPI_USERS_FILE": str(users)}
    first = kpi("user", "add", "Lan.Nguyen", "--role", "analyst", "--password-stdin", env=env, input_text=PASSWORD)
    assert first.returncode == 0, first.stderr
    text = users.read_text(encoding="utf-8")
    assert PASSWORD not in text and "scrypt$" in text
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    account = read_users(users)["lan.nguyen"]
    assert account.role == "analyst" and verify_password(PASSWORD, account.password_hash)
    assert not verify_password(PASSWORD + "x", account.password_hash)
    # The same password for a second user gets a different salt, so a different hash.
    kpi("user", "add", "minh", "--password-stdin", env=env, input_text=PASSWORD)
    accounts = read_users(users)
    assert accounts["minh"].role == "viewer"
    assert accounts["minh"].password_hash != accounts["lan.nguyen"].password_hash


def test_list_shows_names_and_roles_only(kpi, tmp_path):
    env = {"KPI_USERS_FILE": str(tmp_path / "users.toml")}
    kpi("user", "add", "minh", "--role", "viewer", "--password-stdin", env=env, input_text=PASSWORD)
    listed = kpi("user", "list", env=env)
    assert listed.returncode == 0
    assert "minh" in listed.stdout and "viewer" in listed.stdout and "scrypt" not in listed.stdout


def test_remove_deletes_the_account_and_unknown_names_exit_2(kpi, tmp_path):
    users = tmp_path / "users.toml"
    env = {"KPI_USERS_FILE": str(users)}
    kpi("user", "add", "minh", "--password-stdin", env=env, input_text=PASSWORD)
    assert kpi("user", "remove", "minh", env=env).returncode == 0
    assert read_users(users) == {}
    missing = kpi("user", "remove", "nobody", env=env)
    assert missing.returncode == 2 and "no user 'nobody'" in missing.stderr


def test_short_password_and_bad_name_are_refused_with_exit_2(kpi, tmp_path):
    env = {"KPI_USERS_FILE": str(tmp_path / "users.toml")}
    short = kpi("user", "add", "minh", "--password-stdin", env=env, input_text="short")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    bad = kpi("user", "add", "../evil", "--password-stdin", env=env, input_text=PASSWORD)
    assert bad.returncode == 2 and "invalid user name" in bad.stderr
    assert not (tmp_path / "users.toml").exists()


def test_a_stale_world_readable_temp_file_does_not_make_the_users_file_readable(kpi, tmp_path):
    users = tmp_path / "users.toml"
    stale = tmp_path / "users.toml.tmp"  # left by a run killed mid-write, with the umask's 0644
    stale.write_text("junk", encoding="utf-8")
    stale.chmod(0o644)
    done = kpi("user", "add", "lan", "--password-stdin", env={"KPI_USERS_FILE": str(users)}, input_text=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".users")] == []  # no temp file of ours left


def test_users_that_is_not_a_table_is_a_clear_error(kpi, tmp_path):
    users = tmp_path / "users.toml"
    users.write_text("users = 5\n", encoding="utf-8")
    for args in (("list",), ("add", "lan", "--password-stdin")):
        done = kpi("user", *args, env={"KPI_USERS_FILE": str(users)}, input_text=PASSWORD)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert str(users) in done.stderr and "must be a table" in done.stderr
    assert users.read_text(encoding="utf-8") == "users = 5\n"  # left as it was


def test_a_folder_at_the_users_file_path_is_a_clear_error(kpi, tmp_path):
    users = tmp_path / "users.toml"
    users.mkdir()
    for args in (("list",), ("add", "lan", "--password-stdin"), ("remove", "lan")):
        done = kpi("user", *args, env={"KPI_USERS_FILE": str(users)}, input_text=PASSWORD)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and "is a folder" in done.stderr
    assert users.is_dir() and not any(users.iterdir())
def test_add_an_approver(kpi, tmp_path):
    users = tmp_path / "users.toml"
    env = {"KPI_USERS_FILE": str(users)}
    added = kpi("user", "add", "chi", "--role", "approver", "--password-stdin", env=env, input_text=PASSWORD)
    assert added.returncode == 0 and "chi (approver)" in added.stdout
    assert read_users(users)["chi"].role == "approver"
    wrong = kpi("user", "add", "chi", "--role", "boss", "--password-stdin", env=env, input_text=PASSWORD)
    assert wrong.returncode == 2 and "approver" in wrong.stderr
