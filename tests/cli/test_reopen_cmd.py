"""`kpi reopen`: lifts a close with a reason, so the quarter's values can be revised again."""

from __future__ import annotations

import json

from tests.cli.signoff_helpers import load_missions

OFF = {"KPI_APPROVAL": "off"}


def test_reopen_with_a_reason_lets_a_revision_load(kpi, write_csv):
    load_missions(kpi, write_csv)
    assert kpi("close", "--quarter", "2026-Q2", env=OFF).returncode == 0
    revision = write_csv("rev.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q2", "96", "agencies", ""]])
    assert kpi("ingest", revision, env=OFF).returncode == 1
    no_reason = kpi("reopen", "--quarter", "2026-Q2", env=OFF)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    done = kpi("reopen", "--quarter", "2026-Q2", "--reason", "ministry corrected Q2", "--as", "chi", env=OFF)
    assert done.returncode == 0, done.stderr
    revision_again = write_csv("rev2.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q2", "96", "agencies", ""]])
    assert kpi("ingest", revision_again, env=OFF).returncode == 0
    assert ",2026-Q2,96," in kpi("export", env=OFF).stdout
    row = [r for r in json.loads(kpi("audit", "--json").stdout) if r["action"] == "reopen"][0]
    assert (row["actor"], row["object"], row["reason"]) == ("chi", "2026-Q2", "ministry corrected Q2")


def test_reopen_of_an_open_quarter_says_which_close_covers_it(kpi, write_csv):
    load_missions(kpi, write_csv)
    assert kpi("close", "--quarter", "2026-Q2", env=OFF).returncode == 0
    covered = kpi("reopen", "--quarter", "2026-Q1", "--reason", "x", env=OFF)
    assert covered.returncode == 1 and "frozen by the close of 2026-Q2" in covered.stderr
    assert "kpi reopen --quarter 2026-Q2" in covered.stderr
