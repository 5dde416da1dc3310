"""`kpi progress`: status toward 2030 and 2045 with the working, as a table or JSON."""

from __future__ import annotations

import json
import math
import re

import pytest

from tests.conftest import approve_everything

KEYS = ["indicator", "horizon", "status", "method", "baseline_period", "baseline_value", "latest_period",
        "latest_value", "target", "target_source", "observed_rate", "required_rate", "ratio", "needed_rate",
        "projected_value", "provisional"]  # provisional: summed totals missing an expected reporter


@pytest.fixture
def missions(kpi, write_csv, settings):
    # 94 agencies in 2025-Q1 (t0 = 2024.25), 100 in 2026-Q1 (t = 2025.25): one year apart.
    path = write_csv("missions.csv", [
        ["MISSIONS_ABROAD", "MOFA", "2025-Q1", "94", "agencies", ""],
        ["MISSIONS_ABROAD", "MOFA", "2026-Q1", "100", "agencies", ""],
    ])
    assert kpi("ingest", path).returncode == 0
    approve_everything(settings)


def test_json_has_exactly_the_documented_keys_and_hand_worked_values(kpi, missions):
    out = kpi("progress", "--indicator", "MISSIONS_ABROAD", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["horizon"] for r in rows] == [2030, 2045]
    assert all(list(r) == KEYS for r in rows)
    by = {r["horizon"]: r for r in rows}
    # r_obs = 100/94 - 1 = 0.0638; r_req(2030) = (115/94)^(1/5.75) - 1 = 0.0357; R = 1.79 -> on_track
    assert by[2030]["method"] == "compound" and by[2030]["status"] == "on_track"
    assert by[2030]["observed_rate"] == pytest.approx(100 / 94 - 1)
    assert by[2030]["required_rate"] == pytest.approx((115 / 94) ** (1 / 5.75) - 1)
    assert by[2030]["ratio"] == pytest.approx((100 / 94 - 1) / ((115 / 94) ** (1 / 5.75) - 1))
    # needed from the latest: (115/100)^(1/4.75) - 1; projected: 100 * (100/94)^4.75
    assert by[2030]["needed_rate"] == pytest.approx((115 / 100) ** (1 / 4.75) - 1)
    assert by[2030]["projected_value"] == pytest.approx(100 * (100 / 94) ** 4.75)
    assert (by[2045]["target"], by[2045]["target_source"]) == (150, "plan")
    assert by[2045]["baseline_period"] == "2025-Q1" and by[2045]["latest_period"] == "2026-Q1"
    assert all(v is None or not isinstance(v, float) or math.isfinite(v) for r in rows for v in r.values())


def test_as_of_uses_only_periods_up_to_it(kpi, missions):
    rows = json.loads(kpi("progress", "--indicator", "MISSIONS_ABROAD", "--as-of", "Q4/2025", "--json").stdout)
    assert {r["status"] for r in rows} == {"insufficient_data"}
    assert {r["latest_period"] for r in rows} == {"2025-Q1"}


def test_table_lists_every_indicator_and_horizon(kpi, missions):
    out = kpi("progress")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["indicator", "horizon", "status", "method"]
    assert any(line.startswith("MISSIONS_ABROAD") and "on_track" in line and "2030" in line for line in lines)
    assert sum(line.startswith("STAFF_HEADCOUNT") for line in lines) == 2


def test_vietnamese_table_has_vietnamese_headers_and_statuses(kpi, missions):
    out = kpi("progress", "--lang", "vi")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0])[:4] == ["chỉ tiêu", "mốc", "trạng thái", "phương pháp"]
    [row] = [line for line in lines if line.startswith("MISSIONS_ABROAD") and "2030" in line]
    assert "Đúng tiến độ" in row and "tăng trưởng kép" in row and "on_track" not in out.stdout


@pytest.mark.parametrize("args, message", [
    (["--as-of", "next year"], "cannot read --as-of"),
    (["--indicator", "NOPE"], "unknown indicator 'NOPE'"),
])
def test_usage_errors_exit_2(kpi, missions, args, message):
    out = kpi("progress", *args)
    assert out.returncode == 2 and message in out.stderr


def test_without_a_warehouse_it_says_how_to_load_data(kpi):
    out = kpi("progress")
    assert out.returncode == 2 and "kpi demo" in out.stderr
