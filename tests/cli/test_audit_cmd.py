"""`kpi audit`: every load, rejection and sign-off step with who, when, what and why."""

from __future__ import annotations

import json

from tests.cli.signoff_helpers import load_missions
from tests.conftest import BAD_FILE


def test_audit_lists_loads_rejections_and_decisions_oldest_first(kpi, write_csv):
    assert kpi("audit").stdout.startswith("no audit rows")
    load_missions(kpi, write_csv)
    assert kpi("ingest", write_csv("bad.csv", BAD_FILE), "--as", "lan.analyst").returncode == 1
    assert kpi("approve", "--reporter", "MOFA", "--period", "2026-Q2", "--as", "chi").returncode == 0
    rows = json.loads(kpi("audit", "--json").stdout)
    assert [(r["actor"], r["action"], r["object"]) for r in rows] == [
        ("lan.analyst", "catalog", "catalog"), ("lan.analyst", "load", "missions.csv"), ("lan.analyst", "reject", "bad.csv"), ("chi", "approve", "MOFA 2026-Q2")]
    assert rows[1]["details"]["rows"] == 2 and rows[2]["details"]["problem_count"] == 2
    assert rows[0]["details"]["changed"] == ["pillars", "reporters", "indicators", "dimension_values"]
    assert all(r["at"].endswith("Z") for r in rows)
    text = kpi("audit").stdout.splitlines()
    assert len(text) == 4 and "chi" in text[3] and "approve" in text[3]
    assert len(kpi("audit", "--limit", "1").stdout.splitlines()) == 1


def test_audit_since_filters_and_bad_dates_say_the_format(kpi, write_csv):
    load_missions(kpi, write_csv)
    assert json.loads(kpi("audit", "--json", "--since", "2000-01-01").stdout)
    assert json.loads(kpi("audit", "--json", "--since", "2999-01-01T00:00").stdout) == []
    bad = kpi("audit", "--since", "yesterday")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_ingest_without_as_records_the_os_user(kpi, write_csv):
    import getpass

    assert kpi("ingest", write_csv("a.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q1", "94", "agencies", ""]])).returncode == 0
    assert {r["actor"] for r in json.loads(kpi("audit", "--json").stdout)} == {getpass.getuser()}


def test_sign_ins_from_their_own_file_are_merged_in_time_order(kpi, write_csv, data_dir):
    from datetime import datetime, timedelta, timezone

    from pipelines import signins
    from tests.support.warehouse import make_settings

    db = make_settings(data_dir).warehouse_path
    before = datetime.now(timezone.utc) - timedelta(minutes=5)
    signins.record(db, "lan.analyst", "sign-in", {"role": "analyst", "mode": "password"}, at=before)
    load_missions(kpi, write_csv)
    signins.record(db, "chi", "sign-out", {"role": "approver", "mode": "password"})
    with open(signins.log_path(db), "a", encoding="utf-8") as handle:
        handle.write('{"at": "torn')  # a crash mid-line is skipped, not fatal
    rows = json.loads(kpi("audit", "--json").stdout)
    assert [(r["actor"], r["action"], r["source"]) for r in rows] == [
        ("lan.analyst", "sign-in", "signins"), ("lan.analyst", "catalog", "warehouse"),
        ("lan.analyst", "load", "warehouse"), ("chi", "sign-out", "signins")]
    assert rows[0]["audit_id"] == "S1" and rows[0]["details"] == {"mode": "password", "role": "analyst"}
    assert [r["action"] for r in json.loads(kpi("audit", "--json", "--limit", "2").stdout)] == ["load", "sign-out"]
    since = (before + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    assert "sign-in" not in [r["action"] for r in json.loads(kpi("audit", "--json", "--since", since).stdout)]
    text = kpi("audit").stdout.splitlines()
    assert text[0].startswith("#S1") and "sign-in" in text[0] and "chi" in text[-1]


def test_sign_in_rows_alone_are_listed_before_any_load(kpi, data_dir):
    from pipelines import signins
    from tests.support.warehouse import make_settings

    signins.record(make_settings(data_dir).warehouse_path, "lan\x1b[31m.analyst", "sign-in-failed")
    rows = json.loads(kpi("audit", "--json").stdout)
    assert [(r["actor"], r["action"]) for r in rows] == [("lan [31m.analyst", "sign-in-failed")]  # no escape reaches a terminal
