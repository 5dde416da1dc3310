"""Every file in tests/fixtures/intake/ ingested as a user drops it, checked against expected.toml:
the outcome, and what the warehouse holds afterwards (rows, values, NFC text, nothing from a
rejected file), where the file went and what the report says."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import pytest

from pipelines.ingest import ingest
from pipelines.problems import Problem
from pipelines.warehouse.store import open_reader
from tests.intake.conftest import FIXTURES, PROJECT_ROOT, TODAY, fingerprint, make_settings

MANIFEST: list[dict] = tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))["fixture"]
BY_NAME = {fx["name"]: fx for fx in MANIFEST}
NONE = "__none__"  # the manifest's spelling of NULL
BASELINE = "utf8_plain_comma.csv"  # loaded first when a file must be shown to change nothing


def test_manifest_describes_every_file_and_nothing_else() -> None:
    on_disk = {p.name for p in FIXTURES.iterdir() if p.name != "expected.toml"}
    assert on_disk == set(BY_NAME)
    assert len(MANIFEST) == len(BY_NAME), "a fixture is listed twice"
    assert len(on_disk) >= 40
    assert {fx["outcome"] for fx in MANIFEST} == {"loaded", "rejected"}
    too_big = [p.name for p in FIXTURES.iterdir() if p.name != "expected.toml" and p.stat().st_size >= 20_000]
    assert not too_big


def test_fixtures_match_their_generator() -> None:
    done = subprocess.run([sys.executable, "-m", "tests.support.make_intake_fixtures", "--check"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def _matches(problem: Problem, expected: dict) -> bool:
    for key, want in expected.items():
        if key in ("code", "row", "column", "value"):
            if getattr(problem, key) != want:
                return False
        elif key == "suggestions":  # the closest codes first; more may follow
            if (problem.params.get(key) or [])[: len(want)] != want:
                return False
        elif problem.params.get(key) != want:
            return False
    return True


@pytest.fixture(scope="module")
def baseline_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding one loaded file, built once and copied into each test that needs it."""
    settings = make_settings(tmp_path_factory.mktemp("baseline") / "data")
    settings.inbox_dir.mkdir(parents=True)
    shutil.copyfile(FIXTURES / BASELINE, settings.inbox_dir / BASELINE)
    assert [o.status for o in ingest(None, settings, today=TODAY)] == ["loaded"]
    return settings.warehouse_path


def _ingest_fixture(fx: dict, tmp_path: Path, baseline: Path | None = None):
    settings = make_settings(tmp_path / "data", **({"max_file_mb": fx["max_file_mb"]} if "max_file_mb" in fx else {}))
    before = None
    if baseline is not None:  # a warehouse with data in it, to show that nothing changes
        settings.warehouse_path.parent.mkdir(parents=True)
        shutil.copyfile(baseline, settings.warehouse_path)
        before = fingerprint(settings)
        assert before[0] > 0
    target = settings.inbox_dir / fx["name"]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / fx["name"], target)
    outcomes = ingest(None, settings, today=TODAY)
    assert len(outcomes) == 1
    return settings, outcomes[0], before


@pytest.mark.parametrize("fx", [f for f in MANIFEST if f["outcome"] == "loaded"], ids=lambda f: f["name"])
def test_loaded_fixture(fx: dict, tmp_path: Path) -> None:
    settings, outcome, _ = _ingest_fixture(fx, tmp_path)
    first = outcome.problems[0].message("en") if outcome.problems else ""
    assert outcome.status == "loaded", f"{fx['name']} ({fx['quirk']}): {outcome.problem_count} problem(s): {first}"
    assert outcome.rows == fx["rows"]

    with open_reader(settings.warehouse_path) as con:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == fx["rows"]
        assert con.execute("SELECT count(*) FROM current_observations").fetchone()[0] == fx["rows"]
        for want in fx.get("checks", []):
            found = con.execute(
                "SELECT value, note, row_number FROM current_observations"
                " WHERE indicator = ? AND reporter = ? AND period = ? AND breakdown = ?",
                [want["indicator"], want["reporter"], want["period"], want["breakdown"]],
            ).fetchall()
            assert len(found) == 1, f"no single row for {want}; stored: " + repr(
                con.execute("SELECT indicator, reporter, period, breakdown, value FROM observations").fetchall())
            value, note, row_number = found[0]
            assert value == pytest.approx(want["value"], rel=1e-12, abs=1e-12)
            if "note" in want:
                assert note == (None if want["note"] == NONE else want["note"])
            if "row_number" in want:
                assert row_number == want["row_number"]
        texts = con.execute("SELECT indicator, reporter, period, breakdown, unit, note FROM observations").fetchall()
        for row in texts:
            for text in row:
                assert text is None or unicodedata.is_normalized("NFC", text), f"not NFC: {text!r}"
        load = con.execute("SELECT status, rows_loaded, encoding, info, file_name FROM loads").fetchall()
    assert len(load) == 1
    status, rows_loaded, encoding, info, file_name = load[0]
    assert (status, rows_loaded, file_name) == ("loaded", fx["rows"], fx["name"])
    if "encoding" in fx:
        assert encoding == fx["encoding"]
    info_codes = {code for code, _ in json.loads(info)}
    assert set(fx.get("info", [])) <= info_codes

    assert not any(settings.inbox_dir.iterdir()), "a loaded file stays in the inbox"
    archived = list(settings.archive_dir.iterdir())
    assert len(archived) == 1 and archived[0].read_bytes() == (FIXTURES / fx["name"]).read_bytes()


@pytest.mark.parametrize("fx", [f for f in MANIFEST if f["outcome"] == "rejected"], ids=lambda f: f["name"])
def test_rejected_fixture(fx: dict, tmp_path: Path, baseline_warehouse: Path) -> None:
    settings, outcome, before = _ingest_fixture(fx, tmp_path, baseline_warehouse)
    assert outcome.status == "rejected", f"{fx['name']} ({fx['quirk']}) was {outcome.status}"
    assert fingerprint(settings) == before, "a rejected file changed the warehouse"

    for want in fx["problems"]:
        assert any(_matches(p, want) for p in outcome.problems), (
            f"expected {want}; reported: {[(p.code, p.row, p.column, p.value, p.params) for p in outcome.problems[:10]]}")
    if "problem_count" in fx:
        assert outcome.problem_count == fx["problem_count"]
    assert outcome.problem_count >= len(outcome.problems) >= 1
    for p in outcome.problems:  # every problem can be said in both languages
        assert p.message("en") and p.message("vi")

    with open_reader(settings.warehouse_path) as con:
        status, count, stored = con.execute(
            "SELECT status, problem_count, problems FROM loads ORDER BY load_id DESC LIMIT 1").fetchone()
    assert (status, count) == ("rejected", outcome.problem_count)
    assert [Problem.from_dict(d) for d in json.loads(stored)] == outcome.problems

    assert not any(settings.inbox_dir.iterdir())
    filed = sorted(p.name for p in settings.rejected_dir.iterdir())
    assert len(filed) == 2 and filed[1] == filed[0] + ".report.txt"
    assert (settings.rejected_dir / filed[0]).read_bytes() == (FIXTURES / fx["name"]).read_bytes()
    report = (settings.rejected_dir / filed[1]).read_text(encoding="utf-8")
    assert fx["name"] in report and outcome.problems[0].message("en") in report
