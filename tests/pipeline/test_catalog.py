"""The catalog: the real one loads; a broken one stops everything with file, line and field."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from pipelines.catalog import CatalogError, load_catalog
from pipelines.settings import DEFAULT_CATALOG_DIR


def test_real_catalog_loads(catalog):
    assert len(catalog.indicators) >= 14 and len(catalog.reporters) >= 10 and len(catalog.pillars) == 6
    assert catalog.indicators["MISSIONS_ABROAD"].target(2030) == 115
    assert catalog.indicators["MISSIONS_ABROAD"].target(2045) == 150
    assert all(i.direction in ("increase", "decrease", "none") for i in catalog.indicators.values())
    assert set(catalog.allowed_values("mission_type")) == {"embassy", "permanent_mission", "consulate_general", "other"}
    assert {i.pillar for i in catalog.indicators.values()} <= set(catalog.pillars)


def _edit(folder: Path, file: str, change) -> None:
    path = folder / file
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fieldnames = list(rows[0])
    rows = change(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _set(code: str, **values):
    def change(rows):
        for r in rows:
            if r.get("code") == code:
                r.update(values)
        return rows
    return change


def _line_of(code: str, file: str = "indicators.csv") -> int:
    with open(DEFAULT_CATALOG_DIR / file, encoding="utf-8", newline="") as handle:
        codes = [r["code"] for r in csv.DictReader(handle)]
    return codes.index(code) + 2  # header = line 1


BREAKS = {
    "bad-kind": ("indicators.csv", _set("MISSIONS_ABROAD", kind="counts"),
                 [f"indicators.csv line {_line_of('MISSIONS_ABROAD')}, field kind", "'count', 'amount' or 'percent'"]),
    "target-without-source": ("indicators.csv", _set("MISSIONS_ABROAD", target_2030_source=""),
                              [f"indicators.csv line {_line_of('MISSIONS_ABROAD')}", "target_2030_source"]),
    "unknown-pillar": ("indicators.csv", _set("STAFF_HEADCOUNT", pillar="9"),
                       [f"indicators.csv line {_line_of('STAFF_HEADCOUNT')}, field pillar", "9 is not in pillars.csv"]),
    "duplicate-code": ("indicators.csv", lambda rows: rows + [dict(rows[0])],
                       ["field code", "'MISSIONS_ABROAD' appears twice"]),
    "percent-target-over-100": ("indicators.csv", _set("DIGITAL_FULL_ONLINE_PCT", target_2030="120"),
                                [f"indicators.csv line {_line_of('DIGITAL_FULL_ONLINE_PCT')}", "target_2030", "0..100"]),
    "unknown-single-reporter": ("indicators.csv", _set("MISSIONS_ABROAD", single_reporter="MOFAA"),
                                [f"line {_line_of('MISSIONS_ABROAD')}, field single_reporter", "'MOFAA' is not in reporters.csv"]),
    "bad-reporter-kind": ("reporters.csv", _set("HANOI", kind="city"),
                          [f"reporters.csv line {_line_of('HANOI', 'reporters.csv')}, field kind"]),
    "missing-file": ("reporters.csv", None, ["reporters.csv", "missing"]),
}


@pytest.fixture
def broken_catalog(tmp_path):
    def make(case: str) -> Path:
        folder = tmp_path / "catalog"
        shutil.copytree(DEFAULT_CATALOG_DIR, folder)
        file, change, _ = BREAKS[case]
        if change is None:
            (folder / file).unlink()
        else:
            _edit(folder, file, change)
        return folder
    return make


@pytest.mark.parametrize("case", list(BREAKS))
def test_broken_catalog_names_file_line_and_field(broken_catalog, case):
    with pytest.raises(CatalogError) as caught:
        load_catalog(broken_catalog(case))
    assert len(caught.value.problems) == 1, caught.value.problems
    for expected in BREAKS[case][2]:
        assert expected in caught.value.problems[0]


def test_duplicate_code_names_the_line_of_the_second(broken_catalog):
    folder = broken_catalog("duplicate-code")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    lines = len((folder / "indicators.csv").read_text(encoding="utf-8").splitlines())
    assert caught.value.problems[0].startswith(f"indicators.csv line {lines}, field code")


def test_every_catalog_problem_is_listed(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    _edit(folder, "indicators.csv", _set("MISSIONS_ABROAD", kind="counts", frequency="monthly"))
    _edit(folder, "indicators.csv", _set("STAFF_HEADCOUNT", pillar="9"))
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    assert len(caught.value.problems) == 3


@pytest.mark.parametrize("case", ["bad-kind", "target-without-source", "missing-file"])
def test_kpi_catalog_with_broken_catalog_exits_2_without_traceback(kpi, broken_catalog, case):
    result = kpi("catalog", env={"KPI_CATALOG_DIR": str(broken_catalog(case))})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for expected in BREAKS[case][2]:
        assert expected in result.stderr


def test_kpi_catalog_ok(kpi):
    result = kpi("catalog")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("catalog OK:")


def test_ingest_with_broken_catalog_exits_2_and_loads_nothing(kpi, broken_catalog, write_csv, data_dir):
    path = write_csv("a.csv", [["MISSIONS_ABROAD", "MOFA", "2025-Q1", "95", "", ""]])
    result = kpi("ingest", path, env={"KPI_CATALOG_DIR": str(broken_catalog("bad-kind"))})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "field kind" in result.stderr
    assert not (data_dir / "warehouse" / "kpi.duckdb").exists()


def test_deadlines_and_contacts_load_with_example_addresses(catalog):
    assert catalog.deadlines == {"quarterly": 20, "annual": 45}
    assert set(catalog.contacts) == set(catalog.reporters)
    assert all(c.email.endswith("@example.org") for cs in catalog.contacts.values() for c in cs)
    assert [c.language for c in catalog.contacts["HCMC"]] == ["vi", "en"]


def test_broken_deadlines_and_contacts_name_file_line_and_field(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    with open(folder / "deadlines.csv", "a", encoding="utf-8") as handle:
        handle.write("quarterly,10,again\n")
    with open(folder / "reporter_contacts.csv", "a", encoding="utf-8") as handle:
        handle.write("NOBODY,x@example.org,vi,\nMOFA,not-an-address,vi,\nMOF,a@example.org,fr,\n")
    with pytest.raises(CatalogError) as err:
        load_catalog(folder)
    problems = err.value.problems
    assert "deadlines.csv line 4, field frequency: 'quarterly' appears twice" in problems
    assert "reporter_contacts.csv line 13, field reporter: 'NOBODY' is not in reporters.csv" in problems
    assert any(p.startswith("reporter_contacts.csv line 14, field email:") for p in problems)
    assert any(p.startswith("reporter_contacts.csv line 15, field language:") for p in problems)


def test_deadlines_and_contacts_are_optional(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    (folder / "deadlines.csv").unlink()
    (folder / "reporter_contacts.csv").unlink()
    loaded = load_catalog(folder)
    assert loaded.deadlines == {} and loaded.contacts == {}
def test_checks_file_sets_plausibility_bounds_and_expected_reporters(catalog):
    assert catalog.checks["LAWS_ENACTED"].max_value == 4
    assert catalog.checks["BUDGET_OPERATING"].breakdown_tolerance == 0.01


def test_broken_checks_file_names_line_and_field(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    (folder / "checks.csv").write_text(
        "indicator,max_ratio,robust_k,breakdown_tolerance,min_value,max_value,expected_reporters,partial_breakdowns\n"
        "STAFF_HEADCOUNT,0.5,,,,,MOFA NOPE,\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    assert caught.value.problems == [
        "checks.csv line 2: max_ratio must be above 1 (e.g. 5 for 'more than 5 times or less than a fifth')",
    ]
    (folder / "checks.csv").write_text(
        "indicator,max_ratio,robust_k,breakdown_tolerance,min_value,max_value,expected_reporters,partial_breakdowns\n"
        "STAFF_HEADCOUNT,,,,,,MOFA NOPE,\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    assert caught.value.problems == ["checks.csv line 2, field expected_reporters: 'NOPE' is not in reporters.csv"]


def test_catalog_without_checks_file_takes_the_defaults(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    (folder / "checks.csv").unlink()
    assert load_catalog(folder).checks == {}
