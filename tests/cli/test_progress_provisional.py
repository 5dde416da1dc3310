"""`kpi progress` on a partial roll-up: 4 of 9 reporters sent 2026, so the status rests on 2025
(the latest complete year) and the output says which total is provisional and who is missing. The
values are read including those waiting for approval: this is about the roll-up, not sign-off."""

from __future__ import annotations

import json
from pathlib import Path

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "plausibility"


def test_partial_year_is_not_the_latest_value_behind_the_status(kpi):
    assert kpi("ingest", GOLDEN / "specialists_2024_2025_nine_reporters.csv").returncode == 0
    before = json.loads(kpi("progress", "--indicator", "STAFF_SPECIALISTS", "--json", "--include-pending").stdout)
    assert kpi("ingest", GOLDEN / "specialists_2026_four_of_nine.csv").returncode == 0
    result = kpi("progress", "--indicator", "STAFF_SPECIALISTS", "--json", "--include-pending")
    after = json.loads(result.stdout)
    for b, a in zip(before, after):
        assert a["latest_period"] == "2025" and a["latest_value"] == 389
        assert a["status"] == b["status"] != "deterioration"
        assert [p["period"] for p in a["provisional"]] == ["2026"]
        assert a["provisional"][0]["missing"] == ["DANANG", "HAIPHONG", "HANOI", "HCMC", "MOIT"]
    text = kpi("progress", "--indicator", "STAFF_SPECIALISTS", "--include-pending").stdout
    assert "STAFF_SPECIALISTS 2026: 4 of 9 reporters; missing DANANG, HAIPHONG, HANOI, HCMC, MOIT" in text
    assert "statuses use the latest complete period" in text


def test_dry_run_of_a_partial_year_shows_no_status_move(kpi):
    kpi("ingest", GOLDEN / "specialists_2024_2025_nine_reporters.csv")
    result = kpi("ingest", "--dry-run", GOLDEN / "specialists_2026_four_of_nine.csv")
    assert result.returncode == 0
    assert "status" not in result.stdout.replace("dry run", "")


def test_partial_year_is_said_in_vietnamese_too(kpi):
    kpi("ingest", GOLDEN / "specialists_2024_2025_nine_reporters.csv")
    kpi("ingest", GOLDEN / "specialists_2026_four_of_nine.csv")
    text = kpi("progress", "--indicator", "STAFF_SPECIALISTS", "--include-pending", "--lang", "vi").stdout
    assert "số tổng hợp tạm tính (thiếu đơn vị báo cáo; trạng thái dựa trên kỳ đầy đủ gần nhất):" in text
    assert "STAFF_SPECIALISTS 2026: 4 trên 9 đơn vị báo cáo; thiếu DANANG, HAIPHONG, HANOI, HCMC, MOIT" in text
