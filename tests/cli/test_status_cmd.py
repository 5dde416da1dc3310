"""`kpi status`: what was loaded and rejected, and the latest period per reporter."""

from __future__ import annotations

import json

import pytest

from tests.conftest import approve_everything


def test_empty_warehouse(kpi, data_dir):
    result = kpi("status")
    assert result.returncode == 0
    assert result.stdout.startswith("no warehouse yet at ") and "kpi demo" in result.stdout


def test_empty_warehouse_json(kpi):
    result = kpi("status", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["loads"] == []


@pytest.fixture
def loaded(kpi, write_csv, settings):
    good = write_csv("mofa_q3.csv", [["MISSIONS_ABROAD", "MOFA", "2025-Q3", "97", "", ""],
                                     ["MISSIONS_ABROAD", "MOFA", "2025-Q2", "96", "", ""],
                                     ["STAFF_SPECIALISTS", "MOFA", "2024", "510", "", ""]])
    budget = write_csv("mof_2025.csv", [["BUDGET_OPERATING", "MOF", "2025", "130.5", "", ""]])
    bad = write_csv("hanoi_bad.csv", [["OFFICIALS_TRAINED", "HANOI", "2025-Q3", "x", "", ""]])
    assert kpi("ingest", good, budget, bad).returncode == 1
    approve_everything(settings)


def test_lists_loads_and_latest_period_per_reporter(kpi, loaded):
    result = kpi("status")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("mofa_q3.csv", "mof_2025.csv", "hanoi_bad.csv"):
        assert name in out
    loads = [line for line in out.splitlines() if line.strip().startswith("#")]
    assert [line.split()[3] for line in loads] == ["rejected", "loaded", "loaded"]  # newest first
    reporters = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and "values" in line}
    assert "quarter 2025-Q3" in reporters["MOFA"] and "year 2024" in reporters["MOFA"]
    assert "year 2025" in reporters["MOF"] and "quarter -" in reporters["MOF"]
    assert " 0 values" in reporters["HANOI"]


def test_json(kpi, loaded):
    result = kpi("status", "--json")
    assert result.returncode == 0
    status = json.loads(result.stdout)
    assert [(r["file_name"], r["status"], r["rows_loaded"]) for r in status["loads"]] == [
        ("hanoi_bad.csv", "rejected", 0), ("mof_2025.csv", "loaded", 1), ("mofa_q3.csv", "loaded", 3)]
    fresh = {r["reporter"]: r for r in status["reporters"]}
    assert (fresh["MOFA"]["latest_quarter"], fresh["MOFA"]["latest_year"], fresh["MOFA"]["observations"]) == ("2025-Q3", "2024", 3)
    assert fresh["HANOI"]["observations"] == 0 and fresh["HANOI"]["last_load"] is None


def test_limit(kpi, loaded):
    status = json.loads(kpi("status", "--json", "--limit", "1").stdout)
    assert [r["file_name"] for r in status["loads"]] == ["hanoi_bad.csv"]
