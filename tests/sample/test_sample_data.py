"""The sample data set (data/sample/) as the dashboard shows it: `kpi demo` loads it through the
normal pipeline, and these tests ask the warehouse what a leader would see. Every file loads,
every figure says it is sample data, revisions revise, breakdowns add up, every indicator is
covered 2019 .. 2026-Q3 and the trends the README promises hold. Regenerating the files from
scripts/make_sample_data.py gives the same bytes."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from pipelines.settings import SAMPLE_DIR
from pipelines.warehouse.store import open_reader
from tests.support.cli import run_kpi

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))
QUARTERS = [q for q in (f"{y}-Q{n}" for y in range(2019, 2027) for n in range(1, 5)) if q <= "2026-Q3"]
YEARS = [str(y) for y in range(2019, 2026)]  # complete years; 2026 has begun and may be there


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    """`kpi demo` once into a fresh folder; yields a query function on the published warehouse."""
    data = tmp_path_factory.mktemp("sample") / "data"
    done = run_kpi(data, "demo", "--json", timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    path = data / "warehouse" / "kpi.duckdb"

    def query(sql: str, params: list | tuple = ()) -> list[tuple]:
        with open_reader(path) as con:
            return con.execute(sql, list(params)).fetchall()

    query.path = path  # type: ignore[attr-defined] - for readers that open the file themselves
    return query


@pytest.fixture(scope="module")
def indicators(warehouse) -> dict[str, dict]:
    rows = warehouse("SELECT code, kind, frequency, combine FROM indicators")
    return {code: {"kind": kind, "frequency": freq, "combine": combine} for code, kind, freq, combine in rows}


@pytest.fixture(scope="module")
def headline(warehouse) -> dict[str, dict[str, float]]:
    """indicator -> period -> current total (breakdown '{}') summed over reporters."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for ind, period, value in warehouse(
        "SELECT indicator, period, sum(value) FROM current_observations WHERE breakdown = '{}' GROUP BY ALL"
    ):
        out[ind][period] = value
    return out


def test_every_sample_file_loads_and_the_folder_stays_small(warehouse) -> None:
    loads = warehouse("SELECT file_name, status FROM loads ORDER BY load_id")
    assert loads == [(name, "loaded") for name in SAMPLES]
    assert sum(p.stat().st_size for p in SAMPLE_DIR.rglob("*") if p.is_file()) < 1_000_000


def test_the_files_show_the_reporters_encodings_and_delimiters(warehouse) -> None:
    """The set exercises the reader as real files do: not one clean UTF-8 comma file after another."""
    seen = warehouse("SELECT DISTINCT encoding, delimiter FROM loads")
    assert {e for e, _ in seen} >= {"UTF-8", "UTF-8 (BOM)", "Windows-1258"}
    assert {d for _, d in seen} >= {",", ";", "\t"}


def test_every_row_has_a_note_and_invented_totals_say_so(warehouse) -> None:
    assert warehouse("SELECT count(*) FROM observations WHERE coalesce(trim(note), '') = ''") == [(0,)]
    unmarked = warehouse(
        "SELECT indicator, reporter, period FROM observations"
        " WHERE breakdown = '{}' AND indicator <> 'MISSIONS_ABROAD' AND note NOT ILIKE '%sample data%' LIMIT 5"
    )
    assert unmarked == []
    # The only public figures: the Lowy Institute's count of missions in 2019 and 2023, cited as such.
    cited = warehouse(
        "SELECT period, value, note FROM current_observations WHERE indicator = 'MISSIONS_ABROAD'"
        " AND breakdown = '{}' AND (period LIKE '2019-%' OR period LIKE '2023-%') ORDER BY period"
    )
    assert len(cited) == 8
    assert all(v == (96 if p.startswith("2019") else 94) and "Lowy" in note for p, v, note in cited)


def test_a_key_is_stated_once_except_by_a_later_revision_file(warehouse) -> None:
    restated = warehouse(
        "SELECT o.indicator, o.reporter, o.period, o.breakdown, l.file_name, o.note,"
        "       min(l.file_name) OVER (PARTITION BY o.indicator, o.reporter, o.period, o.breakdown) AS first_file"
        " FROM observations o JOIN loads l USING (load_id)"
        " QUALIFY count(*) OVER (PARTITION BY o.indicator, o.reporter, o.period, o.breakdown) > 1"
    )
    revisions = [r for r in restated if r[4] != r[6]]
    assert revisions, "the sample should show a revision"
    for ind, rep, period, breakdown, file_name, note, first_file in revisions:
        assert "revision" in file_name and "revision" in note.lower(), (ind, rep, period, breakdown, file_name)
        assert first_file < file_name  # loaded after the file it revises
    by_revision_files = warehouse(
        "SELECT count(*) FROM observations o JOIN loads l USING (load_id) WHERE l.file_name LIKE '%revision%'"
    )[0][0]
    assert by_revision_files == len(revisions), "a revision file states a key no earlier file has"


def test_breakdowns_have_a_total_and_add_up_to_it(warehouse, indicators) -> None:
    groups: dict[tuple, dict[tuple, float]] = defaultdict(dict)
    for ind, rep, period, breakdown, value in warehouse(
        "SELECT indicator, reporter, period, breakdown, value FROM current_observations"
    ):
        dims = tuple(sorted(json.loads(breakdown).items()))
        groups[(ind, rep, period)][dims] = value
        assert all(k != "country" or re.fullmatch(r"[A-Z]{3}", v) for k, v in dims), dims
    assert any(len(rows) > 1 for rows in groups.values()), "the sample should have breakdowns"
    wrong = []
    for (ind, rep, period), rows in groups.items():
        if () not in rows:
            wrong.append(f"{ind} {rep} {period}: breakdown rows without a total row")
        for parent, total in rows.items():
            children: dict[str, list[float]] = defaultdict(list)
            for dims, value in rows.items():
                extra = set(dict(dims)) - set(dict(parent))
                if len(dims) == len(parent) + 1 and len(extra) == 1 and set(parent) <= set(dims):
                    children[extra.pop()].append(value)
            for dim, values in children.items():
                if indicators[ind]["kind"] == "percent":
                    ok = min(values) <= total <= max(values)
                else:
                    ok = math.isclose(sum(values), total, rel_tol=1e-9, abs_tol=1e-6)
                if not ok:
                    wrong.append(f"{ind} {rep} {period} {dict(parent) or 'total'}: {dim} gives {values}, total {total}")
    assert wrong == []


# The sample's late reporter: its missing quarter makes that quarter's national total provisional.
LATE = {("OFFICIALS_TRAINED", "CANTHO"): {"2026-Q3"}}


def test_every_indicator_is_covered_from_2019_by_the_right_reporters(warehouse, indicators) -> None:
    series: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ind, rep, period in warehouse("SELECT indicator, reporter, period FROM current_observations WHERE breakdown = '{}'"):
        series[(ind, rep)].add(period)
    reporters: dict[str, set[str]] = defaultdict(set)
    for ind, rep in series:
        reporters[ind].add(rep)
    assert set(reporters) == set(indicators)
    for ind, spec in indicators.items():
        if spec["combine"] == "sum":
            assert len(reporters[ind]) >= 3, (ind, reporters[ind])
        else:
            assert reporters[ind] == {"MOFA"}, (ind, reporters[ind])
        expected = QUARTERS if spec["frequency"] == "quarterly" else YEARS
        allowed = set(QUARTERS) if spec["frequency"] == "quarterly" else {*YEARS, "2026"}
        for rep in reporters[ind]:
            wanted = set(expected) - LATE.get((ind, rep), set())  # the one late reporter, on purpose
            assert wanted <= series[(ind, rep)] <= allowed, (ind, rep, sorted(series[(ind, rep)] ^ wanted))


def _rising(series: dict[str, float]) -> bool:
    values = [series[p] for p in sorted(series)]
    return all(a <= b for a, b in zip(values, values[1:])) and values[-1] > values[0]


def test_the_trends_the_readme_describes_hold(headline) -> None:
    missions = headline["MISSIONS_ABROAD"]
    assert missions["2025-Q4"] == 95 and missions["2026-Q3"] in (96, 97)
    assert all(90 <= v <= 115 for v in missions.values())
    online = headline["DIGITAL_FULL_ONLINE_PCT"]
    assert _rising(online) and 75 <= online["2025-Q4"] <= 82 and 83 <= online["2026-Q3"] <= 88
    pay = headline["REMUNERATION_VS_ASEAN_PCT"]
    assert _rising(pay) and all(55 <= v <= 70 for v in pay.values())
    for ind in ("LAWS_ENACTED", "VISUAL_IDENTITY_PCT", "DIGITAL_SYSTEMS"):
        assert _rising(headline[ind]), ind
    assert max(headline["LAWS_ENACTED"].values()) <= 2
    staff = headline["STAFF_HEADCOUNT"]
    years = sorted({p[:4] for p in staff})
    means = [sum(v for p, v in staff.items() if p.startswith(y)) / sum(p.startswith(y) for p in staff) for y in years]
    assert all(a > b for a, b in zip(means, means[1:])), means


def test_the_files_are_what_their_generator_writes() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sample_data.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_off_track_indicator_of_the_latest_quarter_has_approved_commentary(warehouse) -> None:
    """A newcomer's first deck explains every indicator not on track (data/sample/commentary_2026Q3.csv),
    and leaders read it: `kpi demo` approves the sample's commentary."""
    from datetime import datetime, timezone

    from dashboard.review import load_review, needs_commentary

    review = load_review(warehouse.path, "2026-Q3", generated_at=datetime(2026, 12, 3, 7, tzinfo=timezone.utc))
    off_track = {code for code in review.catalog.indicators if needs_commentary(review, code)}
    assert off_track and off_track <= set(review.commentary), off_track - set(review.commentary)
    assert all(not c.pending for by_lang in review.commentary.values() for c in by_lang.values())
