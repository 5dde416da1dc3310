"""Shared set-up for the sign-off command tests: a small warehouse loaded through `kpi ingest`."""

from __future__ import annotations

MISSIONS = [
    ["MISSIONS_ABROAD", "MOFA", "2026-Q1", "94", "agencies", ""],
    ["MISSIONS_ABROAD", "MOFA", "2026-Q2", "95", "agencies", ""],
]


def load_missions(kpi, write_csv, rows=MISSIONS, name="missions.csv", actor="lan.analyst") -> None:
    result = kpi("ingest", write_csv(name, rows), "--as", actor)
    assert result.returncode == 0, result.stdout + result.stderr
