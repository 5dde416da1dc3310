"""The review pack tells the truth: projections stay on the chart, a running quarter is 'data to
date', counts are rows, annual revisions are listed, status moves carry their values, sources
and names are in the deck's language and whole."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.charts import clip_path, indicator_layers
from dashboard.review import (as_of_line, changes_panel, cover_lines, indicator_panel, load_review, needs_commentary,
                              status_move, summary_panel)
from pipelines.ingest import ingest
from pipelines.progress import Point
from pipelines.read_model.headline import assess_catalog
from tests.support.warehouse import TODAY
from pipelines.commentary_signoff import approve_commentary
from pipelines.read_model.visibility import INCLUDING_PENDING
from tests.conftest import approve_everything

LABELS = {"observed": "observed", "required": "required", "projection": "projection", "target": "target",
          "illustrative": "illustrative", "year": "year", "period": "period", "value": "value", "clipped": "CLIPPED"}
AT = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(-1e30, 1e30)), min_size=1, max_size=30))
def test_a_clipped_path_never_leaves_the_range(path):
    path = sorted(path)
    clipped, cut = clip_path(path, 0.0, 1000.0)
    assert all(0.0 <= v <= 1000.0 for _, v in clipped)
    assert cut == any(not 0.0 <= v <= 1000.0 for _, v in path)
    if not cut:
        assert clipped == path


def _values(chart) -> list[float]:
    spec = chart.to_dict()
    return [row["value"] for data in spec.get("datasets", {}).values() for row in data if "value" in row]


def test_a_runaway_projection_does_not_stretch_the_axis(catalog):
    """Training grows 80 %/yr after a unit error: the projection to 2045 would reach ~10^5, the targets are 2,500."""
    ind = catalog.indicators["OFFICIALS_TRAINED"]
    points = [Point("2025-Q4", 800.0), Point("2026-Q1", 900.0), Point("2026-Q2", 1300.0), Point("2026-Q3", 2000.0)]
    one = replace(catalog, indicators={"OFFICIALS_TRAINED": ind})
    [a2030, a2045] = assess_catalog(one, {"OFFICIALS_TRAINED": points}, "2026-Q3")["OFFICIALS_TRAINED"]
    assert a2045.projected_value > 20_000  # the runaway this test is about
    chart = indicator_layers(ind, points, [a2030, a2045], LABELS, "en", width=800, height=400)
    values = _values(chart)
    assert max(values) < 2500 * 1.2
    labels = [row.get("label") for data in chart.to_dict()["datasets"].values() for row in data]
    assert labels.count("CLIPPED") == 1


@pytest.fixture
def warehouse(settings, catalog, write_csv):
    """A quarterly and an annual series, each revised by a later file, the quarter 2026-Q4 running."""
    first = write_csv("first.csv", [
        ["MISSIONS_ABROAD", "MOFA", "2026-Q2", "96", "agencies", ""],
        ["MISSIONS_ABROAD", "MOFA", "2026-Q3", "96", "agencies", ""],
        ["MISSIONS_ABROAD", "MOFA", "2026-Q4", "99", "agencies", ""],
        ["REMUNERATION_VS_ASEAN_PCT", "MOFA", "2025", "60", "%", ""],
    ])
    second = write_csv("second.csv", [
        ["MISSIONS_ABROAD", "MOFA", "2026-Q3", "97", "agencies", "revision"],
        ["REMUNERATION_VS_ASEAN_PCT", "MOFA", "2025", "62", "%", "annual revision"],
    ])
    for path in (first, second):
        [outcome] = ingest([path], settings, catalog, today=TODAY)
        assert outcome.status == "loaded", outcome
    approve_everything(settings)  # the pack shows approved figures
    return settings.warehouse_path


def _texts(chart) -> list[str]:
    spec = chart.to_dict()
    return [row["text"] for data in spec.get("datasets", {}).values() for row in data if "text" in row]


def test_annual_revisions_are_listed_with_quarterly_ones(warehouse):
    review = load_review(warehouse, "2026-Q4", generated_at=AT)
    revised = {(r["indicator"], r["period"], r["old_value"], r["new_value"]) for r in review.revisions.iter_rows(named=True)}
    assert ("REMUNERATION_VS_ASEAN_PCT", "2025", 60.0, 62.0) in revised
    assert ("MISSIONS_ABROAD", "2026-Q3", 96.0, 97.0) in revised


def test_a_running_quarter_is_data_to_date_never_a_future_date(warehouse):
    running = load_review(warehouse, "2026-Q4", generated_at=AT)
    assert running.in_progress
    line = as_of_line(running, "en")
    assert "to date" in line and "03/12/2026" in line and "31/12/2026" not in line
    assert "đến nay" in as_of_line(running, "vi")
    subtitle = json.dumps(summary_panel(running, "en").to_dict(), ensure_ascii=False)
    assert "31/12/2026" not in subtitle and "Data to date, 03/12/2026" in subtitle
    closed = load_review(warehouse, "2026-Q3", generated_at=AT)
    assert not closed.in_progress and as_of_line(closed, "en") == "As of 30/09/2026 (Q3 2026)"


def test_new_values_are_counted_as_rows_and_status_moves_show_values(warehouse):
    review = load_review(warehouse, "2026-Q4", generated_at=AT)
    texts = _texts(changes_panel(review, "en"))
    assert any(t.endswith(": 1 row") for t in texts), texts  # one new row for 2026-Q4
    assert not any(t.endswith(": 1") for t in texts)
    assert any("60 » 62" in t for t in texts), texts  # the annual revision, old → new
    [before, _] = review.before["MISSIONS_ABROAD"]
    [now, _] = review.now["MISSIONS_ABROAD"]
    move = status_move(review, "MISSIONS_ABROAD", before, now, "en")
    assert move.startswith("Representative agencies of Vietnam abroad (embassies, permanent missions, consulates general) (2030): 97 » 99 agencies · ")
    assert move.count(" » ") == 2  # value old → new, status before → after


def test_cover_names_quarter_cutoff_generated_time_language_and_approval(warehouse):
    review = load_review(warehouse, "2026-Q4", generated_at=AT)
    cover = dict(cover_lines(review, "en"))
    assert cover["Quarter"] == "Q4 2026 · not over"
    assert cover["Generated at"] == "03/12/2026 07:00 UTC"
    assert cover["Data cut-off (last load)"].endswith("UTC")
    assert cover["Language"] == "English"
    today = datetime.now(timezone.utc).strftime("%d/%m/%Y")  # approve_everything signed off just now
    assert cover["Figures approved by"] == f"test.approver, {today}"
    assert dict(cover_lines(review, "vi"))["Phê duyệt số liệu"] == f"test.approver, {today}"


def test_cover_says_what_waits_in_either_view_and_when_nothing_is_approved(warehouse, settings, catalog, write_csv):
    [outcome] = ingest([write_csv("third.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q4", "100", "agencies", ""]])],
                       settings, catalog, today=TODAY)
    assert outcome.status == "loaded"
    approved = dict(cover_lines(load_review(warehouse, "2026-Q4", generated_at=AT), "en"))["Figures approved by"]
    assert approved.startswith("test.approver, ") and approved.endswith("; 1 of 1 reporters' figures still wait and are not in this pack")
    pending = load_review(warehouse, "2026-Q4", INCLUDING_PENDING, generated_at=AT)
    assert dict(cover_lines(pending, "en"))["Figures approved by"].endswith("; includes figures pending approval (1 value(s))")
    assert dict(cover_lines(pending, "vi"))["Phê duyệt số liệu"].endswith("; gồm cả số liệu chờ phê duyệt (1 giá trị)")
    # A quarter nobody signed off: said so, in the view including pending too.
    [outcome] = ingest([write_csv("fourth.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q1", "95", "agencies", ""]])],
                       settings, catalog, today=TODAY)
    assert outcome.status == "loaded"
    fresh = load_review(warehouse, "2026-Q1", INCLUDING_PENDING, generated_at=AT)
    assert dict(cover_lines(fresh, "en"))["Figures approved by"] == (
        "not yet approved (no sign-off recorded); includes figures pending approval (1 value(s))")


def test_english_slides_print_english_sources_and_whole_names(warehouse):
    review = load_review(warehouse, "2026-Q4", generated_at=AT)
    for code in review.catalog.indicators:
        spec = json.dumps(indicator_panel(review, code, "en").to_dict(), ensure_ascii=False)
        assert "Nghị quyết" not in spec and "nhiệm vụ" not in spec, code
        assert "Resolution 292/NQ-CP" in spec, code
        assert "…" not in spec, code
    title = indicator_panel(review, "OFFICIALS_TRAINED", "en").to_dict()["title"]["text"]
    assert isinstance(title, list) and len(title) > 1
    assert " ".join(title) == review.catalog.indicators["OFFICIALS_TRAINED"].name_en


def test_an_off_track_slide_carries_its_commentary_next_steps_and_owner(warehouse, settings, catalog):
    from pipelines.commentary import Commentary, write_commentary

    review = load_review(warehouse, "2026-Q4", generated_at=AT)
    off_track = [code for code in review.catalog.indicators if needs_commentary(review, code)]
    assert "REMUNERATION_VS_ASEAN_PCT" in off_track  # one annual value: insufficient data, not on track
    # None written yet: the slide asks for it rather than staying silent.
    assert any("No commentary for Q4 2026 yet" in t for t in _texts(indicator_panel(review, "REMUNERATION_VS_ASEAN_PCT", "en")))
    write_commentary(warehouse, catalog, Commentary("REMUNERATION_VS_ASEAN_PCT", "2026-Q4", "MOFA", "Mở thêm 1 tổng lãnh sự quán",
                                                    "Chậm so với lộ trình", "Trình đề án năm 2027"))
    # Leaders (the approved view) do not read it until an approver approves it; the pending view marks it.
    review = load_review(warehouse, "2026-Q4", generated_at=AT)
    assert any("No commentary for Q4 2026 yet" in t for t in _texts(indicator_panel(review, "REMUNERATION_VS_ASEAN_PCT", "en")))
    pending = load_review(warehouse, "2026-Q4", INCLUDING_PENDING, generated_at=AT)
    assert any(t.endswith("Owner: Ministry of Foreign Affairs (MOFA) · in Vietnamese only · pending approval")
               for t in _texts(indicator_panel(pending, "REMUNERATION_VS_ASEAN_PCT", "en")))
    approve_commentary(settings, "2026-Q4", "REMUNERATION_VS_ASEAN_PCT", "test.approver")
    review = load_review(warehouse, "2026-Q4", generated_at=AT)
    vi = " ".join(_texts(indicator_panel(review, "REMUNERATION_VS_ASEAN_PCT", "vi")))
    assert "chờ phê duyệt" not in vi
    assert "Đơn vị chủ trì: Bộ Ngoại giao (MOFA)" in vi
    assert "Diễn biến: Mở thêm 1 tổng lãnh sự quán" in vi and "Bước tiếp theo: Trình đề án năm 2027" in vi
    en = " ".join(_texts(indicator_panel(review, "REMUNERATION_VS_ASEAN_PCT", "en")))
    assert "Owner: Ministry of Foreign Affairs (MOFA)" in en and "in Vietnamese only" in en
    # An indicator on track has no commentary block.
    on_track = next(c for c in review.catalog.indicators if not needs_commentary(review, c))
    assert not any("Commentary" in t or "No commentary" in t for t in _texts(indicator_panel(review, on_track, "en")))


def _slide_texts(chart) -> list[str]:
    spec = chart.to_dict()
    return [row["text"] for data in spec.get("datasets", {}).values() for row in data if "text" in row]


@pytest.mark.parametrize("lang, coverage, line", [
    ("en", "2 of 3 reporters", "Provisional: 2 of 3 reporters; missing HCMC"),
    ("vi", "2 trên 3 đơn vị báo cáo", "Tạm tính: 2 trên 3 đơn vị báo cáo; thiếu HCMC"),
])
def test_a_provisional_total_says_k_of_n_reporters_on_the_summary_and_its_slide(settings, catalog, write_csv,
                                                                                lang, coverage, line):
    """Three cities train officials every quarter; HCMC has not sent 2026-Q3: the review's latest total is provisional."""
    rows = [["OFFICIALS_TRAINED", city, period, "100", "persons", ""]
            for period in ("2025-Q4", "2026-Q1", "2026-Q2") for city in ("HANOI", "HCMC", "DANANG")]
    rows += [["OFFICIALS_TRAINED", city, "2026-Q3", "110", "persons", ""] for city in ("HANOI", "DANANG")]
    [outcome] = ingest([write_csv("training.csv", rows)], settings, catalog, today=TODAY)
    assert outcome.status == "loaded", outcome.problems
    approve_everything(settings)
    review = load_review(settings.warehouse_path, "2026-Q3", generated_at=AT)
    summary = _slide_texts(summary_panel(review, lang))
    assert coverage in summary
    slide = " ".join(_slide_texts(indicator_panel(review, "OFFICIALS_TRAINED", lang)))  # wrapped lines joined
    assert line in slide
    complete = _slide_texts(indicator_panel(load_review(settings.warehouse_path, "2026-Q2", generated_at=AT),
                                            "OFFICIALS_TRAINED", lang))
    assert not any(coverage in t for t in complete)  # every city sent Q2: nothing provisional


def test_without_sign_off_the_cover_says_so_and_marks_nothing_pending(warehouse, settings, catalog, write_csv):
    """KPI_APPROVAL=off: the pack shows every loaded figure (view including pending) and must not
    call them unapproved or mark commentary as waiting: sign-off simply is not used."""
    [outcome] = ingest([write_csv("third.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q4", "100", "agencies", ""]])],
                       settings, catalog, today=TODAY)
    assert outcome.status == "loaded"
    review = load_review(warehouse, "2026-Q4", INCLUDING_PENDING, generated_at=AT, approval_on=False)
    assert dict(cover_lines(review, "en"))["Figures approved by"] == (
        "sign-off not used in this deployment (every loaded figure is shown)")
    assert "phê duyệt" in dict(cover_lines(review, "vi"))["Phê duyệt số liệu"]
    assert "pending" not in dict(cover_lines(review, "en"))["Figures approved by"]
