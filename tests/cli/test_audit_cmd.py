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
