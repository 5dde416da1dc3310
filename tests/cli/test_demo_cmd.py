"""`kpi demo`: every sample file loads through the normal path; a second run finds duplicates."""

from __future__ import annotations

import json

import pytest

from pipelines.settings import SAMPLE_DIR

SAMPLES = sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))
pytestmark = pytest.mark.skipif(not SAMPLES, reason=f"no sample CSV files in {SAMPLE_DIR} yet (generated in parallel)")


def test_demo_loads_every_sample_and_is_idempotent(kpi, data_dir):
    first = kpi("demo", "--json", timeout=300)
    summary = json.loads(first.stdout)
    by_status = {f["file"]: f["status"] for f in summary["files"]}
    rejected = {f["file"]: f["problems"][:3] for f in summary["files"] if f["status"] != "loaded"}
    assert rejected == {}
    assert first.returncode == 0, first.stderr
    assert sorted(by_status) == SAMPLES
    assert all(f["rows"] > 0 for f in summary["files"])

    # The sample's sign-off state: everything approved but one reporter's latest quarter, one quarter closed.
    pending = json.loads(kpi("pending", "--json").stdout)
    assert {(v["reporter"], v["period"]) for v in pending["values"]} == {("HAIPHONG", "2026-Q3")}
    assert pending["closed"] == ["2026-Q2"]
    log = json.loads(kpi("audit", "--json").stdout)
    assert {r["actor"] for r in log if r["action"] == "load"} == {"sample.analyst"}
    assert {r["actor"] for r in log if r["action"] in ("approve", "close")} == {"sample.approver"}
    approvals = sum(r["action"] == "approve" for r in log)

    second = kpi("demo", "--json", timeout=300)
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert {f["status"] for f in again["files"]} == {"duplicate"} and again["duplicate"] == len(SAMPLES)
    assert len(list((data_dir / "archive").iterdir())) == 2 * len(SAMPLES)
    assert list((data_dir / "inbox").iterdir()) == []
    log = json.loads(kpi("audit", "--json").stdout)
    assert sum(r["action"] == "approve" for r in log) == approvals  # nothing approved twice
    assert [r["action"] for r in log].count("close") == 1
