"""`kpi close`: freezes a quarter; a later file that would change one of its values is rejected."""

from __future__ import annotations

import json

from tests.cli.signoff_helpers import MISSIONS, load_missions


def test_close_freezes_values_and_ingest_names_the_quarter_and_values(kpi, write_csv, data_dir):
    load_missions(kpi, write_csv)
    waiting = kpi("close", "--quarter", "2026-Q2")
    assert waiting.returncode == 1 and "values wait for approval in MOFA 2026-Q1" in waiting.stderr
    for period in ("2026-Q1", "2026-Q2"):
        kpi("approve", "--reporter", "MOFA", "--period", period)
    done = kpi("close", "--quarter", "2026-Q2", "--as", "chi", "--reason", "Q2 review")
    assert done.returncode == 0, done.stderr
    assert "closed 2026-Q2: 2 value(s)" in done.stdout

    revision = write_csv("rev.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q1", "99", "agencies", ""]])
    rejected = kpi("ingest", revision, "--as", "lan")
    assert rejected.returncode == 1
    assert "rev.csv, row 2, column value: MISSIONS_ABROAD MOFA 2026-Q1: 99 would change a value in a closed quarter" in rejected.stdout
    assert "now 94; 2026-Q2 was closed by chi" in rejected.stdout and "kpi reopen --quarter 2026-Q2" in rejected.stdout
    assert list((data_dir / "rejected").glob("*rev.csv.report.txt"))
    log = json.loads(kpi("audit", "--json").stdout)
    assert [(r["actor"], r["action"]) for r in log[-2:]] == [("chi", "close"), ("lan", "reject")]
    assert log[-2]["reason"] == "Q2 review"

    # The same values again change nothing, so they load.
    assert kpi("ingest", write_csv("same.csv", MISSIONS)).returncode == 0


def test_close_refuses_bad_unfinished_and_repeated_quarters(kpi, write_csv):
    assert kpi("close", "--quarter", "2026").returncode == 2
    assert kpi("close", "--quarter", "2026-Q2").returncode == 1  # no warehouse yet
    load_missions(kpi, write_csv)
    future = kpi("close", "--quarter", "2099-Q1")
    assert future.returncode == 1 and "has not ended yet" in future.stderr
    off = {"KPI_APPROVAL": "off"}  # without sign-off nothing waits, so closing needs no approval
    assert kpi("close", "--quarter", "2026-Q2", env=off).returncode == 0
    again = kpi("close", "--quarter", "2026-Q2", env=off)
    assert again.returncode == 1 and "already closed" in again.stderr


def test_close_is_refused_while_commentary_waits(kpi, write_csv):
    load_missions(kpi, write_csv)
    assert kpi("approve", "--reporter", "MOFA", "--period", "2026-Q1").returncode == 0
    assert kpi("approve", "--reporter", "MOFA", "--period", "2026-Q2").returncode == 0
    assert kpi("comment", "--indicator", "MISSIONS_ABROAD", "--quarter", "2026-Q2", "--owner", "MOFA",
               "--happened", "Ổn định").returncode == 0
    refused = kpi("close", "--quarter", "2026-Q2")
    assert refused.returncode == 1 and "commentary waits for approval for MISSIONS_ABROAD 2026-Q2" in refused.stderr
    assert "kpi approve --commentary --period 2026-Q2" in refused.stderr
    assert kpi("approve", "--commentary", "--period", "2026-Q2").returncode == 0
    assert kpi("close", "--quarter", "2026-Q2").returncode == 0
