"""Target register: revisions live in catalog/targets.csv with a date, a source and a reason; a status
is judged against the target in force at the as-of date; decks and pages show the change."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone

import pytest

from dashboard.review import changes_panel, indicator_panel, load_review
from pipelines.catalog import CatalogError, load_catalog
from pipelines.ingest import ingest
from pipelines.read_model.catalog import read_catalog
from pipelines.settings import DEFAULT_CATALOG_DIR
from pipelines.targets import changes_between, in_force, previous_target
from pipelines.warehouse.store import open_reader
from tests.support.warehouse import TODAY

AT = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)


def test_the_sample_catalog_carries_one_revision(catalog):
    [v] = catalog.target_versions
    assert (v.indicator, v.horizon, v.value, v.effective_from) == ("OFFICIALS_TRAINED", 2030, 1800.0, date(2026, 8, 15))
    assert v.reason("en").startswith("Illustrative target raised") and v.reason("vi").startswith("Mục tiêu minh họa")


def test_the_target_in_force_depends_on_the_date(catalog):
    assert in_force(catalog, date(2026, 8, 14)).indicators["OFFICIALS_TRAINED"].target(2030) == 1500
    assert in_force(catalog, date(2026, 8, 15)).indicators["OFFICIALS_TRAINED"].target(2030) == 1800
    later = in_force(catalog, date(2027, 1, 1))
    assert later.indicators["OFFICIALS_TRAINED"].target(2045) == 2500  # the other horizon untouched
    assert in_force(later, date(2026, 1, 1)).indicators["OFFICIALS_TRAINED"].target(2030) == 1500  # from the originals
    assert previous_target(catalog, "OFFICIALS_TRAINED", 2030, date(2026, 9, 30))[0] == 1500
    assert previous_target(catalog, "OFFICIALS_TRAINED", 2030, date(2026, 8, 1)) is None
    assert [v.indicator for _, v in changes_between(catalog, date(2026, 6, 30), date(2026, 9, 30))] == ["OFFICIALS_TRAINED"]
    assert changes_between(catalog, date(2026, 9, 30), date(2026, 12, 31)) == []


@pytest.mark.parametrize("row, named", [
    ("NOPE,2030,5,2026-01-01,plan,lý do,reason", "targets.csv line 2, field indicator: 'NOPE' is not in indicators.csv"),
    ("OFFICIALS_TRAINED,2040,5,2026-01-01,plan,lý do,reason", "targets.csv line 2, field horizon"),
    ("OFFICIALS_TRAINED,2030,5,31/12/2026,plan,lý do,reason", "targets.csv line 2, field effective_from"),
    ("OFFICIALS_TRAINED,2030,5,2026-01-01,plan,,reason", "targets.csv line 2, field reason_vi"),
    ("DIGITAL_FULL_ONLINE_PCT,2030,120,2026-01-01,national,lý do,reason", "field value: a percent target must be within 0..100"),
    ("BUDGET_OPERATING,2030,5,2026-01-01,plan,lý do,reason", "has no 2030 target in indicators.csv"),
])
def test_a_bad_revision_stops_the_catalog_with_file_line_and_field(tmp_path, row, named):
    folder = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    (folder / "targets.csv").write_text("indicator,horizon,value,effective_from,source,reason_vi,reason_en\n" + row + "\n",
                                        encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    assert any(named in p for p in caught.value.problems), caught.value.problems


@pytest.fixture
def warehouse(settings, catalog, write_csv):
    rows = [["OFFICIALS_TRAINED", "MOFA", f"{y}-Q{q}", str(200 + 10 * i), "persons", ""]
            for i, (y, q) in enumerate((y, q) for y in (2025, 2026) for q in (1, 2, 3, 4)) if (y, q) != (2026, 4)]
    [outcome] = ingest([write_csv("t.csv", rows)], settings, catalog, today=TODAY)
    assert outcome.status == "loaded", outcome.problems
    return settings.warehouse_path


def test_the_register_is_published_with_the_data(warehouse):
    with open_reader(warehouse) as con:
        assert read_catalog(con, date(2026, 9, 30)).indicators["OFFICIALS_TRAINED"].target(2030) == 1800
        assert read_catalog(con, date(2026, 6, 30)).indicators["OFFICIALS_TRAINED"].target(2030) == 1500


def _texts(chart) -> list[str]:
    """Every line of text on a slide, in order (wrapped lines are consecutive)."""
    spec = chart.to_dict()
    return [row["text"] for data in spec.get("datasets", {}).values() for row in data if "text" in row]


def test_the_review_judges_against_the_target_in_force_and_shows_the_change(warehouse):
    q3 = load_review(warehouse, "2026-Q3", generated_at=AT)
    q2 = load_review(warehouse, "2026-Q2", generated_at=AT)
    assert q3.now["OFFICIALS_TRAINED"][0].target == 1800 and q3.before["OFFICIALS_TRAINED"][0].target == 1500
    assert q2.now["OFFICIALS_TRAINED"][0].target == 1500
    changes = " ".join(_texts(changes_panel(q3, "en")))
    assert "Targets revised in Q3 2026" in changes
    assert "(2030): 1,500 » 1,800 persons from 15/08/2026 · Illustrative target raised" in changes
    assert "1,500 » 1,800" not in " ".join(_texts(changes_panel(q2, "en")))
    slide = " ".join(_texts(indicator_panel(q3, "OFFICIALS_TRAINED", "vi")))
    assert "Mục tiêu 2030: 1.800 người" in slide and "điều chỉnh ngày 15/08/2026, trước đó 1.500" in slide


# -- a series' own target: targets.csv's optional reporter and breakdown columns -------------------

SERIES_HEADER = "indicator,horizon,value,effective_from,source,reason_vi,reason_en,reporter,breakdown\n"
HANOI_NEGOTIATION = ("OFFICIALS_TRAINED,2030,60,2026-01-01,illustrative,Chỉ tiêu riêng của Hà Nội,"
                     "Hanoi's own target,HANOI,program=negotiation\n")


def series_catalog(tmp_path, rows: str = HANOI_NEGOTIATION):
    folder = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    original = (folder / "targets.csv").read_text(encoding="utf-8").splitlines()[1:]
    (folder / "targets.csv").write_text(SERIES_HEADER + "\n".join(original) + "\n" + rows, encoding="utf-8")
    return folder


def test_a_series_target_belongs_to_its_series_only(tmp_path):
    from pipelines.targets import series_targets

    catalog = load_catalog(series_catalog(tmp_path))
    negotiation = '{"program":"negotiation"}'
    [own] = series_targets(catalog, "OFFICIALS_TRAINED", "HANOI", negotiation, date(2026, 9, 30)).values()
    assert (own.value, own.reporter, own.breakdown_key, own.source) == (60, "HANOI", negotiation, "illustrative")
    assert series_targets(catalog, "OFFICIALS_TRAINED", "HANOI", negotiation, date(2025, 12, 31)) == {}  # not yet in force
    assert series_targets(catalog, "OFFICIALS_TRAINED", "HANOI", "{}", date(2026, 9, 30)) == {}  # Hanoi's total: none
    assert series_targets(catalog, "OFFICIALS_TRAINED", "", negotiation, date(2026, 9, 30)) == {}  # every reporter's: none
    assert series_targets(catalog, "OFFICIALS_TRAINED", "HCMC", negotiation, date(2026, 9, 30)) == {}
    # The national target is untouched: no revision, no change in the review's list.
    assert in_force(catalog, date(2026, 9, 30)).indicators["OFFICIALS_TRAINED"].target(2030) == 1800
    assert previous_target(catalog, "OFFICIALS_TRAINED", 2030, date(2026, 9, 30))[0] == 1500
    assert [v.reporter for _, v in changes_between(catalog, date(2025, 12, 1), date(2026, 9, 30))] == [""]


@pytest.mark.parametrize("row, named", [
    ("OFFICIALS_TRAINED,2030,60,2026-01-01,plan,lý do,reason,HANOII,", "field reporter: 'HANOII' is not in reporters.csv"),
    ("OFFICIALS_TRAINED,2030,60,2026-01-01,plan,lý do,reason,,negotiation", "field breakdown: write dimension=value"),
    ("MISSIONS_ABROAD,2030,60,2026-01-01,plan,lý do,reason,,mission_type=embasy", "field breakdown: 'embasy' is not an allowed"),
    ("DIGITAL_FULL_ONLINE_PCT,2030,120,2026-01-01,plan,lý do,reason,MOFA,", "a percent target must be within 0..100"),
    (HANOI_NEGOTIATION.strip() + "\n" + HANOI_NEGOTIATION.strip(), "same indicator, series, horizon and date as line"),
])
def test_a_bad_series_target_stops_the_catalog_with_file_line_and_field(tmp_path, row, named):
    folder = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    (folder / "targets.csv").write_text(SERIES_HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    assert any(named in p for p in caught.value.problems), caught.value.problems


def test_a_series_target_needs_no_national_one(tmp_path):
    """BUDGET_OPERATING has no national 2030 target; a reporter's own one is fine."""
    folder = series_catalog(tmp_path, "BUDGET_OPERATING,2030,50,2026-01-01,illustrative,lý do,reason,HANOI,\n")
    assert load_catalog(folder).target_versions[-1].reporter == "HANOI"


def test_series_targets_are_published_with_the_data(tmp_path, write_csv):
    from pipelines.targets import series_targets
    from tests.support.warehouse import make_settings

    folder = series_catalog(tmp_path)
    settings = make_settings(tmp_path / "data", catalog_dir=folder)
    rows = [["OFFICIALS_TRAINED", "HANOI", "2026-Q3", "48", "persons", ""]]
    [outcome] = ingest([write_csv("t.csv", rows)], settings, load_catalog(folder), today=TODAY)
    assert outcome.status == "loaded", outcome.problems
    with open_reader(settings.warehouse_path) as con:
        stored = read_catalog(con, date(2026, 9, 30))
    assert set(series_targets(stored, "OFFICIALS_TRAINED", "HANOI", '{"program":"negotiation"}', date(2026, 9, 30))) == {2030}
    assert stored.indicators["OFFICIALS_TRAINED"].target(2030) == 1800
