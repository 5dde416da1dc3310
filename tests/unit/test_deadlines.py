"""Reporting deadlines: due dates, on time / late / missing / not yet due, DHIS2 rates."""

from __future__ import annotations

from datetime import date

from pipelines.deadlines import (DUE, LATE, MISSING, ON_TIME, due_date, last_ended, newly_missing, periods_between,
                                 rates, reports)

DEADLINES = {"quarterly": 20, "annual": 45}


def test_due_date_counts_days_after_the_period_ends():
    assert due_date("2026-Q3", 20) == date(2026, 10, 20)
    assert due_date("2025", 45) == date(2026, 2, 14)
    assert due_date("2026-Q1", 0) == date(2026, 3, 31)


def test_periods_and_the_last_ended_one():
    assert periods_between("2025-Q3", "2026-Q2") == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert periods_between("2023", "2025") == ["2023", "2024", "2025"]
    assert last_ended("quarterly", date(2026, 11, 22)) == "2026-Q3"
    assert last_ended("quarterly", date(2026, 2, 1)) == "2025-Q4"
    assert last_ended("annual", date(2026, 2, 1)) == "2025"


def test_on_time_late_missing_and_not_yet_due():
    first = {("MOFA", "MISSIONS_ABROAD"): "2026-Q1", ("HANOI", "OFFICIALS_TRAINED"): "2026-Q1",
             ("HANOI", "STAFF_HEADCOUNT"): "2026-Q2"}
    arrivals = {
        ("MOFA", "MISSIONS_ABROAD", "2026-Q1"): date(2026, 4, 20),   # the deadline day itself: on time
        ("MOFA", "MISSIONS_ABROAD", "2026-Q2"): date(2026, 7, 23),   # 3 days late
        ("HANOI", "OFFICIALS_TRAINED", "2026-Q1"): date(2026, 4, 1),
        ("HANOI", "OFFICIALS_TRAINED", "2026-Q2"): date(2026, 7, 1),  # STAFF_HEADCOUNT never came: missing
    }
    judged = {(r.reporter, r.period): r for r in reports(first, arrivals, DEADLINES, date(2026, 7, 25))}
    assert judged[("MOFA", "2026-Q1")].status == ON_TIME
    assert (judged[("MOFA", "2026-Q2")].status, judged[("MOFA", "2026-Q2")].days_late) == (LATE, 3)
    hanoi = judged[("HANOI", "2026-Q2")]
    assert (hanoi.status, hanoi.days_late, hanoi.received, hanoi.expected) == (MISSING, 5, 1, 2)
    assert judged[("HANOI", "2026-Q1")].expected == 1  # staff headcount was expected from 2026-Q2 on
    early = {(r.reporter, r.period): r for r in reports(first, arrivals, DEADLINES, date(2026, 7, 15))}
    assert early[("HANOI", "2026-Q2")].status == DUE


def test_a_single_reporter_is_expected_even_if_it_never_sent():
    first = {("HANOI", "DIGITAL_FULL_ONLINE_PCT"): "2026-Q2"}
    judged = reports(first, {}, DEADLINES, date(2026, 8, 1), single_reporters={"DIGITAL_FULL_ONLINE_PCT": "MOFA"})
    assert {(r.reporter, r.status) for r in judged} == {("HANOI", MISSING), ("MOFA", MISSING)}


def test_rates_as_dhis2_counts_them():
    first = {(r, "OFFICIALS_TRAINED"): "2026-Q2" for r in ("A", "B", "C", "D")}
    arrivals = {("A", "OFFICIALS_TRAINED", "2026-Q2"): date(2026, 7, 10),
                ("B", "OFFICIALS_TRAINED", "2026-Q2"): date(2026, 7, 30),
                ("C", "OFFICIALS_TRAINED", "2026-Q2"): date(2026, 7, 20)}
    judged = reports(first, arrivals, DEADLINES, date(2026, 8, 5))
    (q2,) = rates(judged)
    assert (q2.expected, q2.received, q2.on_time) == (4, 3, 2)
    assert (q2.reporting_rate, q2.on_time_rate) == (75.0, 50.0)
    assert [r.reporter for r in newly_missing(judged, date(2026, 8, 5))] == ["D"]


def test_only_the_latest_past_due_period_is_newly_missing():
    first = {("A", "OFFICIALS_TRAINED"): "2025-Q4"}
    judged = reports(first, {}, DEADLINES, date(2026, 7, 25))
    assert [r.period for r in judged] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert [r.period for r in newly_missing(judged, date(2026, 7, 25))] == ["2026-Q2"]
