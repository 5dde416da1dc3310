"""`kpi approve`: signs off what a reporter sent for a period; leaders see it from then on."""

from __future__ import annotations

import json

from tests.cli.signoff_helpers import load_missions

PASSWORD = "một mật khẩu dài"


def test_approve_makes_values_visible_and_records_who(kpi, write_csv):
    load_missions(kpi, write_csv)
    assert "2026-Q2" not in kpi("export").stdout
    done = kpi("approve", "--reporter", "MOFA", "--period", "2026-Q2", "--as", "chi.approver")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("approved MOFA 2026-Q2: 1 value(s) newly approved") and "by chi.approver" in done.stdout
    assert ",2026-Q2,95," in kpi("export").stdout and "2026-Q1" not in kpi("export").stdout
    log = json.loads(kpi("audit", "--json").stdout)
    assert (log[-1]["actor"], log[-1]["action"], log[-1]["object"]) == ("chi.approver", "approve", "MOFA 2026-Q2")


def test_approving_twice_or_nothing_is_refused_with_what_to_do(kpi, write_csv):
    load_missions(kpi, write_csv)
    assert kpi("approve", "--reporter", "mofa", "--period", "Q2/2026").returncode == 0  # spellings as in files
    again = kpi("approve", "--reporter", "MOFA", "--period", "2026-Q2")
    assert again.returncode == 1 and "already approved" in again.stderr and "kpi pending" in again.stderr
    none = kpi("approve", "--reporter", "MOF", "--period", "2026-Q2")
    assert none.returncode == 1 and "MOF has sent no values for 2026-Q2" in none.stderr
    bad = kpi("approve", "--reporter", "MOFA", "--period", "spring")
    assert bad.returncode == 2 and "write YYYY or YYYY-Qn" in bad.stderr
    assert "Traceback" not in again.stderr + none.stderr + bad.stderr


def test_only_an_approver_account_may_approve(kpi, write_csv, tmp_path):
    load_missions(kpi, write_csv)
    env = {"KPI_USERS_FILE": str(tmp_path / "users.toml")}
    assert kpi("user", "add", "lan", "--role", "analyst", "--password-stdin", env=env, input_text=PASSWORD).returncode == 0
    assert kpi("user", "add", "chi", "--role", "approver", "--password-stdin", env=env, input_text=PASSWORD).returncode == 0
    refused = kpi("approve", "--reporter", "MOFA", "--period", "2026-Q2", "--as", "lan", env=env)
    assert refused.returncode == 1 and "lan has the analyst role; signing off needs an approver" in refused.stderr
    assert kpi("approve", "--reporter", "MOFA", "--period", "2026-Q2", "--as", "chi", env=env).returncode == 0


def test_approval_off_has_nothing_to_approve(kpi, write_csv):
    load_missions(kpi, write_csv)
    off = kpi("approve", "--reporter", "MOFA", "--period", "2026-Q2", env={"KPI_APPROVAL": "off"})
    assert off.returncode == 2 and "KPI_APPROVAL=off" in off.stderr
    assert ",2026-Q2,95," in kpi("export", env={"KPI_APPROVAL": "off"}).stdout
    wrong = kpi("export", env={"KPI_APPROVAL": "maybe"})
    assert wrong.returncode == 2 and "KPI_APPROVAL" in wrong.stderr


COMMENT = ("comment", "--indicator", "MISSIONS_ABROAD", "--quarter", "2026-Q2", "--owner", "MOFA")


def test_approve_commentary_makes_the_waiting_version_the_one_leaders_read(kpi, write_csv, data_dir):
    from pipelines.read_model.commentary import current_for_quarter
    from pipelines.warehouse.store import open_reader

    load_missions(kpi, write_csv)
    assert kpi(*COMMENT, "--happened", "Bản đầu", "--author", "lan").returncode == 0
    done = kpi("approve", "--commentary", "--period", "2026-Q2", "--indicator", "missions_abroad", "--as", "chi")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("approved the commentary for MISSIONS_ABROAD 2026-Q2: 1 version(s)") and "by chi" in done.stdout
    assert kpi(*COMMENT, "--happened", "Bản thứ hai", "--author", "lan").returncode == 0
    with open_reader(data_dir / "warehouse" / "kpi.duckdb") as con:
        assert current_for_quarter(con, "2026-Q2")["MISSIONS_ABROAD"]["vi"].happened == "Bản đầu"  # the new one waits
    assert kpi("approve", "--commentary", "--period", "2026-Q2", "--as", "chi").returncode == 0  # the whole quarter's
    with open_reader(data_dir / "warehouse" / "kpi.duckdb") as con:
        assert current_for_quarter(con, "2026-Q2")["MISSIONS_ABROAD"]["vi"].happened == "Bản thứ hai"
    log = json.loads(kpi("audit", "--json").stdout)
    assert [(r["actor"], r["action"], r["object"]) for r in log[-2:]] == [
        ("lan", "comment", "MISSIONS_ABROAD 2026-Q2"), ("chi", "approve_commentary", "MISSIONS_ABROAD 2026-Q2")]


def test_approve_commentary_refuses_nothing_waiting_a_year_and_a_reporter(kpi, write_csv):
    load_missions(kpi, write_csv)
    none = kpi("approve", "--commentary", "--period", "2026-Q2")
    assert none.returncode == 1 and "no commentary for 2026-Q2 waits for approval" in none.stderr
    year = kpi("approve", "--commentary", "--period", "2026")
    assert year.returncode == 2 and "commentary is per quarter" in year.stderr
    both = kpi("approve", "--commentary", "--reporter", "MOFA", "--period", "2026-Q2")
    assert both.returncode == 2 and "drop --reporter" in both.stderr
    neither = kpi("approve", "--period", "2026-Q2")
    assert neither.returncode == 2 and "--reporter CODE" in neither.stderr
