"""`kpi pending`: what waits for approval, with the values and what changed since the last approved version."""

from __future__ import annotations

import json

from tests.cli.signoff_helpers import load_missions


def test_pending_lists_new_and_revised_values_with_the_command_to_approve(kpi, write_csv):
    load_missions(kpi, write_csv)
    assert kpi("approve", "--reporter", "MOFA", "--period", "2026-Q2").returncode == 0
    load_missions(kpi, write_csv, [["MISSIONS_ABROAD", "MOFA", "2026-Q2", "97", "agencies", ""]], name="rev.csv")
    out = kpi("pending")
    assert out.returncode == 0, out.stderr
    assert "MOFA 2026-Q1: 1 value(s) waiting, 0 revised" in out.stdout and "new 94" in out.stdout
    assert "MOFA 2026-Q2: 1 value(s) waiting, 1 revised since the last approved version" in out.stdout
    assert "95 -> 97" in out.stdout and "rev.csv" in out.stdout
    assert "kpi approve --reporter MOFA --period 2026-Q2" in out.stdout
    data = json.loads(kpi("pending", "--json", "--reporter", "MOFA").stdout)
    assert [(v["period"], v["approved_value"], v["value"], v["change"]) for v in data["values"]] == [
        ("2026-Q1", None, 94.0, "new"), ("2026-Q2", 95.0, 97.0, "revised")]


def test_pending_when_nothing_waits_or_sign_off_is_off(kpi, write_csv):
    assert kpi("pending").returncode == 2  # no warehouse yet: says to run kpi demo
    load_missions(kpi, write_csv)
    for period in ("2026-Q1", "2026-Q2"):
        assert kpi("approve", "--reporter", "MOFA", "--period", period).returncode == 0
    assert kpi("pending").stdout.strip() == "nothing waits for approval"
    assert "KPI_APPROVAL=off" in kpi("pending", env={"KPI_APPROVAL": "off"}).stdout


def test_waiting_commentary_is_listed_with_how_to_approve_it(kpi, write_csv):
    load_missions(kpi, write_csv)
    assert kpi("comment", "--indicator", "MISSIONS_ABROAD", "--quarter", "2026-Q2", "--owner", "MOFA",
               "--happened", "Mở thêm 1 cơ quan", "--author", "lan").returncode == 0
    shown = kpi("pending").stdout
    assert "commentary MISSIONS_ABROAD 2026-Q2: 1 version(s) waiting" in shown
    assert "[vi] owner MOFA, by lan at " in shown and "(new): Mở thêm 1 cơ quan" in shown
    assert "approve: kpi approve --commentary --period 2026-Q2 --indicator MISSIONS_ABROAD" in shown
    [note] = json.loads(kpi("pending", "--json").stdout)["commentary"]
    assert (note["indicator"], note["quarter"], note["versions"][0]["happened"]) == ("MISSIONS_ABROAD", "2026-Q2", "Mở thêm 1 cơ quan")
